// transport/nats_connection: the RAII wrapper over libnats, against a real
// nats-server on a free port.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/support/message_collector.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "transport/nats_connection.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;

using testing::RequireConnect;
using testing::RequireStarted;

}  // namespace

TEST_CASE("connecting to no server fails with a reason", "[nats]") {
  testing::NatsServer server;
  RequireStarted(server);
  const std::string url = server.url();
  server.Stop();  // the port is now free and nobody listens
  NatsConnectionOptions options;
  options.connect_timeout = 500ms;
  auto connected = NatsConnection::Connect(url, "test", options);
  REQUIRE_FALSE(connected.ok());
  CHECK(connected.status().code() == StatusCode::kUnavailable);
  CHECK(connected.status().message().find("connect to " + url) != std::string::npos);
}

TEST_CASE("publish, subscribe with wildcards, flush", "[nats]") {
  testing::NatsServer server;
  RequireStarted(server);
  NatsConnection pub = RequireConnect(server.url());
  NatsConnection sub_conn = RequireConnect(server.url());
  CHECK(pub.IsConnected());
  CHECK_FALSE(pub.IsClosed());

  testing::MessageCollector all;
  testing::MessageCollector one_level;
  auto sub_all = sub_conn.Subscribe("t.>", all.Handler());
  REQUIRE(sub_all.ok());
  auto sub_one = sub_conn.Subscribe("t.*.x", one_level.Handler());
  REQUIRE(sub_one.ok());
  REQUIRE(sub_conn.Flush(5s).ok());  // the server has both subscriptions

  REQUIRE(pub.Publish("t.a.x", "1").ok());
  REQUIRE(pub.Publish("t.b.y", std::string_view("\0bin", 4)).ok());
  REQUIRE(pub.Publish("t.c.x.d", "").ok());
  REQUIRE(pub.Publish("t.d.x", "4").ok());
  REQUIRE(pub.Flush(5s).ok());

  REQUIRE(all.WaitForCount(4));
  auto got = all.messages();
  REQUIRE(got.size() == 4);  // one publisher: order is kept
  CHECK(got[0].subject == "t.a.x");
  CHECK(got[0].data == "1");
  CHECK(got[1].subject == "t.b.y");
  CHECK(got[1].data == std::string("\0bin", 4));
  CHECK(got[2].subject == "t.c.x.d");
  CHECK(got[2].data.empty());
  CHECK(got[3].data == "4");

  // t.d.x was published last, so its arrival means t.*.x has seen everything.
  REQUIRE(one_level.WaitUntil([](const auto& m) { return !m.empty() && m.back().subject == "t.d.x"; }));
  auto got_one = one_level.messages();
  REQUIRE(got_one.size() == 2);
  CHECK(got_one[0].subject == "t.a.x");
  CHECK(got_one[1].subject == "t.d.x");
  CHECK(sub_all->dropped() == 0);
}

TEST_CASE("invalid subjects are rejected", "[nats]") {
  testing::NatsServer server;
  RequireStarted(server);
  NatsConnection conn = RequireConnect(server.url());
  CHECK(conn.Publish("", "x").code() == StatusCode::kInvalidArgument);
  testing::MessageCollector c;
  auto sub = conn.Subscribe("a..b", c.Handler());
  CHECK(sub.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a slow consumer drops beyond its pending limit and is counted", "[nats]") {
  testing::NatsServer server;
  RequireStarted(server);
  NatsConnection pub = RequireConnect(server.url());
  NatsConnectionOptions options;
  options.pending_messages_limit = 10;
  NatsConnection sub_conn = RequireConnect(server.url(), options);

  // The handler blocks on the first message until the test lets it go.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  int handled = 0;
  auto sub = sub_conn.Subscribe("slow", [&](std::string_view, std::string_view) {
    std::unique_lock<std::mutex> lock(mu);
    ++handled;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  });
  REQUIRE(sub.ok());
  REQUIRE(sub_conn.Flush(5s).ok());

  constexpr int kTotal = 100;
  for (int i = 0; i < kTotal; ++i) REQUIRE(pub.Publish("slow", std::to_string(i)).ok());
  REQUIRE(pub.Flush(5s).ok());
  // The PONG comes after every message the server sent this connection, so
  // all of them have been queued or dropped by now.
  REQUIRE(sub_conn.Flush(5s).ok());

  const int64_t dropped = sub->dropped();
  CHECK(dropped > 0);
  CHECK(dropped < kTotal);
  {
    std::unique_lock<std::mutex> lock(mu);
    release = true;
    cv.notify_all();
    REQUIRE(cv.wait_for(lock, 10s, [&] { return handled + dropped == kTotal; }));
  }
  // The slow-consumer report travels through libnats' callback thread.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (sub_conn.counters().slow_consumer_events.load() == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  CHECK(sub_conn.counters().slow_consumer_events.load() >= 1);
  // libnats forgets the count once the subscription is closed; it is kept.
  sub->Unsubscribe();
  CHECK(sub->dropped() == dropped);
}

TEST_CASE("drain delivers what was received, then closes", "[nats]") {
  testing::NatsServer server;
  RequireStarted(server);
  NatsConnection pub = RequireConnect(server.url());
  NatsConnection sub_conn = RequireConnect(server.url());
  testing::MessageCollector c;
  auto sub = sub_conn.Subscribe("d", c.Handler());
  REQUIRE(sub.ok());
  REQUIRE(sub_conn.Flush(5s).ok());
  for (int i = 0; i < 50; ++i) REQUIRE(pub.Publish("d", std::to_string(i)).ok());
  REQUIRE(pub.Flush(5s).ok());
  REQUIRE(sub_conn.Flush(5s).ok());

  REQUIRE(sub_conn.Drain(5s).ok());
  CHECK(sub_conn.IsClosed());
  CHECK(c.messages().size() == 50);
  CHECK(sub_conn.Publish("d", "late").code() == StatusCode::kUnavailable);
  CHECK(sub_conn.Flush(1s).code() == StatusCode::kUnavailable);
}

TEST_CASE("a subscription drains on its own", "[nats]") {
  testing::NatsServer server;
  RequireStarted(server);
  NatsConnection conn = RequireConnect(server.url());
  testing::MessageCollector c;
  auto sub = conn.Subscribe("s", c.Handler());
  REQUIRE(sub.ok());
  REQUIRE(conn.Flush(5s).ok());
  for (int i = 0; i < 20; ++i) REQUIRE(conn.Publish("s", "x").ok());
  REQUIRE(conn.Flush(5s).ok());
  REQUIRE(sub->Drain(5s).ok());
  CHECK(c.messages().size() == 20);
  REQUIRE(conn.Publish("s", "after").ok());
  REQUIRE(conn.Flush(5s).ok());
  CHECK(c.messages().size() == 20);
}

TEST_CASE("handles are released in any order", "[nats]") {
  testing::NatsServer server;
  RequireStarted(server);
  testing::MessageCollector c;
  std::optional<NatsSubscription> sub;
  {
    NatsConnection conn = RequireConnect(server.url());
    auto s = conn.Subscribe("x", c.Handler());
    REQUIRE(s.ok());
    sub.emplace(std::move(s).value());
    NatsConnection moved = std::move(conn);  // the moved-from object is inert
    CHECK(conn.IsClosed());
    CHECK(conn.Publish("x", "y").code() == StatusCode::kUnavailable);
    REQUIRE(moved.Publish("x", "y").ok());
    REQUIRE(moved.Flush(5s).ok());
    REQUIRE(c.WaitForCount(1));
  }             // the connection closes first
  sub.reset();  // must neither hang nor touch freed memory
  CHECK(c.messages().size() == 1);
}

TEST_CASE("a handler that throws is counted, delivery goes on", "[nats]") {
  testing::NatsServer server;
  RequireStarted(server);
  NatsConnection conn = RequireConnect(server.url());
  testing::MessageCollector c;
  auto collect = c.Handler();
  auto sub = conn.Subscribe("h", [&](std::string_view subject, std::string_view data) {
    if (data == "bad") throw std::runtime_error("boom");
    collect(subject, data);
  });
  REQUIRE(sub.ok());
  REQUIRE(conn.Flush(5s).ok());
  REQUIRE(conn.Publish("h", "bad").ok());
  REQUIRE(conn.Publish("h", "good").ok());
  REQUIRE(conn.Flush(5s).ok());
  REQUIRE(c.WaitForCount(1));
  CHECK(c.messages()[0].data == "good");
  CHECK(conn.counters().handler_exceptions.load() == 1);
}

}  // namespace patron
