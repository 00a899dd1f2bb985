#include "engine/compile/compile_v2.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "base/stable_hash.hpp"

namespace patron {
namespace {

// The index of the measure `e` reads (customer.<measure>), or -1.
int32_t MeasureOf(const dsl::RuleSet& rules, const dsl::Expr& e) {
  if (e.kind != dsl::ExprKind::kPath || e.root != dsl::PathRoot::kCustomer || e.segments.size() != 1)
    return -1;
  if (e.measure >= 0) return e.measure;
  for (size_t i = 0; i < rules.measures.size(); ++i)
    if (rules.measures[i].name.text == e.segments[0].text) return static_cast<int32_t>(i);
  return -1;
}

int32_t SegmentOf(const dsl::RuleSet& rules, const dsl::Expr& e) {
  if (e.segment >= 0) return e.segment;
  for (size_t i = 0; i < rules.segments.size(); ++i)
    if (rules.segments[i].name.text == e.segment_name.text) return static_cast<int32_t>(i);
  return -1;
}

// Appends the definitions `e` depends on (the segments it names and the
// measures it reads, transitively), each once, in the order first met: a
// segment's state key changes when any of them changes.
void AppendDependencies(const dsl::RuleSet& rules, const dsl::Expr& e, std::set<int32_t>& segments,
                        std::set<int32_t>& measures, std::string& out) {
  if (int32_t m = MeasureOf(rules, e); m >= 0 && measures.insert(m).second) {
    const dsl::Measure& measure = rules.measures[static_cast<size_t>(m)];
    out += "\x1fmeasure " + measure.name.text + " = " + measure.definition;
  }
  if (e.kind == dsl::ExprKind::kSegment) {
    int32_t s = SegmentOf(rules, e);
    if (s >= 0 && segments.insert(s).second) {
      const dsl::Segment& seg = rules.segments[static_cast<size_t>(s)];
      out += "\x1fsegment " + seg.name.text + " = " + seg.definition;
      if (seg.expr) AppendDependencies(rules, *seg.expr, segments, measures, out);
    }
  }
  for (const auto& a : e.args) AppendDependencies(rules, *a, segments, measures, out);
}

// Whether the value of `node` can change with time alone.
bool TimeDependent(const CompiledRules& g, uint32_t node, std::vector<int8_t>& memo) {
  if (node == kNoNode) return false;
  if (memo[node] >= 0) return memo[node] == 1;
  const Node& n = g.nodes[node];
  bool dependent =
      n.op == NodeOp::kNow || n.op == NodeOp::kDaysSince || n.op == NodeOp::kHoursSince ||
      n.op == NodeOp::kCustomerMeasure ||
      (n.op == NodeOp::kCustomerAttr && n.arg == static_cast<uint32_t>(CustomerAttr::kLifecycle));
  dependent = dependent || TimeDependent(g, n.a, memo) || TimeDependent(g, n.b, memo);
  if (n.op == NodeOp::kMakeList)
    for (uint32_t i = 0; i < n.count && !dependent; ++i)
      dependent = TimeDependent(g, g.list_children[n.arg + i], memo);
  memo[node] = dependent ? 1 : 0;
  return dependent;
}

}  // namespace

void CompileMeasures(const dsl::RuleSet& rules, ExprBuilder& exprs, CompiledRules& out,
                     std::vector<uint32_t>& roots) {
  out.measures.reserve(rules.measures.size());
  for (size_t i = 0; i < rules.measures.size(); ++i) {
    const dsl::Measure& m = rules.measures[i];
    CompiledMeasure& c = out.measures.emplace_back();
    c.name = m.name.text;
    c.key = StableHash({"measure", m.name.text, m.definition});
    c.event_type = m.event_type.text;
    c.aggregate = m.aggregate;
    c.window = m.window;
    c.window_length = m.window_length;
    ExprScope scope;
    scope.declared = out.Declared(c.event_type);
    if (m.field) roots.push_back(c.field = exprs.EventField({m.field->text}, false));
    if (m.where) roots.push_back(c.where = exprs.Compile(*m.where, scope));
    out.types[c.event_type].measures.push_back(static_cast<uint32_t>(i));
  }
}

void CompilePolicies(const dsl::RuleSet& rules, CompiledRules& out) {
  out.policies.reserve(rules.policies.size());
  for (const dsl::Policy& p : rules.policies) {
    CompiledPolicy& c = out.policies.emplace_back();
    c.name = p.name.text;
    c.skip_reason = "policy " + p.name.text;
    c.key = StableHash({"policy", p.name.text});
    if (p.limit) {
      c.has_limit = true;
      c.limit_count = p.limit->count;
      c.limit_window = p.limit->window;
    }
    if (p.between) {
      c.has_between = true;
      c.between_from = p.between->from_minutes;
      c.between_to = p.between->to_minutes;
    }
  }
}

void CompileRulePolicy(const dsl::RuleSet& rules, const dsl::Rule& rule, CompiledRule& out_rule) {
  for (const dsl::Action& a : rule.actions)
    out_rule.marketing |= a.kind == ActionKind::kMessage || a.kind == ActionKind::kCoupon;
  out_rule.policy = -1;
  for (size_t i = 0; i < rules.policies.size(); ++i) {
    const dsl::Policy& p = rules.policies[i];
    if (rule.policy ? p.name.text == rule.policy->text : p.is_default) {
      out_rule.policy = static_cast<int32_t>(i);
      break;
    }
  }
  if (rule.policy && rule.policy->text == "none") out_rule.policy = -1;
}

void CompileTrackedSegments(const dsl::RuleSet& rules, ExprBuilder& exprs, CompiledRules& out,
                            std::vector<uint32_t>& roots) {
  if (!rules.refreshes.empty()) out.refresh_minutes = rules.refreshes[0].at_minutes;
  std::vector<int32_t> tracked_of(rules.segments.size(), -1);  // segment index -> tracked index
  std::vector<int8_t> memo(out.nodes.size(), -1);
  bool any_time_dependent = false;
  for (CompiledRule& r : out.rules) {
    if (r.trigger != dsl::TriggerKind::kEnters && r.trigger != dsl::TriggerKind::kLeaves) continue;
    const dsl::Trigger& t = rules.rules[r.index].trigger;
    dsl::Expr ref;
    ref.kind = dsl::ExprKind::kSegment;
    ref.segment = t.segment;
    ref.segment_name = t.segment_name;
    ref.span = t.segment_name.span;
    const int32_t s = SegmentOf(rules, ref);
    if (s < 0) {
      exprs.Compile(ref, ExprScope{});  // reports the unknown segment
      continue;
    }
    if (tracked_of[s] < 0) {
      const dsl::Segment& seg = rules.segments[static_cast<size_t>(s)];
      tracked_of[s] = static_cast<int32_t>(out.tracked_segments.size());
      TrackedSegment& ts = out.tracked_segments.emplace_back();
      ts.name = seg.name.text;
      std::string definition = seg.definition;
      std::set<int32_t> segments{s}, measures;
      if (seg.expr) AppendDependencies(rules, *seg.expr, segments, measures, definition);
      ts.key = StableHash({"segment", seg.name.text, definition});
      roots.push_back(ts.condition = exprs.Compile(ref, ExprScope{}));
      memo.resize(out.nodes.size(), -1);
      ts.time_dependent = TimeDependent(out, ts.condition, memo);
      any_time_dependent |= ts.time_dependent;
    }
    r.tracked_segment = static_cast<uint32_t>(tracked_of[s]);
    TrackedSegment& ts = out.tracked_segments[r.tracked_segment];
    (r.trigger == dsl::TriggerKind::kEnters ? ts.enters : ts.leaves).push_back(r.index);
  }
  for (TrackedSegment& ts : out.tracked_segments) {
    auto by_rank = [&](uint32_t a, uint32_t b) { return out.rules[a].rank < out.rules[b].rank; };
    std::sort(ts.enters.begin(), ts.enters.end(), by_rank);
    std::sort(ts.leaves.begin(), ts.leaves.end(), by_rank);
  }
  if (any_time_dependent)
    out.refresh_key = StableHash({"segments refresh", std::to_string(out.refresh_minutes)});
}

}  // namespace patron
