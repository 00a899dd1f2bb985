#include "engine/internal/measure_updates.hpp"

#include "engine/measures.hpp"

namespace patron {

bool UpdateMeasures(const CompiledRules& rules, const TypeDispatch& dispatch, Evaluator& evaluator,
                    CustomerRecord& customer, TimePoint time) {
  bool changed = false;
  for (uint32_t index : dispatch.measures) {
    const CompiledMeasure& m = rules.measures[index];
    if (!evaluator.Test(m.where)) continue;
    Decimal x;
    if (m.aggregate != dsl::Aggregate::kCount) {
      Value v = evaluator.Eval(m.field);
      if (v.kind() != ValueKind::kNumber) continue;  // not aggregated, as for the aggregate trigger
      x = v.number();
    }
    AddToMeasure(customer.StateOf(m.key), m, rules.zone, time, x);
    changed = true;
  }
  return changed;
}

}  // namespace patron
