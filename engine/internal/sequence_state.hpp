#pragma once
// The state of one correlation key of a `(not) followed by` rule: the
// customer's RuleState when the rule correlates by customer, else the keyed
// table's entry for the `on` field's value (under rule.on_key), which is
// removed when no A is open any more. Internal to engine/; engine thread only.

#include <string_view>

#include "base/result.hpp"
#include "engine/graph.hpp"
#include "engine/state_store.hpp"

namespace patron {

// Runs `change(RuleState&) -> Status` on that state and writes it back.
// Does nothing when the rule correlates by customer and there is none.
template <typename Change>
Status WithSequenceState(StateStore& store, const CompiledRule& rule, CustomerRecord* customer,
                         std::string_view key, Change change) {
  if (rule.on_field == kNoNode) {
    if (customer == nullptr) return Status::Ok();
    PATRON_RETURN_IF_ERROR(change(customer->StateOf(rule.rule_key)));
    store.MarkDirty(customer);
    return Status::Ok();
  }
  auto found = store.FindKeyedState(rule.on_key, key);
  if (!found.ok()) return found.status();
  RuleState s;
  if (found->has_value()) s = std::move(**found);
  s.rule_key = rule.on_key;
  PATRON_RETURN_IF_ERROR(change(s));
  if (s.open.empty()) return found->has_value() ? store.DeleteKeyedState(rule.on_key, key) : Status::Ok();
  return store.PutKeyedState(key, s);
}

}  // namespace patron
