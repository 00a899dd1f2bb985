#include "transport/http_client.hpp"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <exception>

namespace patron {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

Result<HttpTarget> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, 8) == "https://") return Status::Invalid("https is not supported (only http://)");
  if (url.substr(0, kScheme.size()) != kScheme) return Status::Invalid("not an http:// URL");
  std::string_view rest = url.substr(kScheme.size());
  const size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (const size_t hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  if (authority.empty()) return Status::Invalid("no host");
  if (authority.find('@') != std::string_view::npos)
    return Status::Invalid("user info in URLs is not supported");

  HttpTarget t;
  t.host_header = std::string(authority);
  std::string_view port;
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::Invalid("unterminated IPv6 address");
    t.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::Invalid("bad text after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (t.host.empty()) return Status::Invalid("no host");
  if (port.empty()) {
    t.port = "80";
  } else {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return Status::Invalid("bad port");
    const int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535) return Status::Invalid("bad port");
    t.port = std::string(port);
  }
  if (path.empty())
    t.path = "/";
  else if (path.front() == '?')
    t.path = "/" + std::string(path);
  else
    t.path = std::string(path);
  return t;
}

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options)
    : io_(io), options_(std::move(options)) {}

namespace {

// The exchange itself; failures of Asio and Beast arrive as error codes.
asio::awaitable<Result<unsigned>> Exchange(asio::io_context& io, const HttpClientOptions& options,
                                           const HttpTarget& target, std::string_view content_type,
                                           std::string_view body, std::string_view idempotency_key) {
  beast::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  const auto failure = [&](const char* step) {
    if (ec == beast::error::timeout) {
      return Status::Unavailable(std::string(step) + ": timed out after " +
                                 std::to_string(options.timeout.count()) + " ms");
    }
    return Status::Unavailable(std::string(step) + ": " + ec.message());
  };

  tcp::resolver resolver(io);
  const auto endpoints = co_await resolver.async_resolve(target.host, target.port, token);
  if (ec) co_return failure("resolve");
  beast::tcp_stream stream(io);
  stream.expires_after(options.timeout);  // one deadline for the whole exchange
  co_await stream.async_connect(endpoints, token);
  if (ec) co_return failure("connect");
  http::request<http::string_body> req{http::verb::post, target.path, 11};
  req.set(http::field::host, target.host_header);
  req.set(http::field::user_agent, options.user_agent);
  req.set(http::field::content_type, content_type);
  if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
  req.keep_alive(false);
  req.body() = std::string(body);
  req.prepare_payload();
  co_await http::async_write(stream, req, token);
  if (ec) co_return failure("send");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_body);
  co_await http::async_read(stream, buffer, parser, token);
  if (ec) co_return failure("read answer");
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return parser.get().result_int();
}

}  // namespace

asio::awaitable<Result<unsigned>> HttpClient::Post(const HttpTarget& target, std::string_view content_type,
                                                   std::string_view body, std::string_view idempotency_key) const {
  try {
    co_return co_await Exchange(io_, options_, target, content_type, body, idempotency_key);
  } catch (const std::exception& e) {
    co_return Status::Internal(std::string("HTTP POST: ") + e.what());
  }
}

}  // namespace patron
