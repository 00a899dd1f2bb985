#pragma once
// Engine::Impl, shared by the .cpp files that implement the engine's steps:
// engine.cpp (intake, dedupe, customers, built-in profile, commit),
// rule_evaluation.cpp (dispatch, triggers, where, limit, holdout) and
// action_execution.cpp (rendering and running actions). Engine thread only.
//
// Choices beyond the specs, for events with no customer: every customer.*
// path is null; `first` and aggregate triggers do not fire (their state is
// per customer); `limit ... per customer` does not limit; holdout hashes the
// empty customer id; tag/untag/set/points have nothing to change and are
// skipped (recorded as suppressed with reason "no customer").

#include <deque>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "engine/action_sink.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/evaluator.hpp"
#include "model/event.hpp"
#include "engine/event_decoder.hpp"
#include "engine/graph.hpp"
#include "engine/outbox.hpp"
#include "engine/state_store.hpp"
#include "model/timer.hpp"

namespace patron {

// The cause and time of one firing, passed from the trigger to the actions.
struct Firing {
  const Event* event = nullptr;       // the triggering event; never null (Impl::no_event_ when none)
  TimePoint time = 0;                 // when the actions run (action `time`, now())
  std::optional<TimePoint> deadline;  // absence, date and schedule firings: data.cause.deadline
  std::string deadline_text;          // the deadline as RFC 3339 UTC (hashed into action ids)
  std::string limit_key;              // `limit per <path>` key, once WithinLimit computed it
  // The cause's (source, id) as hashed into action and emit ids (decisions 2, 11).
  std::string_view CauseSource() const { return deadline ? std::string_view() : std::string_view(event->source); }
  std::string_view CauseId() const { return deadline ? std::string_view(deadline_text) : std::string_view(event->id); }
};

struct Engine::Impl {
  Impl(const CompiledRules& rules, StateStore& store, ActionSink& sink, Clock& clock, EngineOptions options);

  // engine.cpp
  Status Accept(std::string_view message, std::string_view subject, DeliveryToken token);
  // Runs `event` and then the events its rules emitted (breadth first).
  Status ProcessWithEmits(Event& event);
  Status RunEmits();
  // Dedupe, customer, built-in profile, rules, MarkProcessed.
  Status ProcessOne(Event& event, int depth);
  Status Commit();
  void Reject(std::string message, std::string reason, std::string_view subject, DeliveryToken origin);

  // rule_evaluation.cpp
  Status RunRules(const Event& event, CustomerRecord* customer, int depth);
  Status RunRule(const CompiledRule& rule, bool range_checked, const Event& event, CustomerRecord* customer,
                 int depth);
  // The trigger of `rule` for this event (updating `first`/aggregate/sequence state).
  Result<bool> Triggered(const CompiledRule& rule, const Event& event, CustomerRecord* customer);
  // After the trigger (and its where) held: `wait`, or where and Proceed.
  // The evaluator must be positioned on (firing.event, customer, firing.time).
  Status AfterTrigger(const CompiledRule& rule, Firing& firing, CustomerRecord* customer, int depth);
  // limit, holdout, then the actions now or (outside `between`) deferred.
  Status Proceed(const CompiledRule& rule, Firing& firing, CustomerRecord* customer, int depth);
  // Checks and records `limit`; false (and a kSkippedLimit outcome) when the firing is over it.
  Result<bool> WithinLimit(const CompiledRule& rule, Firing& firing, CustomerRecord* customer);
  Status Record(OutcomeKind kind, const CompiledRule& rule, const Firing& firing, const CustomerRecord* customer,
                std::string detail);

  // action_execution.cpp
  Status RunActions(const CompiledRule& rule, const Firing& firing, CustomerRecord* customer, int depth);
  Status RunAction(const CompiledRule& rule, const CompiledAction& action, const Firing& firing,
                   CustomerRecord* customer, int depth);
  // Fills the members every action has; returns the outbox slot.
  Action& StartAction(const CompiledRule& rule, const CompiledAction& action, const Firing& firing,
                      const CustomerRecord* customer);
  // The profile changed under a rule: visible to later rules.
  void ProfileChanged(CustomerRecord* customer);
  // Decision 2's id, appended as 16 hex digits.
  void AppendActionId(std::string& out, const CompiledRule& rule, const CompiledAction& action, const Firing& firing,
                      const CustomerRecord* customer) const;

  // time_watches.cpp: what an event arms or closes, and date re-arming.
  Status RunWatches(const std::vector<Watch>& watches, const Event& event, CustomerRecord* customer);
  Status ArmAbsence(const CompiledRule& rule, const Event& event, CustomerRecord& customer);
  Status OpenSequence(const CompiledRule& rule, const Event& event, CustomerRecord* customer);
  // Closes the open A's of `event`'s key with A.time <= event.time; sets
  // `within` when one of them was open less than D before it.
  Status CloseSequence(const CompiledRule& rule, const Event& event, CustomerRecord* customer, bool& within);
  // The correlation key of `event` for a sequence rule (customer id, or the
  // `on` field's AppendKey text); false when there is none.
  bool SequenceKey(const CompiledRule& rule, const Event& event, const CustomerRecord* customer, std::string& key);
  // Re-arms the date rules whose date attribute changed (language.md "Date triggers").
  Status SyncDateRules(CustomerRecord& customer, TimePoint now);
  // Puts a timer with the next arming sequence number; returns its key.
  Result<TimerKey> Arm(TimerRecord timer);
  // A timer of `kind` for `rule` whose firing's cause is its own due time
  // (absence, date, schedule).
  Result<TimerKey> ArmDeadline(TimerKind kind, const CompiledRule& rule, TimePoint due, std::string_view customer_id);
  Status Cancel(const TimerKey& key);

  // timer_firing.cpp
  // Fires what is due by the clock, running at most `max_slices` broadcast
  // slices; true when a broadcast is unfinished.
  Result<bool> FireDue(size_t max_slices);
  // Arms the schedule rules that were never armed (at the first known time).
  Status ArmSchedules(TimePoint now);
  // Arms `rule`'s next occurrence after `after` and records it in its keyed state.
  Status ArmNextSchedule(const CompiledRule& rule, TimePoint after);
  Status FireTimer(const CompiledRule& rule, TimerRecord& timer);
  Status FireAbsence(const CompiledRule& rule, const TimerRecord& timer);
  Status FireSequence(const CompiledRule& rule, const TimerRecord& timer);
  // kWait (where, then Proceed) and kDeferred (the actions).
  Status FireLater(const CompiledRule& rule, const TimerRecord& timer);
  Status FireDate(const CompiledRule& rule, const TimerRecord& timer);
  // One slice of a schedule broadcast; `done` when every customer was visited.
  Status FireScheduleSlice(const CompiledRule& rule, TimerRecord& timer, bool& done);
  // The customer a timer belongs to (nullptr when none or gone).
  Result<CustomerRecord*> TimerCustomer(const TimerRecord& timer);
  // A timer's firing context: its stored event (decoded into timer_event_) or none.
  Firing TimerFiring(const TimerRecord& timer, TimePoint time);
  // Arms a kWait or kDeferred timer carrying `firing`.
  Status ArmLater(TimerKind kind, const CompiledRule& rule, const Firing& firing, const CustomerRecord* customer,
                  TimePoint due);

  const CompiledRules& rules_;
  StateStore& store_;
  ActionSink& sink_;
  Clock& clock_;
  EngineOptions options_;
  spdlog::logger* log_;  // null: silent

  EventDecoder decoder_;
  Event event_;                  // the message being accepted (reused)
  Evaluator evaluator_;
  Outbox outbox_;
  // The per-rule counters live in the nodes of stats_'s maps (stable
  // addresses), found by rule index: a rule's first count inserts its entry,
  // later ones only increment, and reading stats() costs nothing.
  EngineStats stats_;
  std::vector<uint64_t*> fired_by_rule_;    // null until the rule first fires
  std::vector<uint64_t*> actions_by_rule_;  // null until the rule's first action
  void CountFired(uint32_t rule);
  void CountAction(uint32_t rule);
  const EngineStats& Stats() const { return stats_; }
  size_t pending_ = 0;

  struct PendingEmit {
    Event event;
    int depth = 0;
  };
  std::deque<PendingEmit> emits_;  // emitted events waiting for the current one to finish
  std::vector<uint32_t> candidates_;  // scratch: candidate codes of one event
  std::string key_;                   // scratch: index tuple key

  const Event no_event_;        // the "event" of firings that have none (all fields empty)
  Event timer_event_;           // a timer's stored event, decoded
  bool schedules_armed_ = false;
  std::vector<std::string> broadcast_ids_;  // scratch: one broadcast slice
};

}  // namespace patron
