// Firing what comes due (language.md "Order of work", "Precise semantics"):
// FireDue() takes the timers due by the clock's Now() in (due, arming)
// order and runs each: an absence deadline, an open A of a sequence, the end
// of a wait, actions deferred by `between`, a date occurrence, or one slice
// of a schedule broadcast. Each timer is removed in the same batch as what
// its firing changed, so a restart neither loses nor repeats it.
//
// Choices beyond the specs:
// - A timer whose rule is no longer in the rule set is dropped when it
//   comes due. One whose customer was merged into another follows the
//   survivor when the timer keeps an event (sequences, waits, deferrals:
//   its identifiers lead there); absence and date timers of the merged-away
//   customer are dropped (the survivor has its own).
// - A broadcast visits the committed customers in id order, skipping those
//   who joined after its due time; the engine commits before each slice.
//   Events that arrive between slices (`patron run`) are processed at once
//   (an event runs no slice itself: only the run loop's FireDue() does);
//   timers due after the broadcast's time wait until it is finished.
// - Schedules are armed at the first FireDue() with a known time, for the
//   next occurrence strictly after it; `on <date> at` in the past then never
//   fires.

#include <algorithm>

#include "base/stable_hash.hpp"
#include "base/timezone.hpp"
#include "engine/engine_impl.hpp"
#include "engine/sequence_state.hpp"
#include "engine/stored_event.hpp"

namespace patron {
namespace {

Firing DeadlineFiring(const Event& no_event, TimePoint due) {
  Firing f;
  f.event = &no_event;
  f.time = due;
  f.deadline = due;
  f.deadline_text = FormatRfc3339Utc(due);
  return f;
}

// Keyed state of a schedule rule: `timer` is its next occurrence, `armed` set
// once it was armed (so that a schedule that has no next occurrence, like a
// past `on <date>`, is not armed again).
uint64_t ScheduleKey(const CompiledRule& rule) { return StableHash({"schedule", rule.name}); }

// The next occurrence of a schedule rule strictly after `after`, or nullopt.
std::optional<TimePoint> NextOccurrence(const CompiledRule& rule, const TimeZone& zone, TimePoint after) {
  switch (rule.trigger) {
    case dsl::TriggerKind::kEveryDay: return NextDailyAt(zone, after, rule.at_minutes);
    case dsl::TriggerKind::kEveryWeekday: return NextWeekdayAt(zone, after, rule.weekday, rule.at_minutes);
    case dsl::TriggerKind::kOnDate: {
      TimePoint t = zone.AtLocal(rule.on_date, rule.at_minutes);
      if (t > after) return t;
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

}  // namespace

Result<bool> Engine::Impl::FireDue(size_t max_slices) {
  const TimePoint now = clock_.Now();
  if (now == INT64_MIN) return false;  // no time known yet (no event seen)
  if (!schedules_armed_) {
    PATRON_RETURN_IF_ERROR(ArmSchedules(now));
    schedules_armed_ = true;
  }
  size_t slices = 0;
  while (true) {
    auto next = store_.NextDueTimer(now);
    if (!next.ok()) return next.status();
    if (!next->has_value()) return false;
    TimerRecord timer = std::move(**next);
    const CompiledRule* rule = rules_.FindRuleByKey(timer.rule_key);
    if (rule == nullptr) {  // the rule was removed from the rule set
      PATRON_RETURN_IF_ERROR(Cancel(timer.key));
      continue;
    }
    if (timer.kind == TimerKind::kSchedule) {
      if (slices >= max_slices) return true;
      ++slices;
      bool done = false;
      PATRON_RETURN_IF_ERROR(FireScheduleSlice(*rule, timer, done));
      if (done) ++stats_.timers_fired;
    } else {
      PATRON_RETURN_IF_ERROR(store_.DeleteTimer(timer.key));
      ++stats_.timers_fired;
      PATRON_RETURN_IF_ERROR(FireTimer(*rule, timer));
    }
    PATRON_RETURN_IF_ERROR(RunEmits());
  }
}

Status Engine::Impl::ArmSchedules(TimePoint now) {
  for (uint32_t index : rules_.schedule_rules) {
    const CompiledRule& rule = rules_.rules[index];
    auto found = store_.FindKeyedState(ScheduleKey(rule), {});
    if (!found.ok()) return found.status();
    if (found->has_value() && (*found)->armed) continue;
    PATRON_RETURN_IF_ERROR(ArmNextSchedule(rule, now));
  }
  return Status::Ok();
}

Status Engine::Impl::ArmNextSchedule(const CompiledRule& rule, TimePoint after) {
  RuleState s;
  s.rule_key = ScheduleKey(rule);
  s.armed = 1;
  if (auto next = NextOccurrence(rule, rules_.zone, after)) {
    auto armed = ArmDeadline(TimerKind::kSchedule, rule, *next, {});
    if (!armed.ok()) return armed.status();
    s.timer = *armed;
  }
  return store_.PutKeyedState({}, s);
}

Status Engine::Impl::FireTimer(const CompiledRule& rule, TimerRecord& timer) {
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
    case TimerKind::kSchedule: return Status::Ok();  // FireDue runs broadcasts
  }
  return Status::Ok();
}

Result<CustomerRecord*> Engine::Impl::TimerCustomer(const TimerRecord& timer) {
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

Firing Engine::Impl::TimerFiring(const TimerRecord& timer, TimePoint time) {
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

Status Engine::Impl::ArmLater(TimerKind kind, const CompiledRule& rule, const Firing& firing,
                              const CustomerRecord* customer, TimePoint due) {
  TimerRecord t;
  t.key.due = due;
  t.kind = kind;
  t.rule_key = rule.rule_key;
  if (customer != nullptr) t.customer_id = customer->profile.id;
  if (firing.event != &no_event_) t.event = ToStoredEvent(*firing.event);
  t.cause_deadline = firing.deadline;
  t.limit_key = firing.limit_key;
  t.fired_at = firing.time;
  auto armed = Arm(std::move(t));
  return armed.ok() ? Status::Ok() : armed.status();
}

Status Engine::Impl::FireAbsence(const CompiledRule& rule, const TimerRecord& timer) {
  auto customer = TimerCustomer(timer);
  if (!customer.ok()) return customer.status();
  if (*customer == nullptr) return Status::Ok();
  RuleState& s = (*customer)->StateOf(rule.rule_key);
  if (!s.timer || *s.timer != timer.key) return Status::Ok();  // re-armed since (stale)
  s.timer.reset();  // this silence is over; `armed` keeps its deadline
  store_.MarkDirty(*customer);
  Firing f = DeadlineFiring(no_event_, timer.key.due);
  evaluator_.BeginEvent(*f.event, *customer, f.time);
  PATRON_RETURN_IF_ERROR(AfterTrigger(rule, f, *customer, 0));
  if (!rules_.date_rules.empty()) return SyncDateRules(**customer, f.time);
  return Status::Ok();
}

Status Engine::Impl::FireSequence(const CompiledRule& rule, const TimerRecord& timer) {
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
  Firing f = TimerFiring(timer, timer.key.due);
  evaluator_.BeginEvent(*f.event, *customer, f.time);
  PATRON_RETURN_IF_ERROR(AfterTrigger(rule, f, *customer, 0));
  if (*customer != nullptr && !rules_.date_rules.empty()) return SyncDateRules(**customer, f.time);
  return Status::Ok();
}

Status Engine::Impl::FireLater(const CompiledRule& rule, const TimerRecord& timer) {
  auto customer = TimerCustomer(timer);
  if (!customer.ok()) return customer.status();
  if (!timer.customer_id.empty() && *customer == nullptr) return Status::Ok();
  Firing f = TimerFiring(timer, timer.key.due);
  evaluator_.BeginEvent(*f.event, *customer, f.time);
  if (timer.kind == TimerKind::kWait) {
    // The rest of the rule, against the profile as it is now.
    if (!evaluator_.Test(rule.where)) return Status::Ok();
    PATRON_RETURN_IF_ERROR(Proceed(rule, f, *customer, 0));
  } else {
    PATRON_RETURN_IF_ERROR(RunActions(rule, f, *customer, 0));  // deferred by `between`
  }
  if (*customer != nullptr && !rules_.date_rules.empty()) return SyncDateRules(**customer, f.time);
  return Status::Ok();
}

Status Engine::Impl::FireDate(const CompiledRule& rule, const TimerRecord& timer) {
  auto customer = TimerCustomer(timer);
  if (!customer.ok()) return customer.status();
  if (*customer == nullptr) return Status::Ok();
  RuleState& s = (*customer)->StateOf(rule.rule_key);
  if (!s.timer || *s.timer != timer.key) return Status::Ok();  // the date changed since (stale)
  s.timer.reset();
  if (rule.yearly && s.armed) {
    Duration offset = rule.date_before ? -rule.duration : rule.duration;
    auto next = NextDateOccurrence(rules_.zone, static_cast<int32_t>(*s.armed), offset, true, rule.at_minutes,
                                   timer.key.due);
    if (next) {
      auto key = ArmDeadline(TimerKind::kDate, rule, *next, timer.customer_id);
      if (!key.ok()) return key.status();
      s.timer = *key;
    }
  }
  store_.MarkDirty(*customer);
  Firing f = DeadlineFiring(no_event_, timer.key.due);
  evaluator_.BeginEvent(*f.event, *customer, f.time);
  PATRON_RETURN_IF_ERROR(AfterTrigger(rule, f, *customer, 0));
  return SyncDateRules(**customer, f.time);
}

Status Engine::Impl::FireScheduleSlice(const CompiledRule& rule, TimerRecord& timer, bool& done) {
  PATRON_RETURN_IF_ERROR(Commit());  // every customer must be committed to be listed
  const TimePoint due = timer.key.due;
  const size_t slice = std::max<size_t>(options_.broadcast_slice, 1);
  PATRON_RETURN_IF_ERROR(store_.ListCustomerIds(timer.correlation, slice, broadcast_ids_));
  for (const std::string& id : broadcast_ids_) {
    auto customer = store_.FindCustomer(id);
    if (!customer.ok()) return customer.status();
    CustomerRecord* c = *customer;
    if (c == nullptr || (c->profile.joined_at && *c->profile.joined_at > due)) continue;
    ++stats_.broadcast_customers;
    Firing f = DeadlineFiring(no_event_, due);
    evaluator_.BeginEvent(*f.event, c, f.time);
    PATRON_RETURN_IF_ERROR(AfterTrigger(rule, f, c, 0));
    PATRON_RETURN_IF_ERROR(RunEmits());
    if (!rules_.date_rules.empty()) PATRON_RETURN_IF_ERROR(SyncDateRules(*c, f.time));
  }
  done = broadcast_ids_.size() < slice;
  if (!done) {
    timer.correlation = broadcast_ids_.back();
    return store_.PutTimer(timer);  // the cursor, in the same batch as the slice
  }
  PATRON_RETURN_IF_ERROR(store_.DeleteTimer(timer.key));
  return ArmNextSchedule(rule, due);
}

}  // namespace patron
