#pragma once
// Windowed aggregates (`over D`, `this day|week|month|year`) and their edge
// (language.md "Triggers"): on each aggregated event e at time t, the
// aggregate just before e (without it, over the window ending at t) and just
// after (with it) are compared with the threshold; the rule fires iff the
// comparison holds after and not before.
//
// Windows: `over D` is (t - D, t], exact to the microsecond; a calendar
// window is [start of t's local day|week (Monday)|month|year, t]
// (base/timezone.hpp). State lives in RuleState::window, entries in time
// order; entries that can no longer be inside the window of any event at or
// after the latest time seen are dropped, so memory stays bounded by the
// events inside the window. An event older than entries already kept (out
// of order) is inserted in time order and sees the window ending at its own
// time, as far as the kept entries reach.
// Empty windows: count and sum are 0, avg/min/max null (comparisons false).
// Pure functions, no I/O.

#include <optional>

#include "base/decimal.hpp"
#include "base/time.hpp"
#include "base/timezone.hpp"
#include "dsl/ast.hpp"
#include "model/customer_record.hpp"

namespace patron {

struct WindowSpec {
  dsl::Window window = dsl::Window::kSliding;  // never kLifetime here
  Duration length = 0;                          // kSliding
  const TimeZone* zone = nullptr;               // calendar windows
};

struct EdgeVerdict {
  bool before = false;  // the comparison held just before the event
  bool after = false;   // and just after it
  bool Fires() const { return after && !before; }
};

// Adds the aggregated event (time `t`, value `x`; ignored for count) to
// `state.window`, drops expired entries, and returns the comparison of
// `aggregate` with `threshold` before and after it.
EdgeVerdict StepWindowedAggregate(RuleState& state, const WindowSpec& spec, dsl::Aggregate aggregate,
                                  dsl::CompareOp compare, const Decimal& threshold, TimePoint t, const Decimal& x);

// The value of `aggregate` over values whose count, sum, min and max are
// given: count and sum as they are, avg the sum over the count (nullopt
// for none), min and max as given (nullopt for none).
std::optional<Decimal> AggregateValue(dsl::Aggregate aggregate, int64_t count, const Decimal& sum,
                                      const std::optional<Decimal>& min, const std::optional<Decimal>& max);

// Measures (engine/measures.hpp): adds the entry (t, x) to `state.window`
// (in time order, after entries of the same time) and drops expired ones,
// as StepWindowedAggregate does, without a comparison.
void AddWindowEntry(RuleState& state, const WindowSpec& spec, TimePoint t, const Decimal& x);
// The aggregate over the entries of `state.window` inside the window ending
// at `t`: count and sum 0 when it is empty, avg, min and max nullopt.
std::optional<Decimal> WindowAggregateAt(const RuleState& state, const WindowSpec& spec, dsl::Aggregate aggregate,
                                         TimePoint t);

}  // namespace patron
