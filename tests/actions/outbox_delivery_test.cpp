// actions/outbox_delivery.hpp against a real nats-server with JetStream and
// a real HTTP server: NATS rows stored by the actions stream (a publish
// again with the same id is dropped by it) and reported delivered; webhook
// rows POSTed with their Idempotency-Key, several at once, retried, and
// given up with the HTTP status after the last attempt; what was not
// finished at Shutdown() is reported as such.

#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "actions/outbox_delivery.hpp"
#include "actions/outbox_row.hpp"
#include "tests/support/http_test_server.hpp"
#include "tests/support/message_collector.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "transport/jetstream_streams.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;

OutboxRow Row(uint64_t seq, OutboxTarget target, const std::string& id, const std::string& address,
              const std::string& payload) {
  OutboxRow row;
  row.seq = seq;
  EncodeOutboxRow(OutboxMessage{target, id, address, payload}, row.bytes);
  return row;
}

// Waits until `n` completions came, collecting them.
std::vector<OutboxCompletion> WaitFor(OutboxDelivery& d, size_t n, std::chrono::milliseconds timeout = 20s) {
  std::vector<OutboxCompletion> all, some;
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (all.size() < n && std::chrono::steady_clock::now() < until) {
    d.TakeCompleted(some);
    for (auto& c : some) all.push_back(std::move(c));
    std::this_thread::sleep_for(5ms);
  }
  return all;
}

TEST_CASE("outbox delivery: NATS rows are stored by the stream once, and reported delivered", "[outbox][nats]") {
  testing::NatsServerOptions so;
  so.jetstream = true;
  testing::NatsServer server(so);
  testing::RequireStarted(server);
  NatsConnection conn = testing::RequireConnect(server.url());
  auto stream = EnsureStream(conn, ActionsStreamSettings("patron"));
  INFO(stream.status().ToString());
  REQUIRE(stream.ok());
  testing::MessageCollector seen;
  NatsConnection watcher = testing::RequireConnect(server.url());
  auto sub = watcher.Subscribe("patron.>", seen.Handler());
  REQUIRE(sub.ok());
  REQUIRE(watcher.Flush(5s).ok());

  OutboxDeliveryOptions o;
  auto delivery = OutboxDelivery::Start(conn, o);
  REQUIRE(delivery.ok());
  std::vector<OutboxRow> rows;
  for (uint64_t i = 1; i <= 50; ++i)
    rows.push_back(Row(i, OutboxTarget::kNats, "a" + std::to_string(i), "patron.actions.coupon.s01", "{}"));
  rows.push_back(Row(51, OutboxTarget::kNats, "a1", "patron.actions.coupon.s01", "{}"));  // a repeat of a1
  (*delivery)->Submit(rows);
  auto done = WaitFor(**delivery, 51);
  REQUIRE(done.size() == 51);
  std::set<uint64_t> seqs;
  for (const auto& c : done) {
    CHECK(c.delivered);
    seqs.insert(c.seq);
  }
  CHECK(seqs.size() == 51);
  CHECK((*delivery)->outstanding() == 0);
  auto after = EnsureStream(conn, ActionsStreamSettings("patron"));
  REQUIRE(after.ok());
  CHECK(after->messages == 50);  // the repeat was dropped by the duplicate window
  CHECK((*delivery)->Shutdown(1s).ok());
}

TEST_CASE("outbox delivery: webhooks go several at once with their key, and are given up after the last attempt",
          "[outbox][webhook]") {
  testing::NatsServerOptions so;
  so.jetstream = true;
  testing::NatsServer server(so);
  testing::RequireStarted(server);
  NatsConnection conn = testing::RequireConnect(server.url());
  testing::TestHttpServer failing([](size_t) { return 500; });
  testing::TestHttpServer hanging([](size_t) { return 0; });  // never answers
  testing::TestHttpServer healthy([](size_t) { return 200; });

  OutboxDeliveryOptions o;
  o.webhooks = {{"failing", failing.url("/f")}, {"hanging", hanging.url("/h")}, {"healthy", healthy.url("/ok")}};
  o.webhook_max_attempts = 3;
  o.webhook_initial_backoff = 10ms;
  o.webhook_timeout = 60s;  // the hanging ones hold their requests open
  o.webhook_concurrency = 4;
  auto delivery = OutboxDelivery::Start(conn, o);
  REQUIRE(delivery.ok());
  std::vector<OutboxRow> rows;
  for (uint64_t i = 1; i <= 6; ++i) rows.push_back(Row(i, OutboxTarget::kWebhook, "h" + std::to_string(i), "hanging", "{}"));
  rows.push_back(Row(7, OutboxTarget::kWebhook, "f1", "failing", R"({"x":1})"));
  for (uint64_t i = 8; i <= 12; ++i) rows.push_back(Row(i, OutboxTarget::kWebhook, "ok" + std::to_string(i), "healthy", "{}"));
  rows.push_back(Row(13, OutboxTarget::kWebhook, "u1", "unknown", "{}"));
  (*delivery)->Submit(rows);

  // The healthy endpoint gets all of its actions, and the failing one is
  // given up, while the hanging one holds 4 requests open at once.
  auto done = WaitFor(**delivery, 7);
  REQUIRE(done.size() == 7);
  size_t delivered = 0;
  for (const auto& c : done) {
    if (c.delivered) {
      ++delivered;
      continue;
    }
    if (c.seq == 7) {
      CHECK(c.reason == "webhook 'failing' failed after 3 attempts: HTTP 500");
      CHECK(c.address == "failing");
      CHECK(c.payload == R"({"x":1})");
    } else {
      CHECK(c.seq == 13);
      CHECK(c.reason.find("'unknown' is not configured") != std::string::npos);
    }
  }
  CHECK(delivered == 5);
  REQUIRE(failing.WaitForRequests(3));
  for (const auto& r : failing.requests()) CHECK(r.idempotency_key == "f1");  // the same key on every attempt
  std::set<std::string> keys;
  for (const auto& r : healthy.requests()) keys.insert(r.idempotency_key);
  CHECK(keys == std::set<std::string>{"ok8", "ok9", "ok10", "ok11", "ok12"});
  REQUIRE(hanging.WaitForRequests(4));
  // Shutdown leaves the hanging ones unfinished (they stay in LMDB).
  Status shut = (*delivery)->Shutdown(100ms);
  CHECK(shut.code() == StatusCode::kUnavailable);
  CHECK(shut.message().find("6 outbox rows not delivered yet") == 0);
  // Bounded: 4 at once; none of them ever finished, so no fifth one started.
  CHECK(hanging.requests().size() == 4);
}

}  // namespace
}  // namespace patron
