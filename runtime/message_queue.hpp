#pragma once
// The hand-over from NATS delivery threads to the engine's thread in
// `patron run` (STYLE.md §8): callbacks only Push(); the engine thread takes
// batches, as the loop's MessageSource or with PopBatch (which waits).
// Bounded, so a slow engine slows intake instead of growing memory.
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/delivery.hpp"
#include "runtime/message_source.hpp"

namespace patron::runtime {


class MessageQueue final : public MessageSource {
 public:
  using Clock = std::chrono::steady_clock;

  // `capacity` >= 1 messages.
  explicit MessageQueue(size_t capacity);

  // Adds a message, blocking while the queue is full, and calls the wakeup.
  // Returns false (and drops the message) once the queue is closed.
  bool Push(InboundMessage message);

  // Moves up to `max` messages into `out` (appending). Waits for the first
  // one until `deadline` (forever when nullopt) or until the queue is
  // closed. Returns false when the queue is closed and empty: no message
  // will come any more.
  bool PopBatch(std::vector<InboundMessage>& out, size_t max, std::optional<Clock::time_point> deadline);

  // No more Push() succeeds; messages already queued can still be taken.
  // Wakes every waiting thread and calls the wakeup. Idempotent.
  void Close() override;

  // MessageSource: the wakeup is called after each Push() and at Close(),
  // from the pushing (closing) thread. Any thread; replacing or clearing it
  // waits for a call in progress.
  void SetWakeup(std::function<void()> wake) override;
  size_t queued() const override { return size(); }
  // kReady while messages remain queued, kIdle when it is empty and open,
  // kEnded once it is closed and empty. Never fails.
  Result<Poll> Take(std::vector<InboundMessage>& out, size_t max, size_t& n) override;

  size_t size() const;

  // Where Acknowledge() goes (a JetStream intake's); unset: nowhere. Set it
  // before the loop runs.
  void SetAcknowledger(std::function<void(std::span<const DeliveryToken>)> ack) { ack_ = std::move(ack); }
  void Acknowledge(std::span<const DeliveryToken> tokens) override {
    if (ack_) ack_(tokens);
  }

 private:
  void Wake();

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<InboundMessage> messages_;
  bool closed_ = false;
  // The wakeup, called under its own lock so that SetWakeup({}) waits for a
  // call in progress (the loop clears it before it goes away).
  std::mutex wake_mutex_;
  std::function<void()> wake_;
  std::function<void(std::span<const DeliveryToken>)> ack_;
};

}  // namespace patron::runtime
