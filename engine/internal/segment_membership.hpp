#pragma once
// Entering and leaving a segment (language.md "Entering and leaving a
// segment"): for every segment a `when customer enters|leaves` rule watches
// (CompiledRules::tracked_segments), whether the customer is in it is kept
// in their record (a RuleState keyed by TrackedSegment::key, a hash of the
// segment's name and of the definitions it depends on, so a changed
// definition starts afresh: `seen_first` once evaluated, `count` > 0 while
// a member). It is evaluated after all rules of each of the customer's
// events have run, and, for the segments time alone can change, at the
// daily refresh (`segments refresh at`, default 04:00) over every customer,
// in slices like a broadcast. A change fires the segment's enters (leaves)
// rules in evaluation order; a customer's first evaluation counts as
// entering when the condition holds (and as nothing otherwise).
//
// Choices beyond the specs (docs/language.md):
// - The segments are evaluated one after another in the order rules first
//   watch them, against the profile as the rules left it; a profile change
//   made by an enters/leaves rule's actions is seen by the segments after
//   it, and by every segment at the next evaluation (no cascade within one).
// - A firing after an event has that event as its cause (data.cause.event,
//   the event's time); one found by the refresh has the refresh time as its
//   time and deadline (data.cause.deadline). The trigger has no `event`.
// - The refresh skips customers who joined after its time.
// - Merged customers: the survivor is a member if either was (the states
//   merge like other rule states: seen if either, counts added).
// Internal to engine/; engine thread only.

#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "engine/engine.hpp"
#include "engine/evaluator.hpp"
#include "engine/graph.hpp"
#include "engine/internal/rule_runner.hpp"
#include "engine/internal/timer_arming.hpp"
#include "engine/state_store.hpp"
#include "model/timer.hpp"

namespace patron {

class SegmentMembership {
 public:
  // Everything passed must outlive this object; `observer` may be null.
  SegmentMembership(const CompiledRules& rules, StateStore& store, Evaluator& evaluator,
                    const EngineOptions& options, EngineStats& stats, TimerArming& timers, RuleRunner& runner,
                    EvaluationObserver* observer, const Event& no_event);

  // After the rules of `event` ran for `customer` (`depth`: its emit depth).
  Status AfterEvent(const Event& event, CustomerRecord& customer, int depth);

  // Whether `timer` is this rule set's refresh.
  bool IsRefresh(const TimerRecord& timer) const;
  // Arms the refresh for its next time after `now`, unless it is armed.
  Status ArmRefresh(TimePoint now);
  // One slice of the refresh (`after_each` runs after each customer: the
  // emitted events). When every customer was visited (`done`), removes the
  // timer and arms the next day's.
  Status FireRefreshSlice(TimerRecord& timer, bool& done, const std::function<Status()>& after_each);

 private:
  // Evaluates the tracked segments (only the time-dependent ones with
  // `time_only`) for `customer` and fires what changed, as of `firing`.
  Status Evaluate(CustomerRecord& customer, const Firing& firing, bool time_only, int depth);
  Status ArmRefreshAfter(TimePoint after);

  const CompiledRules& rules_;
  StateStore& store_;
  Evaluator& evaluator_;
  const EngineOptions& options_;
  EngineStats& stats_;
  TimerArming& timers_;
  RuleRunner& runner_;
  EvaluationObserver* observer_;
  const Event& no_event_;
  Event cause_;                   // the cause of a firing after an event (its source, id and time)
  std::vector<std::string> ids_;  // scratch: one refresh slice
};

}  // namespace patron
