#pragma once
// Policies across rules (language.md "Policies across rules"): a rule's
// policy (named, or the default) limits its firings that have a message or
// coupon action, counted per customer across every rule of the policy in
// any window (t - D, t], and holds those actions back until the policy's
// `between` (and the rule's own) is open. The counters are RuleStates in
// the customer record, keyed by CompiledPolicy::key (durable, merged like
// a rule's limit).
//
// Choices beyond the specs (docs/language.md "Policies"):
// - A firing of a rule with no message or coupon action is neither limited
//   nor counted by its policy; a firing with no customer neither.
// - A held-out firing counts against the policy as it does against the
//   rule's limit (the decision is before the holdout).
// Internal to engine/; engine thread only.

#include "base/result.hpp"
#include "engine/engine.hpp"
#include "engine/graph.hpp"
#include "engine/internal/firing.hpp"
#include "engine/state_store.hpp"

namespace patron {

// When a firing's actions may run, both at or after the firing's time.
struct ActionTimes {
  TimePoint others = 0;     // actions other than message and coupon: the rule's `between`
  TimePoint marketing = 0;  // message and coupon: both the rule's and the policy's `between`
};

class PolicyGate {
 public:
  // Everything passed must outlive this object; `observer` may be null.
  PolicyGate(const CompiledRules& rules, StateStore& store, EngineStats& stats, EvaluationObserver* observer);

  // The policy that limits `rule`'s firings for `customer`, or nullptr.
  const CompiledPolicy* LimitingPolicy(const CompiledRule& rule, const CustomerRecord* customer) const;
  // Whether `policy` allows another firing at `t` for `customer` (which
  // LimitingPolicy returned it for). Changes nothing.
  bool Allows(const CompiledPolicy& policy, TimePoint t, const CustomerRecord& customer) const;
  // Counts a firing at `t` against `policy`.
  void Count(const CompiledPolicy& policy, TimePoint t, CustomerRecord& customer);
  // Records a firing skipped by `policy` (an outcome "policy <name>").
  Status Skip(const CompiledPolicy& policy, const CompiledRule& rule, const Firing& firing,
              const CustomerRecord* customer);

  // When the actions of `rule`'s firing at `t` may run.
  ActionTimes When(const CompiledRule& rule, TimePoint t) const;

 private:
  const CompiledRules& rules_;
  StateStore& store_;
  EngineStats& stats_;
  EvaluationObserver* observer_;
};

}  // namespace patron
