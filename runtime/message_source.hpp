#pragma once
// Where the accept/commit loop (runtime/batch_loop.hpp) takes its messages
// from: a file of events (replay), or a queue filled by a live intake's
// delivery thread (run). Each message carries its DeliveryToken, so its
// line number (and later its acknowledgement) travels with it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "model/delivery.hpp"

namespace patron::runtime {

class MessageSource {
 public:
  enum class Poll : uint8_t {
    kReady,  // more messages may be ready at once: take again
    kIdle,   // nothing more now; the source calls the wakeup when there is
    kEnded,  // no message will come any more
  };

  virtual ~MessageSource() = default;

  // What the source calls, from any thread, when messages may have become
  // ready after a Take() that returned kIdle, or when it ended. The loop sets
  // it before its first Take() and clears it (an empty function) before it
  // returns; once cleared, the source must not call the old one again, and
  // clearing waits for a call in progress. Any thread.
  virtual void SetWakeup(std::function<void()> wake) = 0;

  // Puts up to `max` messages that are ready now into out[0..n) and sets
  // `n`; never waits. `out` is resized as needed and its elements reused,
  // so their strings keep their capacity from batch to batch (no allocation
  // per message once warm). A failed Status when the source cannot be read
  // (the loop stops with it). Called on the loop's thread only.
  virtual Result<Poll> Take(std::vector<InboundMessage>& out, size_t max, size_t& n) = 0;

  // The loop takes no more (it stopped or failed): producers blocked on a
  // full source return, later pushes are refused, Take() soon ends. Any
  // thread; idempotent.
  virtual void Close() = 0;

  // Messages waiting to be taken, for the loop's log lines (0 when the
  // source cannot tell).
  virtual size_t queued() const { return 0; }

  // The loop committed the effects of the messages with these tokens (taken
  // from this source, in order; duplicates and dead letters included): a
  // durable source acknowledges them now. Called on the loop's thread after
  // each commit, never before. The default does nothing (files, core NATS).
  virtual void Acknowledge(std::span<const DeliveryToken> /*tokens*/) {}
};

}  // namespace patron::runtime
