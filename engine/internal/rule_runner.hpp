#pragma once
// Rules for one event (language.md "Order of work for an event"): the type's
// dispatch gives the candidate rules (the equality hash and the range index
// narrow them), sorted into evaluation order (priority high to low, then
// rule-set order); each candidate's trigger (updating `first`, aggregate and
// sequence state), where, `wait`, limit, holdout and `between` run, then its
// actions (ActionRunner). Timer firings enter after the trigger
// (AfterTrigger, Proceed).
//
// Choices beyond the specs, for events with no customer: `first` and
// aggregate triggers do not fire (their state is per customer); `limit ...
// per customer` does not limit; holdout hashes the empty customer id.
// Internal to engine/; engine thread only.

#include "base/result.hpp"
#include "engine/engine.hpp"
#include "engine/evaluator.hpp"
#include "engine/graph.hpp"
#include "engine/internal/action_runner.hpp"
#include "engine/internal/firing.hpp"
#include "engine/internal/policy_gate.hpp"
#include "engine/internal/rule_counters.hpp"
#include "engine/internal/timer_arming.hpp"
#include "engine/state_store.hpp"

namespace patron {

class RuleRunner {
 public:
  // Everything passed must outlive this object; `observer` may be null.
  // `no_event` is the empty Event of firings that have none.
  RuleRunner(const CompiledRules& rules, StateStore& store, Evaluator& evaluator, const EngineOptions& options,
             EngineStats& stats, RuleCounters& counters, TimerArming& timers, ActionRunner& actions,
             EvaluationObserver* observer, const Event& no_event);

  // Positions the evaluator on (event, customer), runs every candidate rule
  // of the event's type, then the type's watches (what it arms or closes).
  Status RunRules(const Event& event, CustomerRecord* customer, int depth);
  // After the trigger (and its where) held: `wait`, or where and Proceed.
  // The evaluator must be positioned on (firing.event, customer, firing.time).
  Status AfterTrigger(const CompiledRule& rule, Firing& firing, CustomerRecord* customer, int depth);
  // limit, holdout, then the actions now or (outside `between`) deferred.
  Status Proceed(const CompiledRule& rule, Firing& firing, CustomerRecord* customer, int depth);

 private:
  Status RunRule(const CompiledRule& rule, bool range_checked, const Event& event, CustomerRecord* customer,
                 int depth);
  // The trigger of `rule` for this event (updating `first`/aggregate/sequence state).
  Result<bool> Triggered(const CompiledRule& rule, const Event& event, CustomerRecord* customer);
  // Checks `limit`, then the policy's limit, and records the firing against
  // both; false (and a kSkippedLimit or kSkippedPolicy outcome, counting
  // against neither) when the firing is over one of them.
  Result<bool> WithinLimit(const CompiledRule& rule, Firing& firing, CustomerRecord* customer);
  // The actions now, or those outside the rule's (and policy's) `between` deferred.
  Status RunOrDefer(const CompiledRule& rule, Firing& firing, CustomerRecord* customer, int depth);
  // Records a skipped firing (over its limit).
  Status SkipForLimit(const CompiledRule& rule, const Firing& firing, const CustomerRecord* customer);

  const CompiledRules& rules_;
  StateStore& store_;
  Evaluator& evaluator_;
  const EngineOptions& options_;
  EngineStats& stats_;
  RuleCounters& counters_;
  TimerArming& timers_;
  ActionRunner& actions_;
  EvaluationObserver* observer_;
  const Event& no_event_;
  PolicyGate policies_;
  std::vector<uint32_t> candidates_;  // scratch: candidate codes of one event
  std::string key_;                   // scratch: index tuple key
};

}  // namespace patron
