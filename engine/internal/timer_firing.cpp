#include "engine/internal/timer_firing.hpp"

#include <algorithm>

#include "engine/internal/broadcast.hpp"
#include "engine/internal/sequence_state.hpp"
#include "engine/internal/stored_event.hpp"

namespace patron {

TimerFiring::TimerFiring(const CompiledRules& rules, StateStore& store, Evaluator& evaluator,
                         const EngineOptions& options, EngineStats& stats, TimerArming& timers, RuleRunner& runner,
                         ActionRunner& actions, EvaluationObserver* observer, const Event& no_event)
    : rules_(rules),
      store_(store),
      evaluator_(evaluator),
      options_(options),
      stats_(stats),
      timers_(timers),
      runner_(runner),
      actions_(actions),
      observer_(observer),
      no_event_(no_event) {}

Status TimerFiring::Fire(const CompiledRule& rule, const TimerRecord& timer) {
  switch (timer.kind) {
    case TimerKind::kAbsence:
      if (rule.trigger != dsl::TriggerKind::kAbsence) return Status::Ok();
      return FireAbsence(rule, timer);
    case TimerKind::kSequence:
      if (rule.trigger != dsl::TriggerKind::kNotFollowedBy && rule.trigger != dsl::TriggerKind::kFollowedBy)
        return Status::Ok();
      return FireSequence(rule, timer);
    case TimerKind::kWait:
    case TimerKind::kDeferred: return FireLater(rule, timer);
    case TimerKind::kDate:
      if (rule.trigger != dsl::TriggerKind::kDate) return Status::Ok();
      return FireDate(rule, timer);
    case TimerKind::kSchedule: return Status::Ok();  // FireScheduleSlice runs broadcasts
  }
  return Status::Ok();
}

Result<CustomerRecord*> TimerFiring::TimerCustomer(const TimerRecord& timer) {
  if (timer.customer_id.empty()) return nullptr;
  auto found = store_.FindCustomer(timer.customer_id);
  if (!found.ok() || *found != nullptr || !timer.event) return found;
  // Merged into another customer since it was armed: the stored event's
  // identifiers lead to the survivor.
  if (!FromStoredEvent(*timer.event, timer_event_).ok()) return nullptr;
  for (size_t k = 0; k < kIdentityKindCount; ++k) {
    const std::string& value = timer_event_.identity[k];
    if (value.empty()) continue;
    auto id = store_.FindIdentity(static_cast<IdentityKind>(k), value);
    if (!id.ok()) return id.status();
    if (id->has_value()) return store_.FindCustomer(**id);
  }
  return nullptr;
}

Firing TimerFiring::TimerFiringOf(const TimerRecord& timer, TimePoint time) {
  Firing f;
  f.event = &no_event_;
  if (timer.event && FromStoredEvent(*timer.event, timer_event_).ok()) f.event = &timer_event_;
  f.time = time;
  if (timer.cause_deadline) {
    f.deadline = timer.cause_deadline;
    f.deadline_text = FormatRfc3339Utc(*timer.cause_deadline);
  }
  f.limit_key = timer.limit_key;
  return f;
}

Status TimerFiring::AfterFiring(CustomerRecord* customer, TimePoint time) {
  if (customer == nullptr || rules_.date_rules.empty()) return Status::Ok();
  return timers_.SyncDateRules(*customer, time);
}

Status TimerFiring::FireAtDeadline(const CompiledRule& rule, TimePoint due, CustomerRecord* customer) {
  Firing f = DeadlineFiring(no_event_, due);
  evaluator_.BeginEvent(*f.event, customer, f.time);
  Observe(observer_, EvaluationStep::kTrigger, true, rule, f, customer);
  return runner_.AfterTrigger(rule, f, customer, 0);
}

Status TimerFiring::FireAbsence(const CompiledRule& rule, const TimerRecord& timer) {
  auto customer = TimerCustomer(timer);
  if (!customer.ok()) return customer.status();
  if (*customer == nullptr) return Status::Ok();
  RuleState& s = (*customer)->StateOf(rule.rule_key);
  if (!s.timer || *s.timer != timer.key) return Status::Ok();  // re-armed since (stale)
  s.timer.reset();  // this silence is over; `armed` keeps its deadline
  store_.MarkDirty(*customer);
  PATRON_RETURN_IF_ERROR(FireAtDeadline(rule, timer.key.due, *customer));
  return AfterFiring(*customer, timer.key.due);
}

Status TimerFiring::FireSequence(const CompiledRule& rule, const TimerRecord& timer) {
  auto customer = TimerCustomer(timer);
  if (!customer.ok()) return customer.status();
  if (rule.on_field == kNoNode && *customer == nullptr) return Status::Ok();
  // Remove this A from its key's open list; absent means a B closed it.
  bool open = false;
  PATRON_RETURN_IF_ERROR(WithSequenceState(store_, rule, *customer, timer.correlation, [&](RuleState& s) {
    auto it = std::find(s.open.begin(), s.open.end(), timer.key);
    if (it != s.open.end()) {
      open = true;
      s.open.erase(it);
    }
    return Status::Ok();
  }));
  if (!open || rule.trigger == dsl::TriggerKind::kFollowedBy) return Status::Ok();  // closed, or expired
  Firing f = TimerFiringOf(timer, timer.key.due);
  evaluator_.BeginEvent(*f.event, *customer, f.time);
  Observe(observer_, EvaluationStep::kTrigger, true, rule, f, *customer);
  PATRON_RETURN_IF_ERROR(runner_.AfterTrigger(rule, f, *customer, 0));
  return AfterFiring(*customer, f.time);
}

Status TimerFiring::FireLater(const CompiledRule& rule, const TimerRecord& timer) {
  auto customer = TimerCustomer(timer);
  if (!customer.ok()) return customer.status();
  if (!timer.customer_id.empty() && *customer == nullptr) return Status::Ok();
  Firing f = TimerFiringOf(timer, timer.key.due);
  evaluator_.BeginEvent(*f.event, *customer, f.time);
  if (timer.kind == TimerKind::kWait) {
    // The rest of the rule, against the profile as it is now.
    const bool held = evaluator_.Test(rule.where);
    Observe(observer_, EvaluationStep::kWhere, held, rule, f, *customer);
    if (!held) return Status::Ok();
    PATRON_RETURN_IF_ERROR(runner_.Proceed(rule, f, *customer, 0));
  } else {
    // Deferred by `between` (all of them, or, with a policy's `between`, its part).
    PATRON_RETURN_IF_ERROR(actions_.RunActions(rule, f, *customer, 0, ActionSubsetFromText(timer.correlation)));
  }
  return AfterFiring(*customer, f.time);
}

Status TimerFiring::FireDate(const CompiledRule& rule, const TimerRecord& timer) {
  auto customer = TimerCustomer(timer);
  if (!customer.ok()) return customer.status();
  if (*customer == nullptr) return Status::Ok();
  RuleState& s = (*customer)->StateOf(rule.rule_key);
  if (!s.timer || *s.timer != timer.key) return Status::Ok();  // the date changed since (stale)
  s.timer.reset();
  if (rule.yearly && s.armed) {
    if (auto next = timers_.NextDate(rule, static_cast<int32_t>(*s.armed), true, timer.key.due)) {
      auto key = timers_.ArmDeadline(TimerKind::kDate, rule, *next, timer.customer_id);
      if (!key.ok()) return key.status();
      s.timer = *key;
    }
  }
  store_.MarkDirty(*customer);
  PATRON_RETURN_IF_ERROR(FireAtDeadline(rule, timer.key.due, *customer));
  return timers_.SyncDateRules(**customer, timer.key.due);
}

Status TimerFiring::FireScheduleSlice(const CompiledRule& rule, TimerRecord& timer, bool& done,
                                      const std::function<Status()>& after_each) {
  const TimePoint due = timer.key.due;
  PATRON_RETURN_IF_ERROR(BroadcastSlice(store_, timer, options_.broadcast_slice, broadcast_ids_, done,
                                        [&](CustomerRecord& c) -> Status {
                                          ++stats_.broadcast_customers;
                                          PATRON_RETURN_IF_ERROR(FireAtDeadline(rule, due, &c));
                                          PATRON_RETURN_IF_ERROR(after_each());
                                          return AfterFiring(&c, due);
                                        }));
  if (!done) return Status::Ok();
  PATRON_RETURN_IF_ERROR(store_.DeleteTimer(timer.key));
  return timers_.ArmNextSchedule(rule, due);
}

}  // namespace patron
