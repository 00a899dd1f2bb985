#pragma once
// Where time comes from. Nothing in engine/ reads the system clock: replay
// drives time from events, `patron run` from the wall clock, tests by hand.

#include "base/time.hpp"

namespace patron {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time. Called on the engine's thread only.
  virtual TimePoint Now() const = 0;
};

// A clock that only moves when told to. Not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = 0) : now_(start) {}
  TimePoint Now() const override { return now_; }
  void Set(TimePoint t) { now_ = t; }
  void Advance(Duration d) { now_ += d; }

 private:
  TimePoint now_;
};

}  // namespace patron
