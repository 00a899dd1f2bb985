#pragma once
// Catch2 helpers for tests against a real nats-server: start it, connect to
// it, or fail the test case with the reason.

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "tests/support/nats_server.hpp"
#include "transport/nats_connection.hpp"

namespace patron::testing {

// Starts `server`, or fails the test with the server's log tail.
inline void RequireStarted(NatsServer& server) {
  auto started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
}

// Connects to `url` as "test", or fails the test with libnats' reason.
inline NatsConnection RequireConnect(const std::string& url, NatsConnectionOptions options = {}) {
  auto connected = NatsConnection::Connect(url, "test", std::move(options));
  INFO(connected.status().ToString());
  REQUIRE(connected.ok());
  return std::move(connected).value();
}

// Polls `done` until it holds (true) or `timeout` passed (false).
inline bool WaitUntilTrue(const std::function<bool()>& done,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace patron::testing
