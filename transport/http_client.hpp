#pragma once
// A minimal HTTP/1.1 client (Boost.Beast) for plain "http://" URLs: parse a
// URL once, then POST to it from a coroutine on the caller's Asio
// io_context, one request per connection (Connection: close). https is out
// of scope (put a TLS-terminating proxy on the same host if a receiver
// needs it). No redirects, no retries: callers decide what a failure means.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace patron {

// Where requests to one URL go.
struct HttpTarget {
  std::string host;         // for the resolver (no brackets around IPv6)
  std::string port;         // "80" unless given
  std::string path;         // "/..." with the query, if any; never the fragment
  std::string host_header;  // the authority as written
};

// Parses "http://host[:port][/path][?query][#fragment]". kInvalidArgument
// with the reason ("https is not supported (only http://)", "not an http://
// URL", "no host", "user info in URLs is not supported", "unterminated IPv6
// address", "bad text after the IPv6 address", "bad port"); the caller adds
// which URL it was. Pure; any thread.
Result<HttpTarget> ParseHttpUrl(std::string_view url);

struct HttpClientOptions {
  // One deadline for the whole exchange after name resolution: connect,
  // send the request, read the answer.
  std::chrono::milliseconds timeout{5'000};
  // Sent as User-Agent.
  std::string user_agent = "patron";
  // Largest answer body read (and ignored); a larger one fails the request.
  uint64_t max_response_body = 1 << 20;
};

// POSTs on one io_context. Holds no connection between requests and no
// state besides its options, so one client may run several requests at once.
class HttpClient {
 public:
  // `io` must outlive the client and every request it runs.
  HttpClient(boost::asio::io_context& io, HttpClientOptions options);

  // One POST of `body` with `content_type` to `target`: resolve, connect,
  // send, read the answer. Returns the answer's status code, whatever it is
  // (2xx or not), or kUnavailable naming the step that failed and why:
  // "resolve: ...", "connect: ...", "send: ...", "read answer: ..." (a
  // missed deadline reads "<step>: timed out after <timeout> ms"), or
  // kInternal should Beast throw (an invalid header value, say). Never
  // throws. A non-empty `idempotency_key` is sent as the Idempotency-Key
  // header (the same for every retry of one action). Await it from a
  // coroutine running on `io`; `target`, `content_type`, `body` and
  // `idempotency_key` must stay valid until it completes.
  boost::asio::awaitable<Result<unsigned>> Post(const HttpTarget& target, std::string_view content_type,
                                                std::string_view body,
                                                std::string_view idempotency_key = {}) const;

 private:
  boost::asio::io_context& io_;
  HttpClientOptions options_;
};

}  // namespace patron
