#pragma once
// The hand-over from NATS delivery threads to the engine's thread in
// `patron run` (STYLE.md §8): callbacks only Push(); the engine thread takes
// batches. Bounded, so a slow engine slows intake instead of growing memory.
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

namespace patron::cli {

using patron::InboundMessage;  // model/delivery.hpp

class MessageQueue {
 public:
  using Clock = std::chrono::steady_clock;

  // `capacity` >= 1 messages.
  explicit MessageQueue(size_t capacity);

  // Adds a message, blocking while the queue is full. Returns false (and
  // drops the message) once the queue is closed.
  bool Push(InboundMessage message);

  // Moves up to `max` messages into `out` (appending). Waits for the first
  // one until `deadline` (forever when nullopt) or until the queue is
  // closed. Returns false when the queue is closed and empty: no message
  // will come any more.
  bool PopBatch(std::vector<InboundMessage>& out, size_t max, std::optional<Clock::time_point> deadline);

  // No more Push() succeeds; messages already queued can still be popped.
  // Wakes every waiting thread. Idempotent.
  void Close();

  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<InboundMessage> messages_;
  bool closed_ = false;
};

}  // namespace patron::cli
