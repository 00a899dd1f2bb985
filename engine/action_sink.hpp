#pragma once
// Where actions and dead letters go. Implemented in actions/ (NATS, JSON
// lines, webhook, fan-out). Called on the engine's thread, only after the
// state that produced the actions is committed. Implementations must not
// block evaluation for long: slow transports (HTTP) queue and work on their
// own thread.

#include "base/result.hpp"
#include "model/action.hpp"

namespace patron {

class ActionSink {
 public:
  virtual ~ActionSink() = default;
  // Delivers one action. A failed Status means the transport is broken (the
  // caller stops); per-message trouble that is retried is not a failure.
  virtual Status Publish(const Action& action) = 0;
  virtual Status PublishDead(const DeadLetter& dead) = 0;
  // Pushes out anything buffered. Called after each batch.
  virtual Status Flush() = 0;
};

}  // namespace patron
