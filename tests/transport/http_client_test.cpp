// transport/http_client: URL parsing, and single POSTs to a real HTTP
// server on 127.0.0.1 (tests/support/http_test_server.hpp): the status
// comes back whatever it is; refusals and timeouts come back as failures.
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "tests/support/free_port.hpp"
#include "tests/support/http_test_server.hpp"
#include "transport/http_client.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;

HttpTarget RequireParse(const std::string& url) {
  auto parsed = ParseHttpUrl(url);
  INFO(url << ": " << parsed.status().ToString());
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

// Runs one Post to completion on a fresh io_context (on this thread).
Result<unsigned> PostOnce(const std::string& url, HttpClientOptions options, const std::string& body = "{}") {
  const HttpTarget target = RequireParse(url);
  boost::asio::io_context io;
  const HttpClient client(io, std::move(options));
  std::optional<Result<unsigned>> outcome;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> { outcome = co_await client.Post(target, "text/plain", body); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  REQUIRE(outcome.has_value());
  return *outcome;
}

}  // namespace

TEST_CASE("ParseHttpUrl splits host, port and path", "[http_client]") {
  HttpTarget t = RequireParse("http://crm.local");
  CHECK(t.host == "crm.local");
  CHECK(t.port == "80");
  CHECK(t.path == "/");
  CHECK(t.host_header == "crm.local");

  t = RequireParse("http://127.0.0.1:8080/hooks/patron?k=1#frag");
  CHECK(t.host == "127.0.0.1");
  CHECK(t.port == "8080");
  CHECK(t.path == "/hooks/patron?k=1");
  CHECK(t.host_header == "127.0.0.1:8080");

  t = RequireParse("http://[::1]:9000?y=1");
  CHECK(t.host == "::1");
  CHECK(t.port == "9000");
  CHECK(t.path == "/?y=1");
  CHECK(t.host_header == "[::1]:9000");
}

TEST_CASE("ParseHttpUrl says why it refuses a URL", "[http_client]") {
  const auto reason = [](const std::string& url) {
    auto parsed = ParseHttpUrl(url);
    CHECK((parsed.ok() || parsed.status().code() == StatusCode::kInvalidArgument));
    return parsed.ok() ? std::string("ok") : parsed.status().message();
  };
  CHECK(reason("https://crm.example.com/hook") == "https is not supported (only http://)");
  CHECK(reason("ftp://x") == "not an http:// URL");
  CHECK(reason("http:///path") == "no host");
  CHECK(reason("http://:80/") == "no host");
  CHECK(reason("http://u:p@host/") == "user info in URLs is not supported");
  CHECK(reason("http://[::1/") == "unterminated IPv6 address");
  CHECK(reason("http://[::1]x/") == "bad text after the IPv6 address");
  CHECK(reason("http://host:0/") == "bad port");
  CHECK(reason("http://host:123456/") == "bad port");
  CHECK(reason("http://host:8x/") == "bad port");
}

TEST_CASE("a POST returns the answer's status code, 2xx or not", "[http_client]") {
  testing::TestHttpServer server([](size_t i) { return i == 0 ? 201 : 503; });
  HttpClientOptions options;
  options.user_agent = "patron-test";
  auto first = PostOnce(server.url("/in?x=1"), options, "hello");
  REQUIRE(first.ok());
  CHECK(*first == 201);
  auto second = PostOnce(server.url("/in"), options);
  REQUIRE(second.ok());
  CHECK(*second == 503);

  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/in?x=1");
  CHECK(requests[0].content_type == "text/plain");
  CHECK(requests[0].host == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(requests[0].body == "hello");
}

TEST_CASE("a refused connection is a connect failure", "[http_client]") {
  auto outcome = PostOnce("http://127.0.0.1:" + std::to_string(testing::FindFreePort()) + "/", {});
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().code() == StatusCode::kUnavailable);
  CHECK(outcome.status().message().rfind("connect: ", 0) == 0);
}

TEST_CASE("an answer that does not come within the deadline is a timeout", "[http_client]") {
  testing::TestHttpServer server([](size_t) { return 0; });  // never answers
  HttpClientOptions options;
  options.timeout = 200ms;
  auto outcome = PostOnce(server.url("/"), options);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().code() == StatusCode::kUnavailable);
  CHECK(outcome.status().message() == "read answer: timed out after 200 ms");
  CHECK(server.requests().size() == 1);
}

}  // namespace patron
