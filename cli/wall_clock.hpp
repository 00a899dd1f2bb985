#pragma once
// The system clock as an engine Clock, for `patron run`. Thread-safe.

#include <chrono>

#include "engine/clock.hpp"

namespace patron::cli {

class WallClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace patron::cli
