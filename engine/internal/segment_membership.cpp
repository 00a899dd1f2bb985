#include "engine/internal/segment_membership.hpp"

#include "base/timezone.hpp"
#include "engine/internal/broadcast.hpp"
#include "engine/internal/firing.hpp"

namespace patron {

SegmentMembership::SegmentMembership(const CompiledRules& rules, StateStore& store, Evaluator& evaluator,
                                     const EngineOptions& options, EngineStats& stats, TimerArming& timers,
                                     RuleRunner& runner, EvaluationObserver* observer, const Event& no_event)
    : rules_(rules),
      store_(store),
      evaluator_(evaluator),
      options_(options),
      stats_(stats),
      timers_(timers),
      runner_(runner),
      observer_(observer),
      no_event_(no_event) {}

Status SegmentMembership::AfterEvent(const Event& event, CustomerRecord& customer, int depth) {
  if (rules_.tracked_segments.empty()) return Status::Ok();
  // The trigger has no event; its firings keep the event only as their cause.
  cause_.source = event.source;
  cause_.id = event.id;
  cause_.type = event.type;
  cause_.time = event.time;
  cause_.time_text = event.time_text;
  Firing f;
  f.event = &cause_;
  f.time = event.time;
  return Evaluate(customer, f, false, depth);
}

Status SegmentMembership::Evaluate(CustomerRecord& customer, const Firing& firing, bool time_only,
                                   int depth) {
  evaluator_.BeginEvent(*firing.event, &customer, firing.time);
  for (const TrackedSegment& ts : rules_.tracked_segments) {
    if (time_only && !ts.time_dependent) continue;
    const bool now_in = evaluator_.Eval(ts.condition).truthy();
    const RuleState* before = customer.FindState(ts.key);
    const bool evaluated = before != nullptr && before->seen_first;
    const bool was_in = before != nullptr && before->count > 0;
    if (evaluated && was_in == now_in && before->count <= 1) continue;
    RuleState& s = customer.StateOf(ts.key);
    s.seen_first = true;
    s.count = now_in ? 1 : 0;
    store_.MarkDirty(&customer);
    if (evaluated ? was_in == now_in : !now_in) continue;  // a merged count normalised; a first "not in"
    ++stats_.segment_changes;
    for (uint32_t index : now_in ? ts.enters : ts.leaves) {
      const CompiledRule& rule = rules_.rules[index];
      Firing f = firing;
      // A rule before may have moved the evaluator (a wait, emitted texts):
      // position it on this firing again.
      evaluator_.BeginEvent(*f.event, &customer, f.time);
      Observe(observer_, EvaluationStep::kTrigger, true, rule, f, &customer);
      PATRON_RETURN_IF_ERROR(runner_.AfterTrigger(rule, f, &customer, depth));
    }
    evaluator_.BeginEvent(*firing.event, &customer, firing.time);
  }
  return Status::Ok();
}

bool SegmentMembership::IsRefresh(const TimerRecord& timer) const {
  return rules_.refresh_key != 0 && timer.kind == TimerKind::kSchedule &&
         timer.rule_key == rules_.refresh_key;
}

// The refresh's keyed state (like a schedule rule's): `timer` is its next
// occurrence, `armed` set once it was armed.
Status SegmentMembership::ArmRefresh(TimePoint now) {
  if (rules_.refresh_key == 0) return Status::Ok();
  auto found = store_.FindKeyedState(rules_.refresh_key, {});
  if (!found.ok()) return found.status();
  if (found->has_value() && (*found)->armed) return Status::Ok();
  return ArmRefreshAfter(now);
}

Status SegmentMembership::ArmRefreshAfter(TimePoint after) {
  TimerRecord t;
  t.key.due = NextDailyAt(rules_.zone, after, rules_.refresh_minutes);
  t.kind = TimerKind::kSchedule;
  t.rule_key = rules_.refresh_key;
  t.cause_deadline = t.key.due;
  auto armed = timers_.Arm(std::move(t));
  if (!armed.ok()) return armed.status();
  RuleState s;
  s.rule_key = rules_.refresh_key;
  s.armed = 1;
  s.timer = *armed;
  return store_.PutKeyedState({}, s);
}

Status SegmentMembership::FireRefreshSlice(TimerRecord& timer, bool& done,
                                           const std::function<Status()>& after_each) {
  const TimePoint due = timer.key.due;
  PATRON_RETURN_IF_ERROR(
      BroadcastSlice(store_, timer, options_.broadcast_slice, ids_, done, [&](CustomerRecord& c) -> Status {
        const Firing f = DeadlineFiring(no_event_, due);
        PATRON_RETURN_IF_ERROR(Evaluate(c, f, true, 0));
        PATRON_RETURN_IF_ERROR(after_each());
        if (rules_.date_rules.empty()) return Status::Ok();
        return timers_.SyncDateRules(c, due);
      }));
  if (!done) return Status::Ok();
  PATRON_RETURN_IF_ERROR(store_.DeleteTimer(timer.key));
  return ArmRefreshAfter(due);
}

}  // namespace patron
