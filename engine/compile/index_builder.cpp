#include "engine/compile/index_builder.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

namespace patron {
namespace {

// An event path the index can read: the envelope's id/type/store or a data
// field that is not converted (declared `time` fields compare as times).
bool IsIndexablePath(const Node& n) {
  switch (n.op) {
    case NodeOp::kEventId:
    case NodeOp::kEventType:
    case NodeOp::kEventStore:
      return true;
    case NodeOp::kEventField:
      return !n.as_time;
    default:
      return false;
  }
}

void Flatten(const CompiledRules& g, uint32_t node, std::vector<uint32_t>& out) {
  const Node& n = g.nodes[node];
  if (n.op == NodeOp::kAnd) {
    Flatten(g, n.a, out);
    Flatten(g, n.b, out);
  } else {
    out.push_back(node);
  }
}

struct Bound {
  bool present = false;
  int64_t value = 0;
  bool inclusive = false;
};

struct Interval {
  Bound lo, hi;
  std::vector<uint32_t> conjuncts;
};

struct RuleAnalysis {
  std::vector<std::pair<uint32_t, Value>> eq;  // path node, constant; sorted by path
  std::map<uint32_t, Interval> ranges;         // by path node
  std::vector<uint32_t> other;
};

// `path op constant` with the constant a number, normalised so the path is on the left.
bool AsRange(const CompiledRules& g, const Node& n, uint32_t& path, NodeOp& op, int64_t& micros) {
  if (n.op != NodeOp::kLt && n.op != NodeOp::kLe && n.op != NodeOp::kGt && n.op != NodeOp::kGe) return false;
  const Node& a = g.nodes[n.a];
  const Node& b = g.nodes[n.b];
  auto number_const = [&](const Node& c) {
    return c.op == NodeOp::kConst && g.constants[c.arg].kind() == ValueKind::kNumber;
  };
  if (IsIndexablePath(a) && number_const(b)) {
    path = n.a;
    op = n.op;
    micros = g.constants[b.arg].bits();
    return true;
  }
  if (IsIndexablePath(b) && number_const(a)) {
    path = n.b;
    micros = g.constants[a.arg].bits();
    switch (n.op) {  // c < p  is  p > c
      case NodeOp::kLt: op = NodeOp::kGt; break;
      case NodeOp::kLe: op = NodeOp::kGe; break;
      case NodeOp::kGt: op = NodeOp::kLt; break;
      default: op = NodeOp::kLe; break;
    }
    return true;
  }
  return false;
}

bool AsEquality(const CompiledRules& g, const Node& n, uint32_t& path, Value& constant) {
  if (n.op != NodeOp::kEq) return false;
  auto scalar_const = [&](const Node& c) {
    if (c.op != NodeOp::kConst) return false;
    ValueKind k = g.constants[c.arg].kind();
    return k == ValueKind::kNumber || k == ValueKind::kString;
  };
  const Node& a = g.nodes[n.a];
  const Node& b = g.nodes[n.b];
  if (IsIndexablePath(a) && scalar_const(b)) {
    path = n.a;
    constant = g.constants[b.arg];
    return true;
  }
  if (IsIndexablePath(b) && scalar_const(a)) {
    path = n.b;
    constant = g.constants[a.arg];
    return true;
  }
  return false;
}

void Tighten(Interval& iv, NodeOp op, int64_t v) {
  if (op == NodeOp::kGt || op == NodeOp::kGe) {
    bool inclusive = op == NodeOp::kGe;
    if (!iv.lo.present || v > iv.lo.value || (v == iv.lo.value && !inclusive)) iv.lo = {true, v, inclusive};
  } else {
    bool inclusive = op == NodeOp::kLe;
    if (!iv.hi.present || v < iv.hi.value || (v == iv.hi.value && !inclusive)) iv.hi = {true, v, inclusive};
  }
}

RuleAnalysis Analyse(const CompiledRules& g, uint32_t where) {
  RuleAnalysis r;
  std::vector<uint32_t> conjuncts;
  Flatten(g, where, conjuncts);
  for (uint32_t c : conjuncts) {
    const Node& n = g.nodes[c];
    uint32_t path;
    Value constant;
    NodeOp op;
    int64_t micros;
    if (AsEquality(g, n, path, constant)) {
      bool seen = false;
      for (const auto& [p, v] : r.eq) seen |= p == path;
      if (!seen) {
        r.eq.emplace_back(path, constant);
        continue;
      }
    } else if (AsRange(g, n, path, op, micros)) {
      Interval& iv = r.ranges[path];
      Tighten(iv, op, micros);
      iv.conjuncts.push_back(c);
      continue;
    }
    r.other.push_back(c);
  }
  std::sort(r.eq.begin(), r.eq.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  return r;
}

// Elementary segment range [first, last] an interval covers; false if empty.
bool SegmentRange(const std::vector<int64_t>& points, const Interval& iv, uint32_t& first, uint32_t& last) {
  auto index_of = [&](int64_t v) {
    return static_cast<uint32_t>(std::lower_bound(points.begin(), points.end(), v) - points.begin());
  };
  uint32_t m = static_cast<uint32_t>(points.size());
  first = 0;
  last = 2 * m;
  if (iv.lo.present) first = 2 * index_of(iv.lo.value) + (iv.lo.inclusive ? 1 : 2);
  if (iv.hi.present) last = 2 * index_of(iv.hi.value) + (iv.hi.inclusive ? 1 : 0);
  return first <= last;
}

struct BucketRule {
  uint32_t rule;
  const RuleAnalysis* analysis;
};

// Chooses the bucket's range path and builds its index; sets each rule's
// residual and range_conjuncts, and the bucket's plain codes.
void BuildBucket(CompiledRules& g, std::vector<BucketRule>& members, Bucket& bucket, const CompileOptions& options,
                 std::vector<uint32_t>& roots) {
  std::sort(members.begin(), members.end(),
            [&](const BucketRule& a, const BucketRule& b) { return g.rules[a.rule].rank < g.rules[b.rule].rank; });
  // The numeric path most rules of the bucket bound (ties: the smallest node id).
  std::map<uint32_t, size_t> votes;
  for (const BucketRule& m : members)
    for (const auto& [path, iv] : m.analysis->ranges) ++votes[path];
  uint32_t chosen = kNoNode;
  size_t best = 0;
  for (const auto& [path, n] : votes)
    if (n > best) { best = n; chosen = path; }

  for (const BucketRule& m : members) {
    CompiledRule& rule = g.rules[m.rule];
    rule.residual = m.analysis->other;
    rule.range_conjuncts.clear();
    for (const auto& [path, iv] : m.analysis->ranges) {
      auto& target = path == chosen ? rule.range_conjuncts : rule.residual;
      target.insert(target.end(), iv.conjuncts.begin(), iv.conjuncts.end());
    }
  }

  std::vector<int64_t> points;
  for (const BucketRule& m : members) {
    auto it = m.analysis->ranges.find(chosen);
    if (it == m.analysis->ranges.end()) continue;
    if (it->second.lo.present) points.push_back(it->second.lo.value);
    if (it->second.hi.present) points.push_back(it->second.hi.value);
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());

  // Count entries first: a bucket whose index would be too big stays plain.
  size_t total = 0;
  std::vector<std::pair<uint32_t, uint32_t>> spans(members.size(), {1, 0});
  for (size_t i = 0; i < members.size(); ++i) {
    auto it = members[i].analysis->ranges.find(chosen);
    if (it == members[i].analysis->ranges.end()) continue;
    uint32_t first, last;
    if (SegmentRange(points, it->second, first, last)) {
      spans[i] = {first, last};
      total += last - first + 1;
    } else {
      spans[i] = {1, 0};
    }
  }
  bool use_index = chosen != kNoNode && total <= options.max_range_index_entries;

  if (!use_index) {
    for (const BucketRule& m : members) bucket.plain.push_back(g.rules[m.rule].rank << 1);
    return;
  }
  RangeIndex index;
  index.path = chosen;
  roots.push_back(chosen);
  size_t segments = 2 * points.size() + 1;
  std::vector<uint32_t> counts(segments, 0);
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].analysis->ranges.count(chosen) == 0) continue;
    for (uint32_t s = spans[i].first; s <= spans[i].second; ++s) ++counts[s];
  }
  index.segment_begin.assign(segments + 1, 0);
  for (size_t s = 0; s < segments; ++s) index.segment_begin[s + 1] = index.segment_begin[s] + counts[s];
  index.entries.assign(index.segment_begin[segments], 0);
  std::vector<uint32_t> fill(index.segment_begin.begin(), index.segment_begin.end() - 1);
  for (size_t i = 0; i < members.size(); ++i) {
    uint32_t code = g.rules[members[i].rule].rank << 1;
    if (members[i].analysis->ranges.count(chosen) == 0) {
      bucket.plain.push_back(code);  // bounds other paths only, or none
      continue;
    }
    if (spans[i].first > spans[i].second) continue;  // empty range: never true
    for (uint32_t s = spans[i].first; s <= spans[i].second; ++s) index.entries[fill[s]++] = code | 1;
  }
  index.points = std::move(points);
  bucket.range = std::move(index);
}

}  // namespace

std::vector<uint32_t> BuildDispatch(CompiledRules& g, const CompileOptions& options) {
  std::vector<uint32_t> roots;
  std::vector<RuleAnalysis> analyses(g.rules.size());
  // type -> group paths -> tuple key -> members
  std::map<std::string, std::map<std::vector<uint32_t>, std::map<std::string, std::vector<BucketRule>>>> plan;

  for (CompiledRule& rule : g.rules) {
    rule.indexed = false;
    rule.residual.clear();
    rule.range_conjuncts.clear();
    if (!rule.dispatched) continue;  // only timers fire it
    TypeDispatch& dispatch = g.types[rule.event_type];
    // Stateful triggers change state on every event of the type; a rule
    // with `wait` evaluates its where when the wait ends.
    if (rule.trigger != dsl::TriggerKind::kEvent || rule.where == kNoNode || rule.wait) {
      dispatch.always.push_back(rule.rank << 1);
      continue;
    }
    RuleAnalysis& a = analyses[rule.index];
    a = Analyse(g, rule.where);
    if (a.eq.empty() && a.ranges.empty()) {
      dispatch.always.push_back(rule.rank << 1);
      continue;
    }
    rule.indexed = true;
    std::vector<uint32_t> paths;
    std::string key;
    for (const auto& [path, constant] : a.eq) {
      paths.push_back(path);
      AppendKey(key, constant);
    }
    plan[rule.event_type][paths][key].push_back(BucketRule{rule.index, &a});
  }

  for (auto& [type, groups] : plan) {
    TypeDispatch& dispatch = g.types[type];
    for (auto& [paths, buckets] : groups) {
      EqGroup group;
      group.paths = paths;
      roots.insert(roots.end(), paths.begin(), paths.end());
      for (auto& [key, members] : buckets) {
        Bucket& bucket = group.buckets[key];
        BuildBucket(g, members, bucket, options, roots);
        std::sort(bucket.plain.begin(), bucket.plain.end());
      }
      dispatch.groups.push_back(std::move(group));
    }
  }
  for (auto& [type, dispatch] : g.types) std::sort(dispatch.always.begin(), dispatch.always.end());
  return roots;
}

}  // namespace patron
