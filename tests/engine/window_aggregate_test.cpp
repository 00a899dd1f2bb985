// StepWindowedAggregate against hand-computed timelines: sliding windows
// (t - D, t] with their edges, exact decimal sums, count/avg/min/max with
// empty windows, calendar windows in Asia/Shanghai (local midnight is 16:00Z
// the day before; weeks start on Monday), bounded memory, late events.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/decimal.hpp"
#include "base/time.hpp"
#include "base/timezone.hpp"
#include "engine/window_aggregate.hpp"

namespace patron {
namespace {

// Literals of the tests; a typo throws std::bad_optional_access.
TimePoint T(const std::string& rfc3339) { return ParseRfc3339(rfc3339).value(); }
Decimal D(const std::string& text) { return Decimal::Parse(text).value(); }

// One rule's window for one customer: `agg(...) <window> <op> <threshold>`.
struct Window {
  RuleState state;
  WindowSpec spec;
  dsl::Aggregate aggregate = dsl::Aggregate::kSum;
  dsl::CompareOp op = dsl::CompareOp::kGt;
  Decimal threshold;

  EdgeVerdict Step(TimePoint t, const std::string& x = "0") {
    return StepWindowedAggregate(state, spec, aggregate, op, threshold, t, D(x));
  }
  bool Fires(TimePoint t, const std::string& x = "0") { return Step(t, x).Fires(); }
  std::vector<TimePoint> Times() const {
    std::vector<TimePoint> times;
    for (const RuleState::WindowEntry& e : state.window) times.push_back(e.time);
    return times;
  }
};

Window Sliding(Duration length, dsl::Aggregate aggregate, dsl::CompareOp op, const std::string& threshold) {
  Window w;
  w.spec.window = dsl::Window::kSliding;
  w.spec.length = length;
  w.aggregate = aggregate;
  w.op = op;
  w.threshold = D(threshold);
  return w;
}

Window Calendar(dsl::Window window, const TimeZone* zone, dsl::Aggregate aggregate, dsl::CompareOp op,
                const std::string& threshold) {
  Window w = Sliding(0, aggregate, op, threshold);
  w.spec.window = window;
  w.spec.zone = zone;
  return w;
}

const TimePoint kDay0 = T("2026-03-01T10:00:00Z");
TimePoint Day(int n) { return kDay0 + n * kMicrosPerDay; }

using dsl::Aggregate;
using dsl::CompareOp;

}  // namespace

TEST_CASE("sum over 30 days > 500 fires on the order that pushes it past 500, again only after it fell back",
          "[window]") {
  Window w = Sliding(30 * kMicrosPerDay, Aggregate::kSum, CompareOp::kGt, "500");
  CHECK_FALSE(w.Fires(Day(0), "300"));     // 0 -> 300
  CHECK(w.Fires(Day(10), "250"));          // 300 -> 550
  EdgeVerdict v = w.Step(Day(20), "100");  // 550 -> 650: already past
  CHECK(v.before);
  CHECK(v.after);
  CHECK_FALSE(v.Fires());
  // Day 31: (day 1, day 31] no longer holds day 0: 350 -> 400.
  v = w.Step(Day(31), "50");
  CHECK_FALSE(v.before);
  CHECK_FALSE(v.after);
  CHECK(w.Times() == std::vector<TimePoint>{Day(10), Day(20), Day(31)});  // day 0 dropped
  CHECK(w.Fires(Day(35), "200"));                                         // 400 -> 600: past 500 again
}

TEST_CASE("sums are exact: 166.66 + 166.67 + 166.67 is 500, not > 500", "[window]") {
  Window w = Sliding(30 * kMicrosPerDay, Aggregate::kSum, CompareOp::kGt, "500");
  CHECK_FALSE(w.Fires(Day(0), "166.66"));
  CHECK_FALSE(w.Fires(Day(1), "166.67"));
  EdgeVerdict v = w.Step(Day(2), "166.67");
  CHECK_FALSE(v.after);
  CHECK(w.Fires(Day(3), "0.01"));

  Window eq = Sliding(30 * kMicrosPerDay, Aggregate::kSum, CompareOp::kEq, "500");
  CHECK_FALSE(eq.Fires(Day(0), "166.66"));
  CHECK_FALSE(eq.Fires(Day(1), "166.67"));
  CHECK(eq.Fires(Day(2), "166.67"));
}

TEST_CASE("an entry exactly D old is outside the window (t - D is excluded)", "[window]") {
  Window w = Sliding(kMicrosPerHour, Aggregate::kCount, CompareOp::kGe, "2");
  CHECK_FALSE(w.Fires(T("2026-03-01T10:00:00Z")));
  EdgeVerdict v = w.Step(T("2026-03-01T11:00:00Z"));  // 10:00 is exactly 1 hour old: out
  CHECK_FALSE(v.before);
  CHECK_FALSE(v.after);
  CHECK(w.Times() == std::vector<TimePoint>{T("2026-03-01T11:00:00Z")});
  // One microsecond less than an hour: still in.
  CHECK(w.Fires(T("2026-03-01T11:59:59.999999Z")));
}

TEST_CASE("count over 1 hour rises and falls with the window", "[window]") {
  Window w = Sliding(kMicrosPerHour, Aggregate::kCount, CompareOp::kGe, "3");
  CHECK_FALSE(w.Fires(T("2026-03-01T10:00:00Z")));  // 0 -> 1
  CHECK_FALSE(w.Fires(T("2026-03-01T10:20:00Z")));  // 1 -> 2
  CHECK(w.Fires(T("2026-03-01T10:40:00Z")));        // 2 -> 3 in (09:40, 10:40]
  CHECK_FALSE(w.Fires(T("2026-03-01T10:50:00Z")));  // 3 -> 4: held before
  // (10:30, 11:30] holds 10:40 and 10:50: 2 -> 3, an edge again.
  CHECK(w.Fires(T("2026-03-01T11:30:00Z")));
  CHECK(w.Times() == std::vector<TimePoint>{T("2026-03-01T10:40:00Z"), T("2026-03-01T10:50:00Z"),
                                            T("2026-03-01T11:30:00Z")});
  // Count ignores the value.
  CHECK(w.state.window.back().value == Decimal());

  // Empty count is 0: `== 0` holds before the first event and not after.
  Window zero = Sliding(kMicrosPerHour, Aggregate::kCount, CompareOp::kEq, "0");
  EdgeVerdict v = zero.Step(T("2026-03-01T10:00:00Z"), "7");
  CHECK(v.before);
  CHECK_FALSE(v.after);
}

TEST_CASE("min and max over a window, empty is null and compares false", "[window]") {
  Window low = Sliding(kMicrosPerDay, Aggregate::kMin, CompareOp::kLt, "5");
  CHECK_FALSE(low.Fires(Day(0), "10"));                      // null -> 10
  CHECK(low.Fires(Day(0) + kMicrosPerHour, "3"));            // 10 -> 3
  CHECK_FALSE(low.Fires(Day(0) + 2 * kMicrosPerHour, "7"));  // 3 -> 3
  // A day after the 3: (window holds only the 7): 7 -> 7.
  EdgeVerdict v = low.Step(Day(1) + kMicrosPerHour, "8");
  CHECK_FALSE(v.before);
  CHECK_FALSE(v.after);
  CHECK(low.Fires(Day(1) + 3 * kMicrosPerHour, "4"));  // 7 -> 4

  Window high = Sliding(kMicrosPerHour, Aggregate::kMax, CompareOp::kGe, "100");
  CHECK(high.Fires(T("2026-03-01T10:00:00Z"), "100"));       // null -> 100
  CHECK_FALSE(high.Fires(T("2026-03-01T10:30:00Z"), "20"));  // 100 -> 100
  CHECK_FALSE(high.Fires(T("2026-03-01T11:00:00Z"), "99"));  // 20 -> 99 (the 100 left)
  CHECK(high.Fires(T("2026-03-01T11:10:00Z"), "120"));       // 99 -> 120

  // Null is not != 0 either: the first event is an edge.
  Window ne = Sliding(kMicrosPerHour, Aggregate::kMax, CompareOp::kNe, "0");
  v = ne.Step(T("2026-03-01T10:00:00Z"), "5");
  CHECK_FALSE(v.before);
  CHECK(v.after);
}

TEST_CASE("avg over a window divides exactly, rounding half to even", "[window]") {
  Window w = Sliding(kMicrosPerDay, Aggregate::kAvg, CompareOp::kGt, "15");
  CHECK_FALSE(w.Fires(Day(0), "10"));                   // null -> 10
  CHECK_FALSE(w.Fires(Day(0) + kMicrosPerHour, "20"));  // 10 -> 15
  CHECK(w.Fires(Day(0) + 2 * kMicrosPerHour, "16"));    // 15 -> 15.333333
  // A day after the 10: (20, 16) -> (20, 16, 1): 18 -> 12.333333.
  EdgeVerdict v = w.Step(Day(1), "1");
  CHECK(v.before);
  CHECK_FALSE(v.after);

  // 0.000001 / 2 = 0.0000005 rounds to the even 0.000000 (half up would be 0.000001).
  Window even = Sliding(kMicrosPerDay, Aggregate::kAvg, CompareOp::kEq, "0");
  CHECK_FALSE(even.Fires(Day(0), "0.000001"));
  CHECK(even.Fires(Day(0) + 1, "0"));
  // 0.000003 / 2 = 0.0000015 rounds to the even 0.000002.
  Window odd = Sliding(kMicrosPerDay, Aggregate::kAvg, CompareOp::kEq, "0.000002");
  CHECK_FALSE(odd.Fires(Day(0), "0.000001"));
  CHECK(odd.Fires(Day(0) + 1, "0.000002"));
  // 1 / 3 = 0.333333.
  Window third = Sliding(kMicrosPerDay, Aggregate::kAvg, CompareOp::kEq, "0.333333");
  CHECK_FALSE(third.Fires(Day(0), "0.5"));
  CHECK_FALSE(third.Fires(Day(0) + 1, "0.5"));
  CHECK(third.Fires(Day(0) + 2, "0"));
}

TEST_CASE("this day starts at local midnight in Asia/Shanghai (16:00Z the day before)", "[window]") {
  Result<TimeZone> zone = TimeZone::Load("Asia/Shanghai");
  REQUIRE(zone.ok());
  Window w = Calendar(dsl::Window::kDay, &*zone, Aggregate::kCount, CompareOp::kGe, "2");
  CHECK_FALSE(w.Fires(T("2026-03-01T15:59:59Z")));    // 1 March, 23:59:59 local
  EdgeVerdict v = w.Step(T("2026-03-01T16:00:00Z"));  // 2 March, 00:00 local: a new day
  CHECK_FALSE(v.before);
  CHECK_FALSE(v.after);
  CHECK(w.Times() == std::vector<TimePoint>{T("2026-03-01T16:00:00Z")});  // yesterday dropped
  CHECK(w.Fires(T("2026-03-02T15:59:59Z")));                              // still 2 March local: 1 -> 2

  // In UTC the first two are the same day.
  TimeZone utc = TimeZone::Utc();
  Window u = Calendar(dsl::Window::kDay, &utc, Aggregate::kCount, CompareOp::kGe, "2");
  CHECK_FALSE(u.Fires(T("2026-03-01T15:59:59Z")));
  CHECK(u.Fires(T("2026-03-01T16:00:00Z")));
}

TEST_CASE("this week starts on Monday at local midnight", "[window]") {
  Result<TimeZone> zone = TimeZone::Load("Asia/Shanghai");
  REQUIRE(zone.ok());
  // 2026-03-01 is a Sunday, 2026-03-02 a Monday.
  Window w = Calendar(dsl::Window::kWeek, &*zone, Aggregate::kSum, CompareOp::kGt, "100");
  CHECK_FALSE(w.Fires(T("2026-03-01T15:00:00Z"), "80"));  // Sunday 23:00 local
  CHECK_FALSE(w.Fires(T("2026-03-01T16:00:00Z"), "50"));  // Monday 00:00 local: 0 -> 50
  CHECK(w.Fires(T("2026-03-08T15:59:59Z"), "60"));        // Sunday 23:59:59 local: 50 -> 110
  CHECK(w.Fires(T("2026-03-08T16:00:00Z"), "101"));       // next Monday: 0 -> 101
  CHECK(w.Times() == std::vector<TimePoint>{T("2026-03-08T16:00:00Z")});
}

TEST_CASE("this month and this year start at local midnight of the 1st", "[window]") {
  Result<TimeZone> zone = TimeZone::Load("Asia/Shanghai");
  REQUIRE(zone.ok());
  Window month = Calendar(dsl::Window::kMonth, &*zone, Aggregate::kSum, CompareOp::kGe, "100");
  CHECK_FALSE(month.Fires(T("2026-03-01T00:00:00Z"), "40"));  // 1 March 08:00 local
  CHECK_FALSE(month.Fires(T("2026-03-31T15:59:59Z"), "40"));  // 31 March 23:59:59 local: 80
  CHECK_FALSE(month.Fires(T("2026-03-31T16:00:00Z"), "40"));  // 1 April local: 0 -> 40
  CHECK(month.Fires(T("2026-04-30T15:59:59Z"), "60"));        // 30 April local: 40 -> 100

  Window year = Calendar(dsl::Window::kYear, &*zone, Aggregate::kSum, CompareOp::kGe, "1000");
  CHECK_FALSE(year.Fires(T("2026-01-01T00:00:00Z"), "600"));
  CHECK(year.Fires(T("2026-12-31T15:59:59Z"), "500"));        // still 2026 local: 600 -> 1100
  CHECK_FALSE(year.Fires(T("2026-12-31T16:00:00Z"), "999"));  // 2027 local: 0 -> 999
  CHECK(year.Fires(T("2027-12-31T15:59:59.999999Z"), "1"));   // 999 -> 1000
  CHECK(year.Times() == std::vector<TimePoint>{T("2026-12-31T16:00:00Z"), T("2027-12-31T15:59:59.999999Z")});
}

TEST_CASE("memory stays bounded by the entries inside the window", "[window]") {
  // One event a minute for a week over a 1-hour window: at most 60 entries.
  Window w = Sliding(kMicrosPerHour, Aggregate::kSum, CompareOp::kGt, "1000000");
  size_t largest = 0;
  size_t capacity = 0;
  for (int i = 0; i < 7 * 24 * 60; ++i) {
    w.Step(Day(0) + i * kMicrosPerMinute, "1");
    largest = std::max(largest, w.state.window.size());
    if (i == 120) capacity = w.state.window.capacity();
  }
  CHECK(largest == 60);
  CHECK(w.state.window.size() == 60);
  CHECK(w.state.window.capacity() == capacity);  // no growth after warm-up

  // A calendar day with one event every 10 minutes: at most 144 entries.
  Result<TimeZone> zone = TimeZone::Load("Asia/Shanghai");
  REQUIRE(zone.ok());
  Window day = Calendar(dsl::Window::kDay, &*zone, Aggregate::kCount, CompareOp::kGt, "1000");
  largest = 0;
  for (int i = 0; i < 3 * 144; ++i) {
    day.Step(T("2026-03-01T16:00:00Z") + i * 10 * kMicrosPerMinute);
    largest = std::max(largest, day.state.window.size());
  }
  CHECK(largest == 144);
  CHECK(day.state.window.size() == 144);
}

TEST_CASE("a late event is inserted in time order and sees the window ending at its own time", "[window]") {
  Window w = Sliding(30 * kMicrosPerDay, Aggregate::kSum, CompareOp::kGt, "500");
  CHECK_FALSE(w.Fires(Day(0), "300"));
  CHECK(w.Fires(Day(20), "300"));  // 300 -> 600
  // Late: the window ending at day 5 holds day 0 but not day 20: 300 -> 550.
  EdgeVerdict v = w.Step(Day(5), "250");
  CHECK_FALSE(v.before);
  CHECK(v.after);
  CHECK(w.Times() == std::vector<TimePoint>{Day(0), Day(5), Day(20)});
  // Another late one at the same time as an entry: earlier arrivals of that
  // time are in its window (300 + 250 -> 550 + 1), and it goes after them.
  v = w.Step(Day(5), "1");
  CHECK(v.before);
  CHECK(v.after);
  CHECK(w.Times() == std::vector<TimePoint>{Day(0), Day(5), Day(5), Day(20)});
  CHECK(w.state.window[2].value == D("1"));

  // Day 40: (day 10, day 40] holds day 20 only: 300 -> 310; older ones dropped.
  v = w.Step(Day(40), "10");
  CHECK_FALSE(v.before);
  CHECK_FALSE(v.after);
  CHECK(w.Times() == std::vector<TimePoint>{Day(20), Day(40)});
  // Too late for any window at or after day 40: counted alone, not kept.
  v = w.Step(Day(9), "600");
  CHECK_FALSE(v.before);
  CHECK(v.after);
  CHECK(w.Times() == std::vector<TimePoint>{Day(20), Day(40)});
  // Late, but still inside day 40's window: (day -15, day 15] held only
  // dropped entries, so it sees itself; it is kept for later windows.
  v = w.Step(Day(15), "100");
  CHECK_FALSE(v.before);
  CHECK_FALSE(v.after);
  CHECK(w.Times() == std::vector<TimePoint>{Day(15), Day(20), Day(40)});
}

}  // namespace patron
