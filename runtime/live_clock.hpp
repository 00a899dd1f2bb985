#pragma once
// The clock of `patron run` (engine/clock.hpp): the wall clock held back by
// a grace for late events, and never behind the latest event time seen.
//
//   Now() = max(wall - grace, latest event time seen)
//
// So a time-driven timer (absence deadline, `not followed by ... within`,
// `wait`, date and schedule rules) fires once the wall clock has passed its
// due time plus the grace (the run loop arms its Asio timer at
// FireAt(due)), or as soon as an event later than the due time arrives,
// exactly as `patron replay` fires it in event time. An event whose time is
// before a deadline and that arrives within the grace therefore counts as
// in replay; one that arrives later is processed at its own time for
// windows and aggregates, cannot undo what fired, and is counted as late
// (EngineStats::late_events). With events in time order and none later
// than the grace, `run` and `replay` fire the same timers in the same order
// and give the same action ids (tests/runtime/live_clock_test.cpp,
// tests/integration/late_events_test.cpp). Engine thread only.

#include <algorithm>
#include <chrono>
#include <functional>

#include "base/time.hpp"
#include "engine/clock.hpp"
#include "runtime/system_clock.hpp"

namespace patron::runtime {

class LiveClock final : public Clock {
 public:
  // `grace` >= 0 (negative counts as 0); `wall` is the wall clock (tests
  // drive one by hand).
  explicit LiveClock(Duration grace, std::function<TimePoint()> wall = [] { return SystemClock().Now(); })
      : grace_(std::max<Duration>(grace, 0)), wall_(std::move(wall)) {}

  TimePoint Now() const override { return std::max(wall_() - grace_, latest_); }
  void EventSeen(TimePoint event_time) override { latest_ = std::max(latest_, event_time); }

  // The wall-clock time at which a timer due at `due` fires by the clock.
  TimePoint FireAt(TimePoint due) const { return due > kNoLater - grace_ ? kNoLater : due + grace_; }
  Duration grace() const { return grace_; }

 private:
  static constexpr TimePoint kNoLater = INT64_MAX;
  Duration grace_;
  std::function<TimePoint()> wall_;
  TimePoint latest_ = INT64_MIN;
};

}  // namespace patron::runtime
