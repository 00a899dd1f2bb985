#pragma once
// The wall clock of `patron run` (engine/clock.hpp): time-driven timers
// (absence deadlines, waits, schedules) fire when the system clock reaches
// them. Event times still drive windows and deadlines; this clock only says
// when "now" is. Thread-safe (stateless).

#include <chrono>

#include "engine/clock.hpp"

namespace patron::runtime {

// std::chrono::system_clock in microseconds since the Unix epoch.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// `t` as a system_clock time point (for an Asio system_timer), saturated at
// the clock's range (system_clock counts nanoseconds: about 1677..2262).
inline std::chrono::system_clock::time_point ToSystemTime(TimePoint t) {
  using std::chrono::system_clock;
  constexpr TimePoint kMax = std::chrono::duration_cast<std::chrono::microseconds>(
                                 system_clock::time_point::max().time_since_epoch())
                                 .count();
  constexpr TimePoint kMin = std::chrono::duration_cast<std::chrono::microseconds>(
                                 system_clock::time_point::min().time_since_epoch())
                                 .count();
  if (t >= kMax) return system_clock::time_point::max();
  if (t <= kMin) return system_clock::time_point::min();
  return system_clock::time_point(
      std::chrono::duration_cast<system_clock::duration>(std::chrono::microseconds(t)));
}

}  // namespace patron::runtime
