// What an event arms, re-arms or closes for the time-driven rules
// (language.md "Triggers", "Precise semantics"): absence deadlines, the open
// A's of sequences, and date trigger occurrences. Every timer is put in the
// same store batch as the state that refers to it (RuleState::timer, ::open).
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

#include <algorithm>

#include "base/timezone.hpp"
#include "engine/engine_impl.hpp"
#include "engine/sequence_state.hpp"
#include "engine/stored_event.hpp"

namespace patron {
namespace {

// The date a date rule reads from the profile, or nullopt.
std::optional<int32_t> RuleDate(const CompiledRule& rule, const CustomerProfile& p) {
  if (rule.date_is_birthday) return p.birthday;
  const auto* v = p.attrs.if_contains(rule.date_attr_name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return ParseDate(std::string_view(v->get_string()));
}

}  // namespace

Result<TimerKey> Engine::Impl::Arm(TimerRecord timer) {
  timer.key.seq = store_.NextTimerSeq();
  PATRON_RETURN_IF_ERROR(store_.PutTimer(timer));
  ++stats_.timers_armed;
  return timer.key;
}

Result<TimerKey> Engine::Impl::ArmDeadline(TimerKind kind, const CompiledRule& rule, TimePoint due,
                                           std::string_view customer_id) {
  TimerRecord t;
  t.key.due = due;
  t.kind = kind;
  t.rule_key = rule.rule_key;
  t.customer_id = customer_id;
  t.cause_deadline = due;
  return Arm(std::move(t));
}

Status Engine::Impl::Cancel(const TimerKey& key) {
  PATRON_RETURN_IF_ERROR(store_.DeleteTimer(key));
  ++stats_.timers_cancelled;
  return Status::Ok();
}

Status Engine::Impl::RunWatches(const std::vector<Watch>& watches, const Event& event, CustomerRecord* customer) {
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

Status Engine::Impl::ArmAbsence(const CompiledRule& rule, const Event& event, CustomerRecord& customer) {
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

bool Engine::Impl::SequenceKey(const CompiledRule& rule, const Event& event, const CustomerRecord* customer,
                               std::string& key) {
  (void)event;  // the evaluator is positioned on it
  key.clear();
  if (rule.on_field == kNoNode) {
    if (customer == nullptr) return false;
    key = customer->profile.id;
    return true;
  }
  return AppendKey(key, evaluator_.Eval(rule.on_field));
}

Status Engine::Impl::OpenSequence(const CompiledRule& rule, const Event& event, CustomerRecord* customer) {
  std::string key;
  if (!SequenceKey(rule, event, customer, key)) return Status::Ok();
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

Status Engine::Impl::CloseSequence(const CompiledRule& rule, const Event& event, CustomerRecord* customer,
                                   bool& within) {
  within = false;
  std::string key;
  if (!SequenceKey(rule, event, customer, key)) return Status::Ok();
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

Status Engine::Impl::SyncDateRules(CustomerRecord& customer, TimePoint now) {
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
      Duration offset = rule.date_before ? -rule.duration : rule.duration;
      auto next = NextDateOccurrence(rules_.zone, *date, offset, rule.yearly, rule.at_minutes, now);
      if (next) {
        auto key = ArmDeadline(TimerKind::kDate, rule, *next, customer.profile.id);
        if (!key.ok()) return key.status();
        s.timer = *key;
      }
    }
    store_.MarkDirty(&customer);
  }
  return Status::Ok();
}

}  // namespace patron
