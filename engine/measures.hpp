#pragma once
// Measures (language.md "Measures: named aggregates per customer"): the
// value of `customer.<measure>` and the update by an event of its type.
// A measure's state is a RuleState in the customer record keyed by
// CompiledMeasure::key (a hash of its name and definition, so a changed
// definition starts afresh): count, sum, min and max for the whole history,
// or the entries still inside the window (engine/window_aggregate.hpp),
// which merges add like the aggregate trigger's. Pure functions, no I/O.

#include <optional>

#include "base/decimal.hpp"
#include "base/time.hpp"
#include "base/timezone.hpp"
#include "engine/graph.hpp"
#include "model/customer_record.hpp"

namespace patron {

// Adds one aggregated event (time `t`, value `x`; 0 for count) to a measure's state.
void AddToMeasure(RuleState& state, const CompiledMeasure& measure, const TimeZone& zone, TimePoint t,
                  const Decimal& x);

// The measure's value for `customer` as of `t` (a sliding window is
// (t - D, t], a calendar one [start of t's period, t]): count and sum 0
// when nothing is in it, avg, min and max nullopt (null).
std::optional<Decimal> MeasureValue(const CompiledMeasure& measure, const CustomerRecord& customer,
                                    const TimeZone& zone, TimePoint t);

}  // namespace patron
