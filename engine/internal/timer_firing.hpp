#pragma once
// Firing one timer that came due (language.md "Order of work", "Precise
// semantics"): an absence deadline, an open A of a sequence, the end of a
// wait, actions deferred by `between`, a date occurrence, or one slice of a
// schedule broadcast. The caller (the engine's FireDue) takes the timers in
// (due, arming) order and removes each in the same batch as what its firing
// changed, so a restart neither loses nor repeats it.
//
// Choices beyond the specs:
// - One whose customer was merged into another follows the survivor when the
//   timer keeps an event (sequences, waits, deferrals: its identifiers lead
//   there); absence and date timers of the merged-away customer are dropped
//   (the survivor has its own).
// - A broadcast visits the committed customers in id order, skipping those
//   who joined after its due time.
// Internal to engine/; engine thread only.

#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "engine/engine.hpp"
#include "engine/evaluator.hpp"
#include "engine/graph.hpp"
#include "engine/internal/action_runner.hpp"
#include "engine/internal/rule_runner.hpp"
#include "engine/internal/timer_arming.hpp"
#include "engine/state_store.hpp"
#include "model/timer.hpp"

namespace patron {

class TimerFiring {
 public:
  // Everything passed must outlive this object; `observer` may be null.
  TimerFiring(const CompiledRules& rules, StateStore& store, Evaluator& evaluator, const EngineOptions& options,
              EngineStats& stats, TimerArming& timers, RuleRunner& runner, ActionRunner& actions,
              EvaluationObserver* observer, const Event& no_event);

  // Fires `timer` (not a schedule) of `rule`, already removed from the store.
  Status Fire(const CompiledRule& rule, const TimerRecord& timer);
  // One slice of a schedule broadcast over the committed customers after
  // the timer's cursor; `after_each` runs after each customer (the emitted
  // events). Moves the cursor in the timer (same batch), or, when every
  // customer was visited (`done`), removes it and arms the next occurrence.
  Status FireScheduleSlice(const CompiledRule& rule, TimerRecord& timer, bool& done,
                           const std::function<Status()>& after_each);

 private:
  Status FireAbsence(const CompiledRule& rule, const TimerRecord& timer);
  Status FireSequence(const CompiledRule& rule, const TimerRecord& timer);
  // kWait (where, then Proceed) and kDeferred (the actions).
  Status FireLater(const CompiledRule& rule, const TimerRecord& timer);
  Status FireDate(const CompiledRule& rule, const TimerRecord& timer);
  // A deadline firing (absence, date, schedule) of `customer`: the trigger
  // held; the rest of the rule runs.
  Status FireAtDeadline(const CompiledRule& rule, TimePoint due, CustomerRecord* customer);
  // The customer a timer belongs to (nullptr when none or gone).
  Result<CustomerRecord*> TimerCustomer(const TimerRecord& timer);
  // A timer's firing context: its stored event (decoded into timer_event_) or none.
  Firing TimerFiringOf(const TimerRecord& timer, TimePoint time);
  // Date rules re-arm after a firing changed the profile.
  Status AfterFiring(CustomerRecord* customer, TimePoint time);

  const CompiledRules& rules_;
  StateStore& store_;
  Evaluator& evaluator_;
  const EngineOptions& options_;
  EngineStats& stats_;
  TimerArming& timers_;
  RuleRunner& runner_;
  ActionRunner& actions_;
  EvaluationObserver* observer_;
  const Event& no_event_;
  Event timer_event_;                       // a timer's stored event, decoded
  std::vector<std::string> broadcast_ids_;  // scratch: one broadcast slice
};

}  // namespace patron
