#include "engine/internal/rule_runner.hpp"

#include <algorithm>

#include "base/stable_hash.hpp"
#include "engine/internal/measure_updates.hpp"
#include "engine/window_aggregate.hpp"

namespace patron {
namespace {

bool Holds(Decimal value, dsl::CompareOp op, Decimal threshold) {
  switch (op) {
    case dsl::CompareOp::kEq: return value == threshold;
    case dsl::CompareOp::kNe: return value != threshold;
    case dsl::CompareOp::kLt: return value < threshold;
    case dsl::CompareOp::kLe: return value <= threshold;
    case dsl::CompareOp::kGt: return value > threshold;
    case dsl::CompareOp::kGe: return value >= threshold;
  }
  return false;
}

bool Holds(const std::optional<Decimal>& value, dsl::CompareOp op, Decimal threshold) {
  return value.has_value() && Holds(*value, op, threshold);
}

std::optional<Decimal> Average(const Decimal& sum, int64_t count) {
  if (count == 0) return std::nullopt;
  return Decimal::Divide(sum, Decimal::FromInt(count));
}

std::string LimitDetail(const CompiledRule& rule) {
  std::string d = "limit " + std::to_string(rule.limit_count) + " per ";
  d += rule.limit_per_customer ? "customer" : "key";
  d += " per ";
  AppendText(d, Value::Interval(rule.limit_window));
  return d;
}

}  // namespace

RuleRunner::RuleRunner(const CompiledRules& rules, StateStore& store, Evaluator& evaluator,
                       const EngineOptions& options, EngineStats& stats, RuleCounters& counters,
                       TimerArming& timers, ActionRunner& actions, EvaluationObserver* observer,
                       const Event& no_event)
    : rules_(rules),
      store_(store),
      evaluator_(evaluator),
      options_(options),
      stats_(stats),
      counters_(counters),
      timers_(timers),
      actions_(actions),
      observer_(observer),
      no_event_(no_event),
      policies_(rules, store, stats, observer) {}

Status RuleRunner::RunRules(const Event& event, CustomerRecord* customer, int depth) {
  evaluator_.BeginEvent(event, customer, event.time);
  const TypeDispatch* dispatch = rules_.Dispatch(event.type);
  if (dispatch == nullptr) return Status::Ok();
  if (customer != nullptr && !dispatch->measures.empty() &&
      UpdateMeasures(rules_, *dispatch, evaluator_, *customer, event.time)) {
    store_.MarkDirty(customer);
    evaluator_.CustomerChanged();
  }

  candidates_.clear();
  size_t sources = 0;  // non-empty sorted runs appended
  auto append = [&](const uint32_t* begin, const uint32_t* end) {
    if (begin == end) return;
    candidates_.insert(candidates_.end(), begin, end);
    ++sources;
  };
  for (const EqGroup& group : dispatch->groups) {
    key_.clear();
    bool complete = true;
    for (uint32_t path : group.paths) {
      if (!AppendKey(key_, evaluator_.Eval(path))) {
        complete = false;  // null or not a scalar: no equality can hold
        break;
      }
    }
    if (!complete) continue;
    auto it = group.buckets.find(std::string_view(key_));
    if (it == group.buckets.end()) continue;
    const Bucket& bucket = it->second;
    append(bucket.plain.data(), bucket.plain.data() + bucket.plain.size());
    if (bucket.range) {
      const RangeIndex& index = *bucket.range;
      Value v = evaluator_.Eval(index.path);
      if (v.kind() != ValueKind::kNumber) continue;  // every bound compares false
      auto pos = std::lower_bound(index.points.begin(), index.points.end(), v.bits());
      size_t i = static_cast<size_t>(pos - index.points.begin());
      size_t segment = (pos != index.points.end() && *pos == v.bits()) ? 2 * i + 1 : 2 * i;
      const uint32_t* entries = index.entries.data();
      append(entries + index.segment_begin[segment], entries + index.segment_begin[segment + 1]);
    }
  }
  append(dispatch->always.data(), dispatch->always.data() + dispatch->always.size());
  if (sources > 1) std::sort(candidates_.begin(), candidates_.end());

  // A rule's actions may emit events, but never re-enter this loop: emitted
  // events wait in emits_. candidates_ stays untouched until the loop ends.
  for (size_t i = 0; i < candidates_.size(); ++i) {
    uint32_t code = candidates_[i];
    const CompiledRule& rule = rules_.rules[rules_.rank_to_rule[code >> 1]];
    PATRON_RETURN_IF_ERROR(RunRule(rule, (code & 1) != 0, event, customer, depth));
  }
  return dispatch->watches.empty() ? Status::Ok() : timers_.RunWatches(dispatch->watches, event, customer);
}

Result<bool> RuleRunner::Triggered(const CompiledRule& rule, const Event& event, CustomerRecord* customer) {
  switch (rule.trigger) {
    case dsl::TriggerKind::kFollowedBy: {
      bool within = false;
      PATRON_RETURN_IF_ERROR(timers_.CloseSequence(rule, event, customer, within));
      return within;
    }
    case dsl::TriggerKind::kFirst: {
      if (customer == nullptr) return false;
      RuleState& state = customer->StateOf(rule.rule_key);
      if (state.seen_first) return false;
      state.seen_first = true;
      store_.MarkDirty(customer);
      return true;
    }
    case dsl::TriggerKind::kAggregate: {
      if (customer == nullptr) return false;
      if (!evaluator_.Test(rule.aggregate_where)) return false;
      Decimal x;
      if (rule.aggregate != dsl::Aggregate::kCount) {
        Value v = evaluator_.Eval(rule.aggregate_field);
        if (v.kind() != ValueKind::kNumber) return false;  // not aggregated
        x = v.number();
      }
      RuleState& s = customer->StateOf(rule.rule_key);
      if (rule.window != dsl::Window::kLifetime) {
        WindowSpec spec{rule.window, rule.window_length, &rules_.zone};
        EdgeVerdict v = StepWindowedAggregate(s, spec, rule.aggregate, rule.compare, rule.threshold, event.time, x);
        store_.MarkDirty(customer);
        return v.Fires();
      }
      bool before = false, after = false;
      switch (rule.aggregate) {
        case dsl::Aggregate::kCount:
          before = Holds(Decimal::FromInt(s.count), rule.compare, rule.threshold);
          after = Holds(Decimal::FromInt(s.count + 1), rule.compare, rule.threshold);
          break;
        case dsl::Aggregate::kSum:
          before = Holds(s.sum, rule.compare, rule.threshold);
          after = Holds(s.sum + x, rule.compare, rule.threshold);
          break;
        case dsl::Aggregate::kAvg:
          before = Holds(Average(s.sum, s.count), rule.compare, rule.threshold);
          after = Holds(Average(s.sum + x, s.count + 1), rule.compare, rule.threshold);
          break;
        case dsl::Aggregate::kMin:
          before = Holds(s.min, rule.compare, rule.threshold);
          after = Holds(s.min ? std::min(*s.min, x) : x, rule.compare, rule.threshold);
          break;
        case dsl::Aggregate::kMax:
          before = Holds(s.max, rule.compare, rule.threshold);
          after = Holds(s.max ? std::max(*s.max, x) : x, rule.compare, rule.threshold);
          break;
      }
      s.count += 1;
      s.sum += x;
      if (rule.aggregate == dsl::Aggregate::kMin || rule.aggregate == dsl::Aggregate::kMax ||
          rule.aggregate == dsl::Aggregate::kAvg || rule.aggregate == dsl::Aggregate::kSum) {
        s.min = s.min ? std::min(*s.min, x) : x;
        s.max = s.max ? std::max(*s.max, x) : x;
      }
      store_.MarkDirty(customer);
      return after && !before;
    }
    default:
      return true;
  }
}

Status RuleRunner::SkipForLimit(const CompiledRule& rule, const Firing& firing, const CustomerRecord* customer) {
  ++stats_.skipped_limit;
  Observe(observer_, EvaluationStep::kLimit, false, rule, firing, customer);
  return RecordOutcome(store_, OutcomeKind::kSkippedLimit, rule, firing, customer, LimitDetail(rule));
}

Result<bool> RuleRunner::WithinLimit(const CompiledRule& rule, Firing& firing, CustomerRecord* customer) {
  const TimePoint t = firing.time;
  // The rule's limit is checked first, then the policy's; each records the
  // firing only once both allow it.
  const CompiledPolicy* policy = policies_.LimitingPolicy(rule, customer);
  auto policy_allows = [&]() -> Result<bool> {
    if (policy == nullptr) return true;
    if (!policies_.Allows(*policy, t, *customer)) {
      PATRON_RETURN_IF_ERROR(policies_.Skip(*policy, rule, firing, customer));
      return false;
    }
    policies_.Count(*policy, t, *customer);
    return true;
  };
  if (!rule.has_limit) return policy_allows();
  // At most n firings in (t - D, t]; a firing exactly D later is allowed.
  auto allowed = [&](const RuleState& s) {
    int64_t in_window = 0;
    for (TimePoint f : s.firings)
      if (f > t - rule.limit_window && f <= t) ++in_window;
    return in_window < rule.limit_count;
  };
  auto remember = [&](RuleState& s) {
    s.firings.insert(std::upper_bound(s.firings.begin(), s.firings.end(), t), t);
    size_t keep = static_cast<size_t>(std::max<int64_t>(rule.limit_count, 1));
    if (s.firings.size() > keep) s.firings.erase(s.firings.begin(), s.firings.end() - keep);
  };
  if (rule.limit_per_customer) {
    if (customer == nullptr) return true;  // nothing to key the limit by
    RuleState& s = customer->StateOf(rule.rule_key);
    if (!allowed(s)) {
      PATRON_RETURN_IF_ERROR(SkipForLimit(rule, firing, customer));
      return false;
    }
    auto by_policy = policy_allows();
    if (!by_policy.ok() || !*by_policy) return by_policy;
    remember(customer->StateOf(rule.rule_key));  // (the policy's state may have moved `s`)
    store_.MarkDirty(customer);
    return true;
  }
  Value key = evaluator_.Eval(rule.limit_path);
  if (key.is_null()) return policy_allows();  // a null key is not limited
  std::string& limit_key = firing.limit_key;
  limit_key.clear();
  AppendText(limit_key, key);
  auto found = store_.FindKeyedState(rule.rule_key, limit_key);
  if (!found.ok()) return found.status();
  RuleState s;
  if (found->has_value()) s = std::move(**found);
  s.rule_key = rule.rule_key;
  if (!allowed(s)) {
    PATRON_RETURN_IF_ERROR(SkipForLimit(rule, firing, customer));
    return false;
  }
  auto by_policy = policy_allows();
  if (!by_policy.ok() || !*by_policy) return by_policy;
  remember(s);
  PATRON_RETURN_IF_ERROR(store_.PutKeyedState(limit_key, s));
  return true;
}

Status RuleRunner::RunRule(const CompiledRule& rule, bool range_checked, const Event& event,
                           CustomerRecord* customer, int depth) {
  auto triggered = Triggered(rule, event, customer);
  if (!triggered.ok()) return triggered.status();
  Firing firing;
  firing.event = &event;
  firing.time = event.time;
  Observe(observer_, EvaluationStep::kTrigger, *triggered, rule, firing, customer);
  if (!*triggered) return Status::Ok();
  if (!rule.indexed) return AfterTrigger(rule, firing, customer, depth);
  bool held = true;
  for (uint32_t c : rule.residual)
    if (!evaluator_.Test(c)) {
      held = false;
      break;
    }
  if (held && !range_checked)
    for (uint32_t c : rule.range_conjuncts)
      if (!evaluator_.Test(c)) {
        held = false;
        break;
      }
  Observe(observer_, EvaluationStep::kWhere, held, rule, firing, customer);
  if (!held) return Status::Ok();
  return Proceed(rule, firing, customer, depth);
}

Status RuleRunner::AfterTrigger(const CompiledRule& rule, Firing& firing, CustomerRecord* customer, int depth) {
  if (rule.wait) {
    const bool held = evaluator_.Test(rule.trigger_where);
    Observe(observer_, EvaluationStep::kWhere, held, rule, firing, customer);
    if (!held) return Status::Ok();
    const TimePoint until = firing.time + *rule.wait;
    Observe(observer_, EvaluationStep::kWait, true, rule, firing, customer, {}, until);
    return timers_.ArmLater(TimerKind::kWait, rule, firing, customer, until, no_event_);
  }
  const bool held = evaluator_.Test(rule.where);
  Observe(observer_, EvaluationStep::kWhere, held, rule, firing, customer);
  if (!held) return Status::Ok();
  return Proceed(rule, firing, customer, depth);
}

Status RuleRunner::Proceed(const CompiledRule& rule, Firing& firing, CustomerRecord* customer, int depth) {
  auto within = WithinLimit(rule, firing, customer);
  if (!within.ok()) return within.status();
  if (!*within) return Status::Ok();
  if (rule.has_limit) Observe(observer_, EvaluationStep::kLimit, true, rule, firing, customer);

  counters_.CountFired(rule.index);
  if (rule.has_holdout) {
    std::string_view customer_id = customer ? std::string_view(customer->profile.id) : std::string_view();
    uint64_t bucket = StableHash({"holdout", rule.name, customer_id}) % 1'000'000;
    const bool held_out = bucket < rule.holdout_below;
    Observe(observer_, EvaluationStep::kHoldout, !held_out, rule, firing, customer);
    if (held_out) {
      ++stats_.held_out;
      return RecordOutcome(store_, OutcomeKind::kHeldOut, rule, firing, customer, {});
    }
  }
  if (options_.record_fired_outcomes)
    PATRON_RETURN_IF_ERROR(RecordOutcome(store_, OutcomeKind::kFired, rule, firing, customer, {}));
  return RunOrDefer(rule, firing, customer, depth);
}

Status RuleRunner::RunOrDefer(const CompiledRule& rule, Firing& firing, CustomerRecord* customer, int depth) {
  const bool quiet_hours = rule.has_between || (rule.policy >= 0 && rule.marketing);
  if (!quiet_hours) return actions_.RunActions(rule, firing, customer, depth);
  // others <= marketing: the policy's `between` only holds back messages and coupons.
  const ActionTimes when = policies_.When(rule, firing.time);
  if (when.marketing == firing.time) return actions_.RunActions(rule, firing, customer, depth);
  if (when.others == when.marketing) {
    Observe(observer_, EvaluationStep::kDeferred, true, rule, firing, customer, {}, when.others);
    return timers_.ArmLater(TimerKind::kDeferred, rule, firing, customer, when.others, no_event_);
  }
  bool others = false;
  for (const CompiledAction& a : rule.actions) others |= !IsMarketing(a.kind);
  if (others && when.others == firing.time) {
    PATRON_RETURN_IF_ERROR(actions_.RunActions(rule, firing, customer, depth, ActionSubset::kOthers));
  } else if (others) {
    Observe(observer_, EvaluationStep::kDeferred, true, rule, firing, customer, {}, when.others);
    PATRON_RETURN_IF_ERROR(timers_.ArmLater(TimerKind::kDeferred, rule, firing, customer, when.others, no_event_,
                                            ActionSubsetText(ActionSubset::kOthers)));
  }
  Observe(observer_, EvaluationStep::kDeferred, true, rule, firing, customer, "message,coupon", when.marketing);
  return timers_.ArmLater(TimerKind::kDeferred, rule, firing, customer, when.marketing, no_event_,
                          ActionSubsetText(ActionSubset::kMarketing));
}

}  // namespace patron
