// runtime/live_clock.hpp: the clock of `patron run`, the wall clock held
// back by the grace for late events and never behind the events seen.

#include <catch2/catch.hpp>

#include "runtime/live_clock.hpp"

using namespace patron;
using patron::runtime::LiveClock;

TEST_CASE("live clock: the wall clock minus the grace, never behind an event") {
  TimePoint wall = 1'000 * kMicrosPerSecond;
  LiveClock clock(5 * kMicrosPerSecond, [&] { return wall; });
  CHECK(clock.Now() == 995 * kMicrosPerSecond);
  // A timer due at 997 s waits for the wall clock to reach 1002 s ...
  CHECK(clock.FireAt(997 * kMicrosPerSecond) == 1'002 * kMicrosPerSecond);
  // ... unless an event later than it arrives first, as in replay.
  clock.EventSeen(998 * kMicrosPerSecond);
  CHECK(clock.Now() == 998 * kMicrosPerSecond);
  // An older event does not move it back.
  clock.EventSeen(900 * kMicrosPerSecond);
  CHECK(clock.Now() == 998 * kMicrosPerSecond);
  wall += 10 * kMicrosPerSecond;
  CHECK(clock.Now() == 1'005 * kMicrosPerSecond);
}

TEST_CASE("live clock: zero grace is the wall clock and a negative one counts as zero") {
  TimePoint wall = 42;
  LiveClock zero(0, [&] { return wall; });
  CHECK(zero.Now() == 42);
  CHECK(zero.FireAt(50) == 50);
  LiveClock negative(-7, [&] { return wall; });
  CHECK(negative.grace() == 0);
  LiveClock large(kMicrosPerDay, [&] { return wall; });
  CHECK(large.FireAt(INT64_MAX - 5) == INT64_MAX);
}
