#pragma once
// The measures over an event's type, updated before the type's rules run,
// so that `customer.<measure>` read by them includes the event (as
// customer.spent does; language.md "Measures"). Internal to engine/;
// engine thread only.

#include "engine/evaluator.hpp"
#include "engine/graph.hpp"
#include "model/customer_record.hpp"

namespace patron {

// Adds `event` (the evaluator is positioned on it and `customer`) to every
// measure of `dispatch` whose filter holds and whose field is a number (for
// count: any event). Returns whether a measure changed (the caller marks
// the record dirty and tells the evaluator the profile changed).
bool UpdateMeasures(const CompiledRules& rules, const TypeDispatch& dispatch, Evaluator& evaluator,
                    CustomerRecord& customer, TimePoint time);

}  // namespace patron
