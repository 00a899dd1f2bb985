#pragma once
// Test helper: gathers what a NATS subscription or intake delivers (on
// libnats' thread) and lets the test wait, with a bound, until a condition
// holds.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "model/delivery.hpp"
#include "transport/nats_connection.hpp"
#include "transport/nats_intake.hpp"

namespace patron::testing {

struct ReceivedMessage {
  std::string subject;
  std::string data;
  DeliveryToken token;  // kNone from a plain subscription
  std::string refused;  // InboundMessage::refused (JetStream intake)
};

class MessageCollector {
 public:
  // The handler to pass to NatsConnection::Subscribe; `this` must outlive it.
  NatsMessageHandler Handler() {
    return [this](std::string_view subject, std::string_view data) {
      Add({std::string(subject), std::string(data), {}, {}});
    };
  }
  // The handler to pass to NatsIntake::Start; `this` must outlive it.
  NatsIntakeHandler IntakeHandler() {
    return [this](InboundMessage m) {
      Add({std::move(m.subject), std::move(m.payload), m.token, std::move(m.refused)});
    };
  }
  // Waits until `done(messages)` holds; false after `timeout`.
  bool WaitUntil(const std::function<bool(const std::vector<ReceivedMessage>&)>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done(messages_); });
  }
  bool WaitForCount(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return WaitUntil([n](const auto& m) { return m.size() >= n; }, timeout);
  }
  std::vector<ReceivedMessage> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

 private:
  void Add(ReceivedMessage m) {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.push_back(std::move(m));
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedMessage> messages_;
};

}  // namespace patron::testing
