#pragma once
// Where time comes from: the one clock abstraction of the engine. Nothing in
// engine/ reads the system clock. The engine asks the clock for the time
// before every event and fires the timers due by then (language.md "Order of
// work for an event"):
// - EventTimeClock (`patron replay`, most tests): driven by event time; it
//   follows the latest event time seen and only moves forward; Set() moves
//   it on by hand (`--until`).
// - ManualClock (tests): moves only when told to; events do not move it.
// - The wall clock of `patron run` lives in cli/ (SystemClock); event times
//   still drive windows and deadlines there.
// Every method is called on the engine's thread only.

#include <algorithm>

#include "base/time.hpp"

namespace patron {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time.
  virtual TimePoint Now() const = 0;
  // The engine accepted an event with this time (before processing it).
  virtual void EventSeen(TimePoint /*event_time*/) {}
};

// Event time: Now() is the latest of the event times seen and the times set.
// Before the first event it is `start`.
class EventTimeClock final : public Clock {
 public:
  explicit EventTimeClock(TimePoint start = INT64_MIN) : now_(start) {}
  TimePoint Now() const override { return now_; }
  void EventSeen(TimePoint event_time) override { now_ = std::max(now_, event_time); }
  // Moves the clock to `t` if that is later (never back).
  void Set(TimePoint t) { now_ = std::max(now_, t); }

 private:
  TimePoint now_;
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
