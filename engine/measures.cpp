#include "engine/measures.hpp"

#include <algorithm>

#include "engine/window_aggregate.hpp"

namespace patron {
namespace {

WindowSpec SpecOf(const CompiledMeasure& m, const TimeZone& zone) {
  return WindowSpec{m.window, m.window_length, &zone};
}

}  // namespace

void AddToMeasure(RuleState& state, const CompiledMeasure& measure, const TimeZone& zone, TimePoint t,
                  const Decimal& x) {
  const Decimal value = measure.aggregate == dsl::Aggregate::kCount ? Decimal() : x;
  if (measure.window != dsl::Window::kLifetime) {
    AddWindowEntry(state, SpecOf(measure, zone), t, value);
    return;
  }
  state.count += 1;
  state.sum += value;
  state.min = state.min ? std::min(*state.min, value) : value;
  state.max = state.max ? std::max(*state.max, value) : value;
}

std::optional<Decimal> MeasureValue(const CompiledMeasure& measure, const CustomerRecord& customer,
                                    const TimeZone& zone, TimePoint t) {
  static const RuleState kEmpty;
  const RuleState* found = customer.FindState(measure.key);
  const RuleState& s = found != nullptr ? *found : kEmpty;
  if (measure.window != dsl::Window::kLifetime)
    return WindowAggregateAt(s, SpecOf(measure, zone), measure.aggregate, t);
  return AggregateValue(measure.aggregate, s.count, s.sum, s.min, s.max);
}

}  // namespace patron
