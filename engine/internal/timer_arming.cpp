#include "engine/internal/timer_arming.hpp"

#include <algorithm>

#include "base/stable_hash.hpp"
#include "base/timezone.hpp"
#include "engine/internal/sequence_state.hpp"
#include "engine/internal/stored_event.hpp"

namespace patron {
namespace {

// The date a date rule reads from the profile, or nullopt.
std::optional<int32_t> RuleDate(const CompiledRule& rule, const CustomerProfile& p) {
  if (rule.date_is_birthday) return p.birthday;
  const auto* v = p.attrs.if_contains(rule.date_attr_name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return ParseDate(std::string_view(v->get_string()));
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

TimerArming::TimerArming(const CompiledRules& rules, StateStore& store, Evaluator& evaluator, EngineStats& stats)
    : rules_(rules), store_(store), evaluator_(evaluator), stats_(stats) {}

Result<TimerKey> TimerArming::Arm(TimerRecord timer) {
  timer.key.seq = store_.NextTimerSeq();
  if (timer.key.due > kLastRfc3339Time) {
    // Never stored: the state that refers to the key finds nothing when it
    // cancels it, and nothing fires (a yearly date stops at year 9999).
    ++stats_.timers_refused;
    return timer.key;
  }
  PATRON_RETURN_IF_ERROR(store_.PutTimer(timer));
  ++stats_.timers_armed;
  return timer.key;
}

Result<TimerKey> TimerArming::ArmDeadline(TimerKind kind, const CompiledRule& rule, TimePoint due,
                                          std::string_view customer_id) {
  TimerRecord t;
  t.key.due = due;
  t.kind = kind;
  t.rule_key = rule.rule_key;
  t.customer_id = customer_id;
  t.cause_deadline = due;
  return Arm(std::move(t));
}

Status TimerArming::ArmLater(TimerKind kind, const CompiledRule& rule, const Firing& firing,
                             const CustomerRecord* customer, TimePoint due, const Event& no_event,
                             std::string_view subset) {
  TimerRecord t;
  t.key.due = due;
  t.kind = kind;
  t.rule_key = rule.rule_key;
  if (customer != nullptr) t.customer_id = customer->profile.id;
  if (firing.event != &no_event) t.event = ToStoredEvent(*firing.event);
  t.cause_deadline = firing.deadline;
  t.limit_key = firing.limit_key;
  t.fired_at = firing.time;
  t.correlation = subset;
  auto armed = Arm(std::move(t));
  return armed.ok() ? Status::Ok() : armed.status();
}

Status TimerArming::Cancel(const TimerKey& key) {
  PATRON_RETURN_IF_ERROR(store_.DeleteTimer(key));
  ++stats_.timers_cancelled;
  return Status::Ok();
}

Status TimerArming::RunWatches(const std::vector<Watch>& watches, const Event& event, CustomerRecord* customer) {
  for (const Watch& w : watches) {
    const CompiledRule& rule = rules_.rules[w.rule];
    switch (w.role) {
      case WatchRole::kArmAbsence:
        if (customer != nullptr) PATRON_RETURN_IF_ERROR(ArmAbsence(rule, event, *customer));
        break;
      case WatchRole::kOpenSequence:
        PATRON_RETURN_IF_ERROR(OpenSequence(rule, event, customer));
        break;
      case WatchRole::kCloseSequence: {
        bool within = false;
        PATRON_RETURN_IF_ERROR(CloseSequence(rule, event, customer, within));
        break;
      }
    }
  }
  return Status::Ok();
}

Status TimerArming::ArmAbsence(const CompiledRule& rule, const Event& event, CustomerRecord& customer) {
  RuleState& s = customer.StateOf(rule.rule_key);
  const TimePoint deadline = event.time + rule.duration;
  if (s.armed && *s.armed >= deadline) return Status::Ok();
  if (s.timer) PATRON_RETURN_IF_ERROR(Cancel(*s.timer));
  auto key = ArmDeadline(TimerKind::kAbsence, rule, deadline, customer.profile.id);
  if (!key.ok()) return key.status();
  s.timer = *key;
  s.armed = deadline;
  store_.MarkDirty(&customer);
  return Status::Ok();
}

bool TimerArming::SequenceKey(const CompiledRule& rule, const CustomerRecord* customer, std::string& key) {
  key.clear();
  if (rule.on_field == kNoNode) {
    if (customer == nullptr) return false;
    key = customer->profile.id;
    return true;
  }
  return AppendKey(key, evaluator_.Eval(rule.on_field));
}

Status TimerArming::OpenSequence(const CompiledRule& rule, const Event& event, CustomerRecord* customer) {
  std::string key;
  if (!SequenceKey(rule, customer, key)) return Status::Ok();
  TimerRecord t;
  t.key.due = event.time + rule.duration;
  t.kind = TimerKind::kSequence;
  t.rule_key = rule.rule_key;
  if (customer != nullptr) t.customer_id = customer->profile.id;
  t.correlation = key;
  if (rule.trigger == dsl::TriggerKind::kNotFollowedBy) t.event = ToStoredEvent(event);
  auto armed = Arm(std::move(t));
  if (!armed.ok()) return armed.status();
  return WithSequenceState(store_, rule, customer, key, [&](RuleState& s) {
    s.open.insert(std::upper_bound(s.open.begin(), s.open.end(), *armed), *armed);
    return Status::Ok();
  });
}

Status TimerArming::CloseSequence(const CompiledRule& rule, const Event& event, CustomerRecord* customer,
                                  bool& within) {
  within = false;
  std::string key;
  if (!SequenceKey(rule, customer, key)) return Status::Ok();
  return WithSequenceState(store_, rule, customer, key, [&](RuleState& s) {
    auto keep = s.open.begin();
    for (auto it = s.open.begin(); it != s.open.end(); ++it) {
      const TimePoint a_time = it->due - rule.duration;
      if (a_time > event.time) {  // an A later than this B (out of order) stays open
        *keep++ = *it;
        continue;
      }
      if (event.time < it->due) within = true;  // strict: exactly D after A is too late
      PATRON_RETURN_IF_ERROR(Cancel(*it));
    }
    s.open.erase(keep, s.open.end());
    return Status::Ok();
  });
}

std::optional<TimePoint> TimerArming::NextDate(const CompiledRule& rule, int32_t date, bool yearly,
                                               TimePoint after) const {
  Duration offset = rule.date_before ? -rule.duration : rule.duration;
  return NextDateOccurrence(rules_.zone, date, offset, yearly, rule.at_minutes, after);
}

Status TimerArming::SyncDateRules(CustomerRecord& customer, TimePoint now) {
  for (uint32_t index : rules_.date_rules) {
    const CompiledRule& rule = rules_.rules[index];
    std::optional<int32_t> date = RuleDate(rule, customer.profile);
    const RuleState* existing = customer.FindState(rule.rule_key);
    std::optional<int64_t> armed = existing ? existing->armed : std::nullopt;
    if (date.has_value() == armed.has_value() && (!date || *date == *armed)) continue;
    RuleState& s = customer.StateOf(rule.rule_key);
    if (s.timer) {
      PATRON_RETURN_IF_ERROR(Cancel(*s.timer));
      s.timer.reset();
    }
    s.armed.reset();
    if (date) {
      s.armed = *date;
      if (auto next = NextDate(rule, *date, rule.yearly, now)) {
        auto key = ArmDeadline(TimerKind::kDate, rule, *next, customer.profile.id);
        if (!key.ok()) return key.status();
        s.timer = *key;
      }
    }
    store_.MarkDirty(&customer);
  }
  return Status::Ok();
}

Status TimerArming::ArmSchedules(TimePoint now) {
  for (uint32_t index : rules_.schedule_rules) {
    const CompiledRule& rule = rules_.rules[index];
    auto found = store_.FindKeyedState(ScheduleKey(rule), {});
    if (!found.ok()) return found.status();
    if (found->has_value() && (*found)->armed) continue;
    PATRON_RETURN_IF_ERROR(ArmNextSchedule(rule, now));
  }
  return Status::Ok();
}

Status TimerArming::ArmNextSchedule(const CompiledRule& rule, TimePoint after) {
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

}  // namespace patron
