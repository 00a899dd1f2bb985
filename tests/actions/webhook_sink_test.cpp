// actions/webhook_sink: HTTP POSTs of webhook actions to a real HTTP server
// on 127.0.0.1 (tests/support/http_test_server.hpp): success, retry after a
// 500, giving up, timeouts, unknown endpoints, a full queue, shutdown.
#include <catch2/catch.hpp>

#include "actions/action_json.hpp"
#include "actions/webhook_sink.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_test_server.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;

Action Webhook(const std::string& id, const std::string& endpoint = "crm") {
  Action a;
  a.id = id;
  a.kind = ActionKind::kWebhook;
  a.rule = "VIP to CRM";
  a.time = *ParseRfc3339("2026-03-01T04:00:00Z");
  a.customer_id = "c-1";
  a.customer_phone = "13800138000";
  a.store = "s012";
  a.cause_event = "e-1";
  a.endpoint = endpoint;
  return a;
}

std::string Json(const Action& a) {
  std::string out;
  AppendActionJson(out, a);
  return out;
}

// Options for tests: short pauses, so retries do not slow the suite.
WebhookSinkOptions FastOptions(const std::string& url) {
  WebhookSinkOptions o;
  o.endpoints = {{"crm", url}};
  o.initial_backoff = 1ms;
  o.max_backoff = 4ms;
  o.max_attempts = 3;
  o.request_timeout = 5s;
  return o;
}

std::unique_ptr<WebhookSink> RequireCreate(WebhookSinkOptions options) {
  auto created = WebhookSink::Create(std::move(options));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  return std::move(created).value();
}

}  // namespace

TEST_CASE("a webhook action is POSTed as its CloudEvents JSON", "[webhook]") {
  testing::TestHttpServer server([](size_t) { return 200; });
  auto sink = RequireCreate(FastOptions(server.url("/hooks/patron?k=1")));
  const Action a = Webhook("a1");
  REQUIRE(sink->Publish(a).ok());
  Action coupon = a;
  coupon.kind = ActionKind::kCoupon;
  REQUIRE(sink->Publish(coupon).ok());  // not a webhook: ignored
  DeadLetter d;
  REQUIRE(sink->PublishDead(d).ok());
  REQUIRE(sink->Flush().ok());
  REQUIRE(sink->WaitUntilIdle(10s));

  const WebhookStats s = sink->stats();
  CHECK(s.queued == 1);
  CHECK(s.delivered == 1);
  CHECK(s.retries == 0);
  CHECK(s.failed == 0);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/hooks/patron?k=1");
  CHECK(requests[0].content_type == "application/cloudevents+json; charset=utf-8");
  CHECK(requests[0].host == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(requests[0].body == Json(a));
}

TEST_CASE("a 500 is retried, then the 200 counts", "[webhook]") {
  testing::TestHttpServer server([](size_t i) { return i == 0 ? 500 : 200; });
  auto sink = RequireCreate(FastOptions(server.url("/h")));
  REQUIRE(sink->Publish(Webhook("a1")).ok());
  REQUIRE(sink->WaitUntilIdle(10s));
  const WebhookStats s = sink->stats();
  CHECK(s.delivered == 1);
  CHECK(s.retries == 1);
  CHECK(s.failed == 0);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].body == requests[1].body);
}

TEST_CASE("after max_attempts failures the action is given up", "[webhook]") {
  testing::TestHttpServer server([](size_t) { return 503; });
  auto sink = RequireCreate(FastOptions(server.url("/h")));
  REQUIRE(sink->Publish(Webhook("a1")).ok());
  REQUIRE(sink->WaitUntilIdle(10s));
  const WebhookStats s = sink->stats();
  CHECK(s.delivered == 0);
  CHECK(s.retries == 2);
  CHECK(s.failed == 1);
  CHECK(server.requests().size() == 3);
}

TEST_CASE("a request that gets no answer times out and is retried", "[webhook]") {
  testing::TestHttpServer server([](size_t i) { return i == 0 ? 0 : 204; });
  WebhookSinkOptions o = FastOptions(server.url("/h"));
  o.request_timeout = 200ms;
  auto sink = RequireCreate(o);
  REQUIRE(sink->Publish(Webhook("a1")).ok());
  REQUIRE(sink->WaitUntilIdle(10s));
  const WebhookStats s = sink->stats();
  CHECK(s.delivered == 1);
  CHECK(s.retries == 1);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("a refused connection is a failed attempt", "[webhook]") {
  WebhookSinkOptions o = FastOptions("http://127.0.0.1:" + std::to_string(testing::FindFreePort()) + "/h");
  o.max_attempts = 2;
  auto sink = RequireCreate(o);
  REQUIRE(sink->Publish(Webhook("a1")).ok());
  REQUIRE(sink->WaitUntilIdle(10s));
  CHECK(sink->stats().failed == 1);
  CHECK(sink->stats().retries == 1);
}

TEST_CASE("an unknown endpoint is counted and nothing is sent", "[webhook]") {
  testing::TestHttpServer server([](size_t) { return 200; });
  auto sink = RequireCreate(FastOptions(server.url("/h")));
  REQUIRE(sink->Publish(Webhook("a1", "erp")).ok());
  REQUIRE(sink->Publish(Webhook("a2", "crm")).ok());
  REQUIRE(sink->WaitUntilIdle(10s));
  const WebhookStats s = sink->stats();
  CHECK(s.unknown_endpoint == 1);
  CHECK(s.queued == 1);
  CHECK(s.delivered == 1);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].body == Json(Webhook("a2", "crm")));
}

TEST_CASE("a full queue drops its oldest request", "[webhook]") {
  // Request 0 hangs until it times out, so the worker is busy while the
  // queue (capacity 2) fills up.
  testing::TestHttpServer server([](size_t i) { return i == 0 ? 0 : 200; });
  WebhookSinkOptions o = FastOptions(server.url("/h"));
  o.queue_capacity = 2;
  o.max_attempts = 1;
  o.request_timeout = 300ms;
  auto sink = RequireCreate(o);
  REQUIRE(sink->Publish(Webhook("a0")).ok());
  REQUIRE(server.WaitForRequests(1));  // a0 is in flight, out of the queue
  REQUIRE(sink->Publish(Webhook("a1")).ok());
  REQUIRE(sink->Publish(Webhook("a2")).ok());
  REQUIRE(sink->Publish(Webhook("a3")).ok());  // pushes a1 out
  REQUIRE(sink->WaitUntilIdle(10s));
  const WebhookStats s = sink->stats();
  CHECK(s.queued == 4);
  CHECK(s.dropped == 1);
  CHECK(s.failed == 1);     // a0 timed out
  CHECK(s.delivered == 2);  // a2, a3
  const auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].body == Json(Webhook("a0")));
  CHECK(requests[1].body == Json(Webhook("a2")));
  CHECK(requests[2].body == Json(Webhook("a3")));
}

TEST_CASE("Shutdown delivers what is queued", "[webhook]") {
  testing::TestHttpServer server([](size_t) { return 200; });
  auto sink = RequireCreate(FastOptions(server.url("/h")));
  for (int i = 0; i < 5; ++i) REQUIRE(sink->Publish(Webhook("a" + std::to_string(i))).ok());
  sink->Shutdown();
  CHECK(sink->stats().delivered == 5);
  CHECK(sink->stats().abandoned == 0);
  CHECK(server.requests().size() == 5);
  // Once shut down, nothing more is accepted.
  REQUIRE(sink->Publish(Webhook("late")).ok());
  CHECK(sink->stats().dropped == 1);
  sink->Shutdown();  // idempotent
}

TEST_CASE("Shutdown abandons what its deadline does not allow", "[webhook]") {
  testing::TestHttpServer server([](size_t) { return 0; });
  WebhookSinkOptions o = FastOptions(server.url("/h"));
  o.request_timeout = 60s;
  o.shutdown_deadline = 100ms;
  auto sink = RequireCreate(o);
  REQUIRE(sink->Publish(Webhook("a0")).ok());
  REQUIRE(server.WaitForRequests(1));
  REQUIRE(sink->Publish(Webhook("a1")).ok());
  sink->Shutdown();
  const WebhookStats s = sink->stats();
  CHECK(s.abandoned == 2);  // a0 in flight, a1 queued
  CHECK(s.delivered == 0);
  CHECK(sink->WaitUntilIdle(1s));
}

TEST_CASE("Create checks the endpoint URLs", "[webhook]") {
  const auto reason = [](const std::string& url) {
    WebhookSinkOptions o;
    o.endpoints = {{"crm", url}};
    auto created = WebhookSink::Create(o);
    return created.ok() ? std::string("ok") : created.status().message();
  };
  CHECK(reason("http://127.0.0.1:8080/patron") == "ok");
  CHECK(reason("http://crm.local") == "ok");
  CHECK(reason("http://[::1]:9000/x?y=1") == "ok");
  CHECK(reason("https://crm.example.com/hook") ==
        "webhook endpoint 'crm' URL 'https://crm.example.com/hook': https is not supported (only http://)");
  CHECK(reason("ftp://x") == "webhook endpoint 'crm' URL 'ftp://x': not an http:// URL");
  CHECK(reason("http:///path") == "webhook endpoint 'crm' URL 'http:///path': no host");
  CHECK(reason("http://host:99999/") == "webhook endpoint 'crm' URL 'http://host:99999/': bad port");
  CHECK(reason("http://host:x/") == "webhook endpoint 'crm' URL 'http://host:x/': bad port");
  CHECK(reason("http://u:p@host/") ==
        "webhook endpoint 'crm' URL 'http://u:p@host/': user info in URLs is not supported");
}

}  // namespace patron
