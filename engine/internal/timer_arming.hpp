#pragma once
// What events and firings arm, re-arm or close for the time-driven rules
// (language.md "Triggers", "Precise semantics"): absence deadlines, the open
// A's of sequences, date trigger occurrences, schedules, and the timers of
// `wait` and `between`. Every timer is put in the same store batch as the
// state that refers to it (RuleState::timer, ::open, a keyed state).
//
// Choices beyond the specs:
// - An absence deadline never moves back: an event older than the one that
//   armed the current deadline (out of order) changes nothing, and after a
//   firing the fired deadline is kept so that such an event cannot re-open
//   that silence.
// - A B event closes the open A's of its key whatever the rule's where says
//   (for `followed by` the where is evaluated on that B afterwards).
// - Sequence state of `on <field>` lives in the keyed table under
//   rule.on_key; an empty state is removed.
// - Schedules are armed at the first FireDue() with a known time, for the
//   next occurrence strictly after it; `on <date> at` in the past then never
//   fires.
// Internal to engine/; engine thread only.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "engine/engine.hpp"
#include "engine/evaluator.hpp"
#include "engine/graph.hpp"
#include "engine/internal/firing.hpp"
#include "engine/state_store.hpp"
#include "model/timer.hpp"

namespace patron {

class TimerArming {
 public:
  // Everything passed must outlive this object. `evaluator` is the engine's
  // (sequence keys are read from the event it is positioned on).
  TimerArming(const CompiledRules& rules, StateStore& store, Evaluator& evaluator, EngineStats& stats);

  // Puts a timer with the next arming sequence number; returns its key. A
  // timer due after kLastRfc3339Time (year 9999) is not put, only counted
  // (EngineStats::timers_refused); its key is returned all the same.
  Result<TimerKey> Arm(TimerRecord timer);
  // A timer of `kind` for `rule` whose firing's cause is its own due time
  // (absence, date, schedule).
  Result<TimerKey> ArmDeadline(TimerKind kind, const CompiledRule& rule, TimePoint due, std::string_view customer_id);
  // A kWait or kDeferred timer carrying `firing` (its event unless it is
  // `no_event`, deadline, limit key and time), due at `due`; a kDeferred
  // one keeps `subset` (ActionSubsetText: which actions it runs) in its
  // correlation.
  Status ArmLater(TimerKind kind, const CompiledRule& rule, const Firing& firing, const CustomerRecord* customer,
                  TimePoint due, const Event& no_event, std::string_view subset = {});
  // Removes a timer before it is due.
  Status Cancel(const TimerKey& key);

  // What `event` arms or closes: the watches of its type. The evaluator
  // must be positioned on (event, customer).
  Status RunWatches(const std::vector<Watch>& watches, const Event& event, CustomerRecord* customer);
  // Closes the open A's of `event`'s key with A.time <= event.time; sets
  // `within` when one of them was open less than D before it.
  Status CloseSequence(const CompiledRule& rule, const Event& event, CustomerRecord* customer, bool& within);
  // Re-arms the date rules whose date attribute changed (language.md "Date triggers").
  Status SyncDateRules(CustomerRecord& customer, TimePoint now);

  // Arms the schedule rules that were never armed, for their next occurrence after `now`.
  Status ArmSchedules(TimePoint now);
  // Arms `rule`'s next occurrence after `after` and records it in its keyed state.
  Status ArmNextSchedule(const CompiledRule& rule, TimePoint after);
  // The next occurrence of a date rule's `date` (days since the epoch) after `after`.
  std::optional<TimePoint> NextDate(const CompiledRule& rule, int32_t date, bool yearly, TimePoint after) const;

 private:
  Status ArmAbsence(const CompiledRule& rule, const Event& event, CustomerRecord& customer);
  Status OpenSequence(const CompiledRule& rule, const Event& event, CustomerRecord* customer);
  // The correlation key of the evaluator's event for a sequence rule
  // (customer id, or the `on` field's AppendKey text); false when there is none.
  bool SequenceKey(const CompiledRule& rule, const CustomerRecord* customer, std::string& key);

  const CompiledRules& rules_;
  StateStore& store_;
  Evaluator& evaluator_;
  EngineStats& stats_;
};

}  // namespace patron
