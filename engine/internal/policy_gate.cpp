#include "engine/internal/policy_gate.hpp"

#include <algorithm>

#include "base/timezone.hpp"

namespace patron {
namespace {

// The first moment at or after `t` when both daily windows are open (the
// rule's only when `has_rule`). The checker refuses windows that never
// overlap; should they (a daylight-saving day), the search stops after a
// bounded number of steps at an opening of the policy's window.
TimePoint JointOpening(const TimeZone& zone, TimePoint t, bool has_rule, int32_t rule_from, int32_t rule_to,
                       int32_t policy_from, int32_t policy_to) {
  TimePoint m = t;
  for (int step = 0; step < 64; ++step) {
    const bool rule_open = !has_rule || InDailyWindow(zone, m, rule_from, rule_to);
    const bool policy_open = InDailyWindow(zone, m, policy_from, policy_to);
    if (rule_open && policy_open) return m;
    m = !rule_open ? NextWindowOpening(zone, m, rule_from, rule_to)
                   : NextWindowOpening(zone, m, policy_from, policy_to);
  }
  return m;
}

}  // namespace

PolicyGate::PolicyGate(const CompiledRules& rules, StateStore& store, EngineStats& stats,
                       EvaluationObserver* observer)
    : rules_(rules), store_(store), stats_(stats), observer_(observer) {}

const CompiledPolicy* PolicyGate::LimitingPolicy(const CompiledRule& rule,
                                                 const CustomerRecord* customer) const {
  if (rule.policy < 0 || !rule.marketing || customer == nullptr) return nullptr;
  const CompiledPolicy& policy = rules_.policies[static_cast<size_t>(rule.policy)];
  return policy.has_limit ? &policy : nullptr;
}

bool PolicyGate::Allows(const CompiledPolicy& policy, TimePoint t, const CustomerRecord& customer) const {
  const RuleState* s = customer.FindState(policy.key);
  if (s == nullptr) return true;
  int64_t in_window = 0;
  for (TimePoint f : s->firings)
    if (f > t - policy.limit_window && f <= t) ++in_window;
  return in_window < policy.limit_count;
}

void PolicyGate::Count(const CompiledPolicy& policy, TimePoint t, CustomerRecord& customer) {
  RuleState& s = customer.StateOf(policy.key);
  s.firings.insert(std::upper_bound(s.firings.begin(), s.firings.end(), t), t);
  const size_t keep = static_cast<size_t>(std::max<int64_t>(policy.limit_count, 1));
  if (s.firings.size() > keep)
    s.firings.erase(s.firings.begin(), s.firings.end() - static_cast<std::ptrdiff_t>(keep));
  store_.MarkDirty(&customer);
}

Status PolicyGate::Skip(const CompiledPolicy& policy, const CompiledRule& rule, const Firing& firing,
                        const CustomerRecord* customer) {
  ++stats_.skipped_policy;
  Observe(observer_, EvaluationStep::kLimit, false, rule, firing, customer, policy.skip_reason);
  return RecordOutcome(store_, OutcomeKind::kSkippedPolicy, rule, firing, customer, policy.skip_reason);
}

ActionTimes PolicyGate::When(const CompiledRule& rule, TimePoint t) const {
  ActionTimes when{t, t};
  if (rule.has_between) when.others = NextWindowOpening(rules_.zone, t, rule.between_from, rule.between_to);
  when.marketing = when.others;
  if (rule.policy < 0 || !rule.marketing) return when;
  const CompiledPolicy& policy = rules_.policies[static_cast<size_t>(rule.policy)];
  if (!policy.has_between) return when;
  when.marketing = JointOpening(rules_.zone, t, rule.has_between, rule.between_from, rule.between_to,
                                policy.between_from, policy.between_to);
  return when;
}

}  // namespace patron
