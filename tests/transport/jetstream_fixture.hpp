#pragma once
// Shared by the JetStream tests: a real nats-server with JetStream on disk
// (`-js -sd <tmp>`), a publishing connection, one for the code under test,
// the streams and consumer ensured with test settings, and a handler that
// collects what an intake delivers.

#include <catch2/catch.hpp>

#include <nats/nats.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "tests/support/message_collector.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "transport/internal/connection_access.hpp"
#include "transport/jetstream_intake.hpp"
#include "transport/jetstream_streams.hpp"

namespace patron::testing {

using namespace std::chrono_literals;

// Polls `done` every 10 ms until it holds; false after `timeout`.
inline bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

struct JetStreamFixture {
  explicit JetStreamFixture(NatsServerOptions options = {}) : server([&] {
    options.jetstream = true;
    return options;
  }()) {
    RequireStarted(server);
    pub.emplace(RequireConnect(server.url()));
    conn.emplace(RequireConnect(server.url()));
  }

  // A server with the events stream and the consumer for `mode`.
  explicit JetStreamFixture(IntakeMode mode) : JetStreamFixture() { Ensure(mode); }

  // The events stream and the consumer for `mode`, created (REQUIREd).
  void Ensure(IntakeMode mode) {
    stream = EventsStreamSettings("patron");
    consumer = EventsConsumerSettings("patron");
    consumer.mode = mode;
    consumer.ack_wait = ack_wait;
    consumer.max_deliver = max_deliver;
    consumer.heartbeat = 1s;
    auto s = EnsureStream(*conn, stream);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    auto c = EnsureConsumer(*conn, consumer);
    INFO(c.status().ToString());
    REQUIRE(c.ok());
  }

  // Publishes "0".."n-1" (plus `first`) to patron.events.order.completed and
  // waits until the stream holds them.
  void Publish(int first, int n) {
    for (int i = first; i < first + n; ++i) REQUIRE(pub->Publish("patron.events.order.completed", std::to_string(i)).ok());
    REQUIRE(pub->Flush(5s).ok());
  }
  uint64_t StreamMessages() {
    auto s = EnsureStream(*pub, stream);
    return s.ok() ? s->messages : 0;
  }
  // The consumer's state, or nullopt when the server does not answer.
  std::optional<ConsumerReport> ConsumerState() {
    auto c = EnsureConsumer(*pub, consumer);
    if (!c.ok()) return std::nullopt;
    return std::move(c).value();
  }
  // True once the server has nothing more for the consumer.
  bool ConsumerDone() {
    auto c = ConsumerState();
    return c && c->pending == 0 && c->ack_pending == 0;
  }

  std::unique_ptr<JetStreamIntake> StartIntake(JetStreamIntakeHandler handler,
                                               std::chrono::milliseconds watchdog_idle = 10s) {
    JetStreamIntakeOptions options;
    options.consumer = consumer;
    options.stream = stream;
    options.fetch_timeout = 50ms;
    options.watchdog_idle = watchdog_idle;
    options.logger = log.logger;
    auto started = JetStreamIntake::Start(*conn, options, std::move(handler));
    INFO(started.status().ToString());
    REQUIRE(started.ok());
    return std::move(started).value();
  }

  NatsServer server;
  std::optional<NatsConnection> pub;
  std::optional<NatsConnection> conn;
  StreamSettings stream;
  ConsumerSettings consumer;
  std::chrono::milliseconds ack_wait{30s};
  int64_t max_deliver = 10;
  CapturedLog log;
};

// The distinct payloads of `got`.
inline std::set<std::string> Distinct(const std::vector<ReceivedMessage>& got) {
  std::set<std::string> out;
  for (const auto& m : got) out.insert(m.data);
  return out;
}

}  // namespace patron::testing
