#include "engine/compile/graph_dump.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json_string.hpp"
#include "base/stable_hash.hpp"
#include "dsl/ast_dump.hpp"
#include "dsl/check.hpp"
#include "engine/graph.hpp"
#include "model/action_kind.hpp"

namespace patron {
namespace {

// CustomerAttr's names in enumerator order (language.md "Customer
// attributes"); CustomerAttrName checks each against CustomerAttrByName,
// so a reordered enum prints `attr#<n>` instead of a wrong name.
constexpr std::array<std::string_view, 17> kCustomerAttrNames = {
    "id",        "name",         "phone",  "gender", "birthday",       "tier",
    "points",    "tags",         "orders", "spent",  "first_order_at", "last_order_at",
    "joined_at", "last_seen_at", "store",  "owner",  "lifecycle"};

std::string CustomerAttrName(uint32_t arg) {
  if (arg < kCustomerAttrNames.size()) {
    auto attr = CustomerAttrByName(kCustomerAttrNames[arg]);
    if (attr && static_cast<uint32_t>(*attr) == arg) return std::string(kCustomerAttrNames[arg]);
  }
  return "attr#" + std::to_string(arg);
}

std::string Joined(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string ClockText(int32_t minutes) {
  std::string s;
  s += static_cast<char>('0' + minutes / 600 % 10);
  s += static_cast<char>('0' + minutes / 60 % 10);
  s += ':';
  s += static_cast<char>('0' + minutes % 60 / 10);
  s += static_cast<char>('0' + minutes % 10);
  return s;
}

std::string_view BinaryName(NodeOp op) {
  switch (op) {
    case NodeOp::kAnd:
      return "and";
    case NodeOp::kOr:
      return "or";
    case NodeOp::kEq:
      return "==";
    case NodeOp::kNe:
      return "!=";
    case NodeOp::kLt:
      return "<";
    case NodeOp::kLe:
      return "<=";
    case NodeOp::kGt:
      return ">";
    case NodeOp::kGe:
      return ">=";
    case NodeOp::kIn:
      return "in";
    case NodeOp::kContains:
      return "contains";
    case NodeOp::kAdd:
      return "+";
    case NodeOp::kSub:
      return "-";
    case NodeOp::kMul:
      return "*";
    case NodeOp::kDiv:
      return "/";
    default:
      return {};
  }
}

std::string_view CallName(NodeOp op) {
  switch (op) {
    case NodeOp::kDaysSince:
      return "days_since";
    case NodeOp::kHoursSince:
      return "hours_since";
    case NodeOp::kLen:
      return "len";
    case NodeOp::kLower:
      return "lower";
    case NodeOp::kExists:
      return "exists";
    default:
      return {};
  }
}

// Binding strength in the language (language.md "Operators"), loosest first.
enum Level : int {
  kOrLevel = 1,
  kAndLevel,
  kNotLevel,
  kCompareLevel,
  kInLevel,
  kAddLevel,
  kMulLevel,
  kNegLevel,
  kAtom
};

int LevelOf(NodeOp op) {
  switch (op) {
    case NodeOp::kOr:
      return kOrLevel;
    case NodeOp::kAnd:
      return kAndLevel;
    case NodeOp::kNot:
      return kNotLevel;
    case NodeOp::kEq:
    case NodeOp::kNe:
    case NodeOp::kLt:
    case NodeOp::kLe:
    case NodeOp::kGt:
    case NodeOp::kGe:
      return kCompareLevel;
    case NodeOp::kIn:
    case NodeOp::kContains:
      return kInLevel;
    case NodeOp::kAdd:
    case NodeOp::kSub:
      return kAddLevel;
    case NodeOp::kMul:
    case NodeOp::kDiv:
      return kMulLevel;
    case NodeOp::kNegate:
      return kNegLevel;
    default:
      return kAtom;
  }
}

class GraphDumper {
 public:
  explicit GraphDumper(const CompiledRules& g) : g_(g), reached_by_(g.nodes.size()) {}

  std::string Run() {
    ComputeReach();
    Header();
    Declared();
    Nodes();
    Types();
    for (const CompiledRule& r : g_.rules) Rule(r);
    Version2();
    return std::move(out_);
  }

 private:
  void Line(int depth, const std::string& text) {
    out_.append(static_cast<size_t>(depth) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }

  // ------------------------------------------------------------ values

  std::string ValueText(const Value& v) const {
    switch (v.kind()) {
      case ValueKind::kNull:
        return "null";
      case ValueKind::kBool:
        return v.boolean() ? "true" : "false";
      case ValueKind::kNumber:
        return v.number().ToString();
      case ValueKind::kString:
        return Quoted(v.string());
      case ValueKind::kTime:
        return FormatRfc3339Utc(v.time());
      case ValueKind::kDuration:
        return dsl::FormatDuration(v.duration());
      case ValueKind::kDate:
        return FormatDate(v.date());
      case ValueKind::kList: {
        std::vector<std::string> items;
        for (const Value& item : v.list()) items.push_back(ValueText(item));
        return "[" + Joined(items, ", ") + "]";
      }
      case ValueKind::kObject: {
        std::string out;
        AppendJson(out, v);
        return out;
      }
    }
    return "?";
  }

  std::string Micros(int64_t micros) const { return Decimal::FromMicros(micros).ToString(); }

  // ------------------------------------------------------------ expressions

  std::string Ref(uint32_t node) const { return node == kNoNode ? "-" : "#" + std::to_string(node); }
  std::string RuleRef(uint32_t rule) const { return "r" + std::to_string(rule); }
  std::string CodeRef(uint32_t code) const { return RuleRef(g_.rank_to_rule[code >> 1]); }

  // A node and its expression: "#6 = event.amount > 100" ("#3 event.amount" for a leaf).
  std::string RefExpr(uint32_t node) const {
    if (node == kNoNode) return "-";
    const std::string text = Expr(node);
    const bool leaf = LevelOf(g_.nodes[node].op) == kAtom && g_.nodes[node].op != NodeOp::kMakeList &&
                      CallName(g_.nodes[node].op).empty();
    return Ref(node) + (leaf ? " " : " = ") + text;
  }

  // The expression of `node`, with the fewest parentheses that keep its
  // structure (and always around the operand of `not` unless it is an atom).
  std::string Expr(uint32_t node) const {
    if (node == kNoNode) return "-";
    const Node& n = g_.nodes[node];
    switch (n.op) {
      case NodeOp::kConst:
        return ValueText(g_.constants[n.arg]);
      case NodeOp::kEventId:
        return "event.id";
      case NodeOp::kEventType:
        return "event.type";
      case NodeOp::kEventTime:
        return "event.time";
      case NodeOp::kEventStore:
        return "event.store";
      case NodeOp::kEventField:
        return "event." + Joined(g_.event_paths[n.arg], ".");
      case NodeOp::kCustomerAttr:
        return "customer." + CustomerAttrName(n.arg);
      case NodeOp::kCustomerCustom:
        return "customer.attrs." + Joined(g_.attr_paths[n.arg], ".");
      case NodeOp::kCustomerMeasure:
        return "customer." + g_.measures[n.arg].name;
      case NodeOp::kNow:
        return "now()";
      case NodeOp::kMakeList: {
        std::vector<std::string> items;
        for (uint32_t i = 0; i < n.count; ++i) items.push_back(Expr(g_.list_children[n.arg + i]));
        return "[" + Joined(items, ", ") + "]";
      }
      case NodeOp::kNot:
        return "not " + Operand(n.a, kAtom);
      case NodeOp::kNegate:
        return "-" + Operand(n.a, kNegLevel);
      case NodeOp::kDaysSince:
      case NodeOp::kHoursSince:
      case NodeOp::kLen:
      case NodeOp::kLower:
      case NodeOp::kExists:
        return std::string(CallName(n.op)) + "(" + Expr(n.a) + ")";
      default: {
        const int level = LevelOf(n.op);
        // and/or chain freely; other operators group to the left.
        const bool associative = n.op == NodeOp::kAnd || n.op == NodeOp::kOr;
        return Operand(n.a, level) + " " + std::string(BinaryName(n.op)) + " " +
               Operand(n.b, associative ? level : level + 1);
      }
    }
  }

  // `node` as an operand that must bind at least as tightly as `min_level`.
  std::string Operand(uint32_t node, int min_level) const {
    if (node == kNoNode) return "-";
    const NodeOp op = g_.nodes[node].op;
    std::string text = Expr(node);
    const int level = LevelOf(op);
    // An and under an and (or an or under an or) needs no parentheses.
    const bool same_chain = (op == NodeOp::kAnd || op == NodeOp::kOr) && min_level == level;
    if (level >= min_level || same_chain) return text;
    return "(" + text + ")";
  }

  std::string OpText(const Node& n) const {
    switch (n.op) {
      case NodeOp::kConst:
        return "const " + ValueText(g_.constants[n.arg]);
      case NodeOp::kMakeList: {
        std::vector<std::string> items;
        for (uint32_t i = 0; i < n.count; ++i) items.push_back(Ref(g_.list_children[n.arg + i]));
        return "list " + Joined(items, " ");
      }
      case NodeOp::kNot:
        return "not " + Ref(n.a);
      case NodeOp::kNegate:
        return "negate " + Ref(n.a);
      default:
        break;
    }
    if (!CallName(n.op).empty()) return std::string(CallName(n.op)) + " " + Ref(n.a);
    if (!BinaryName(n.op).empty()) return std::string(BinaryName(n.op)) + " " + Ref(n.a) + " " + Ref(n.b);
    return {};  // a leaf: its expression says it all
  }

  // ------------------------------------------------------------ reach

  // Every node a rule's compiled parts refer to, directly or below.
  std::vector<uint32_t> RuleRoots(const CompiledRule& r) const {
    std::vector<uint32_t> roots = {r.aggregate_field, r.aggregate_where, r.where,
                                   r.trigger_where,   r.on_field,        r.limit_path};
    roots.insert(roots.end(), r.residual.begin(), r.residual.end());
    roots.insert(roots.end(), r.range_conjuncts.begin(), r.range_conjuncts.end());
    if (r.trigger == dsl::TriggerKind::kEnters || r.trigger == dsl::TriggerKind::kLeaves)
      roots.push_back(g_.tracked_segments[r.tracked_segment].condition);
    for (const CompiledAction& a : r.actions) {
      for (const TemplatePiece& p : a.text.pieces) roots.push_back(p.node);
      roots.push_back(a.value);
      for (const auto& [name, node] : a.emit_fields) roots.push_back(node);
    }
    return roots;
  }

  // Marks in `seen` every node at or below `roots`, calling `reach` for each once.
  template <typename Reach>
  void Walk(const std::vector<uint32_t>& roots, std::vector<bool>& seen, Reach reach) const {
    std::vector<uint32_t> stack;
    for (uint32_t root : roots)
      if (root != kNoNode) stack.push_back(root);
    while (!stack.empty()) {
      uint32_t id = stack.back();
      stack.pop_back();
      if (id >= g_.nodes.size() || seen[id]) continue;
      seen[id] = true;
      reach(id);
      const Node& n = g_.nodes[id];
      if (n.a != kNoNode) stack.push_back(n.a);
      if (n.b != kNoNode) stack.push_back(n.b);
      if (n.op == NodeOp::kMakeList)
        for (uint32_t i = 0; i < n.count; ++i) stack.push_back(g_.list_children[n.arg + i]);
    }
  }

  void ComputeReach() {
    std::vector<bool> seen(g_.nodes.size());
    for (const CompiledRule& r : g_.rules) {
      std::fill(seen.begin(), seen.end(), false);
      Walk(RuleRoots(r), seen, [&](uint32_t id) { reached_by_[id].push_back(r.index); });
    }
    // Nodes only measures read (their fields and filters).
    measure_nodes_.assign(g_.nodes.size(), false);
    std::vector<uint32_t> measure_roots;
    for (const CompiledMeasure& m : g_.measures) measure_roots.insert(measure_roots.end(), {m.field, m.where});
    Walk(measure_roots, measure_nodes_, [](uint32_t) {});
  }

  // ------------------------------------------------------------ sections

  void Header() {
    const GraphStats s = g_.Stats();
    Line(0, "graph");
    Line(1, "timezone " + g_.timezone);
    Line(1, "stats nodes " + std::to_string(s.nodes) + ", memo " + std::to_string(s.memo_nodes) +
                ", indexed rules " + std::to_string(s.indexed_rules) + ", always rules " +
                std::to_string(s.always_rules) + ", groups " + std::to_string(s.groups) + ", buckets " +
                std::to_string(s.buckets) + ", range indexes " + std::to_string(s.range_indexes));
    std::vector<std::string> order;
    for (uint32_t rule : g_.rank_to_rule) order.push_back(RuleRef(rule));
    Line(1, "evaluation order " + (order.empty() ? "-" : Joined(order, " ")));
    if (!g_.date_rules.empty()) Line(1, "date rules " + RuleList(g_.date_rules));
    if (!g_.schedule_rules.empty()) Line(1, "schedule rules " + RuleList(g_.schedule_rules));
  }

  std::string RuleList(const std::vector<uint32_t>& rules) const {
    std::vector<std::string> refs;
    for (uint32_t r : rules) refs.push_back(RuleRef(r));
    return refs.empty() ? "-" : Joined(refs, " ");
  }

  std::string CodeList(const uint32_t* begin, const uint32_t* end) const {
    std::vector<std::string> refs;
    for (const uint32_t* c = begin; c != end; ++c) refs.push_back(CodeRef(*c));
    return refs.empty() ? "-" : Joined(refs, " ");
  }
  std::string CodeList(const std::vector<uint32_t>& codes) const {
    return CodeList(codes.data(), codes.data() + codes.size());
  }

  void Declared() {
    std::vector<std::string_view> types;
    for (const auto& [type, fields] : g_.declared) types.push_back(type);
    std::sort(types.begin(), types.end());
    for (std::string_view type : types) {
      Line(0, "declared " + std::string(type));
      for (const DeclaredField& f : *g_.Declared(type))
        Line(1, f.name + " " + std::string(dsl::TypeName(f.type)));
    }
  }

  void Nodes() {
    Line(0, "nodes");
    for (uint32_t id = 0; id < g_.nodes.size(); ++id) {
      const Node& n = g_.nodes[id];
      std::string text = Ref(id) + " ";
      const std::string op = OpText(n);
      if (op.empty()) {
        text += Expr(id);
      } else {
        text += op;
        if (n.op != NodeOp::kConst) text += " = " + Expr(id);
      }
      std::vector<std::string> flags;
      if (n.memo) flags.push_back("memo");
      if (n.customer_dependent) flags.push_back("customer");
      if (n.as_time) flags.push_back("time");
      const std::vector<uint32_t>& rules = reached_by_[id];
      if (rules.size() > 1)
        flags.push_back("shared by " + RuleList(rules));
      else if (rules.empty())
        flags.push_back(measure_nodes_[id] ? "measure" : "unreferenced");
      if (!flags.empty()) text += " [" + Joined(flags, ", ") + "]";
      Line(1, text);
    }
  }

  // The constants of a bucket, read back from a member rule's where: the
  // first `path == constant` conjunct of each group path (as the index
  // builder chose them), checked against the bucket's key.
  std::string BucketLabel(const EqGroup& group, const std::string& key, const Bucket& bucket) const {
    uint32_t code = UINT32_MAX;
    if (!bucket.plain.empty())
      code = bucket.plain.front();
    else if (bucket.range && !bucket.range->entries.empty())
      code = bucket.range->entries.front();
    if (code != UINT32_MAX) {
      const CompiledRule& rule = g_.rules[g_.rank_to_rule[code >> 1]];
      std::vector<uint32_t> conjuncts;
      Flatten(rule.where, conjuncts);
      std::vector<std::string> parts;
      std::string rebuilt;
      for (uint32_t path : group.paths) {
        for (uint32_t c : conjuncts) {
          const Node& n = g_.nodes[c];
          if (n.op != NodeOp::kEq) continue;
          uint32_t other = n.a == path ? n.b : n.b == path ? n.a : kNoNode;
          if (other == kNoNode || g_.nodes[other].op != NodeOp::kConst) continue;
          const Value& v = g_.constants[g_.nodes[other].arg];
          if (!AppendKey(rebuilt, v)) continue;
          parts.push_back(ValueText(v));
          break;
        }
      }
      if (rebuilt == key && parts.size() == group.paths.size())
        return parts.empty() ? "-" : Joined(parts, ", ");
    }
    return "key " + Hex64(StableHash({key}));  // not expected: no member says which constants
  }

  void Flatten(uint32_t node, std::vector<uint32_t>& out) const {
    if (node == kNoNode) return;
    const Node& n = g_.nodes[node];
    if (n.op == NodeOp::kAnd) {
      Flatten(n.a, out);
      Flatten(n.b, out);
    } else {
      out.push_back(node);
    }
  }

  void Range(const RangeIndex& index) {
    std::vector<std::string> points;
    for (int64_t p : index.points) points.push_back(Micros(p));
    Line(3, "range " + RefExpr(index.path) + " points " + (points.empty() ? "-" : Joined(points, " ")));
    const size_t segments = index.segment_begin.empty() ? 0 : index.segment_begin.size() - 1;
    for (size_t s = 0; s < segments; ++s) {
      std::string label;
      if (s % 2 == 1) {
        label = "[" + points[s / 2] + "]";
      } else {
        const std::string lo = s == 0 ? "-inf" : points[s / 2 - 1];
        const std::string hi = s / 2 < points.size() ? points[s / 2] : "+inf";
        label = "(" + lo + ", " + hi + ")";
      }
      const uint32_t* entries = index.entries.data();
      Line(4, label + " " + CodeList(entries + index.segment_begin[s], entries + index.segment_begin[s + 1]));
    }
  }

  void Types() {
    std::vector<std::string_view> names;
    for (const auto& [type, dispatch] : g_.types) names.push_back(type);
    std::sort(names.begin(), names.end());
    for (std::string_view name : names) {
      const TypeDispatch& d = *g_.Dispatch(name);
      Line(0, "type " + std::string(name));
      for (const EqGroup& group : d.groups) {
        std::vector<std::string> paths;
        for (uint32_t p : group.paths) paths.push_back(RefExpr(p));
        Line(1, "group " + (paths.empty() ? std::string("-") : Joined(paths, ", ")));
        std::vector<std::pair<std::string, const Bucket*>> buckets;
        for (const auto& [key, bucket] : group.buckets)
          buckets.emplace_back(BucketLabel(group, key, bucket), &bucket);
        std::sort(buckets.begin(), buckets.end(),
                  [](const auto& x, const auto& y) { return x.first < y.first; });
        for (const auto& [label, bucket] : buckets) {
          Line(2, "bucket " + label);
          Line(3, "plain " + CodeList(bucket->plain));
          if (bucket->range) Range(*bucket->range);
        }
      }
      Line(1, "always " + CodeList(d.always));
      for (const Watch& w : d.watches)
        Line(1, "watch " + std::string(WatchName(w.role)) + " " + RuleRef(w.rule));
      for (uint32_t m : d.measures) Line(1, "measure " + g_.measures[m].name);
    }
  }

  static std::string_view WatchName(WatchRole role) {
    switch (role) {
      case WatchRole::kArmAbsence:
        return "arm_absence";
      case WatchRole::kOpenSequence:
        return "open_sequence";
      case WatchRole::kCloseSequence:
        return "close_sequence";
    }
    return "?";
  }

  // The event types whose watches of `role` name `rule`, by name.
  std::string WatchingTypes(uint32_t rule, WatchRole role) const {
    std::vector<std::string> types;
    for (const auto& [type, dispatch] : g_.types)
      for (const Watch& w : dispatch.watches)
        if (w.rule == rule && w.role == role) types.push_back(type);
    std::sort(types.begin(), types.end());
    return types.empty() ? "-" : Joined(types, ", ");
  }

  void Trigger(const CompiledRule& r) {
    switch (r.trigger) {
      case dsl::TriggerKind::kEvent:
        Line(1, "trigger " + r.event_type);
        break;
      case dsl::TriggerKind::kFirst:
        Line(1, "trigger first " + r.event_type);
        break;
      case dsl::TriggerKind::kAggregate: {
        Line(1, "trigger " + std::string(dsl::kAggregateNames[static_cast<size_t>(r.aggregate)]) + " of " +
                    r.event_type);
        if (r.aggregate_field != kNoNode) Line(2, "field " + RefExpr(r.aggregate_field));
        if (r.aggregate_where != kNoNode) Line(2, "where " + RefExpr(r.aggregate_where));
        std::string window;
        if (r.window == dsl::Window::kLifetime)
          window = "lifetime";
        else if (r.window == dsl::Window::kSliding)
          window = "sliding " + dsl::FormatDuration(r.window_length);
        else
          window = "this " + std::string(dsl::kWindowNames[static_cast<size_t>(r.window)]);
        Line(2, "window " + window);
        Line(2, "compare " + std::string(dsl::kCompareNames[static_cast<size_t>(r.compare)]) + " " +
                    r.threshold.ToString());
        break;
      }
      case dsl::TriggerKind::kAbsence:
        Line(1, "trigger absence for " + dsl::FormatDuration(r.duration));
        Line(2, "armed by " + WatchingTypes(r.index, WatchRole::kArmAbsence));
        break;
      case dsl::TriggerKind::kNotFollowedBy:
      case dsl::TriggerKind::kFollowedBy: {
        const bool followed = r.trigger == dsl::TriggerKind::kFollowedBy;
        Line(1, std::string("trigger ") + (followed ? "followed by" : "not followed by") + " within " +
                    dsl::FormatDuration(r.duration));
        Line(2, "opened by " + WatchingTypes(r.index, WatchRole::kOpenSequence));
        if (followed)
          Line(2, "fires on " + r.event_type);
        else
          Line(2, "closed by " + WatchingTypes(r.index, WatchRole::kCloseSequence));
        Line(2, "on " + (r.on_field == kNoNode ? std::string("customer") : RefExpr(r.on_field)));
        break;
      }
      case dsl::TriggerKind::kDate:
        Line(1, "trigger " + dsl::FormatDuration(r.duration) + (r.date_before ? " before " : " after ") +
                    (r.date_is_birthday ? std::string("customer.birthday")
                                        : "customer.attrs." + r.date_attr_name) +
                    (r.yearly ? " yearly" : "") + " at " + ClockText(r.at_minutes));
        break;
      case dsl::TriggerKind::kEveryDay:
        Line(1, "trigger every day at " + ClockText(r.at_minutes));
        break;
      case dsl::TriggerKind::kEveryWeekday:
        Line(1, "trigger every " + std::string(dsl::kWeekdayNames[static_cast<size_t>(r.weekday) % 7]) +
                    " at " + ClockText(r.at_minutes));
        break;
      case dsl::TriggerKind::kOnDate:
        Line(1, "trigger on " + FormatDate(r.on_date) + " at " + ClockText(r.at_minutes));
        break;
      case dsl::TriggerKind::kEnters:
      case dsl::TriggerKind::kLeaves: {
        const TrackedSegment& ts = g_.tracked_segments[r.tracked_segment];
        Line(1, std::string("trigger customer ") + (r.trigger == dsl::TriggerKind::kEnters ? "enters " : "leaves ") +
                    ts.name + " " + RefExpr(ts.condition) + (ts.time_dependent ? ", refreshed daily" : ""));
        break;
      }
    }
    if (r.trigger_where != kNoNode) Line(2, "where " + RefExpr(r.trigger_where));
  }

  std::string Template(const CompiledTemplate& t) const {
    std::string text;
    bool phone = false;
    for (const TemplatePiece& p : t.pieces) {
      if (p.node == kNoNode) {
        text += p.literal;
      } else {
        text += "{" + Expr(p.node) + "}";
        phone |= p.phone;
      }
    }
    return Quoted(text) + (phone ? " [phone]" : "");
  }

  std::string ActionText(const CompiledAction& a) const {
    std::string s = "action " + std::to_string(a.index) + " " + std::string(ActionKindName(a.kind));
    switch (a.kind) {
      case ActionKind::kCoupon:
        s += " " + Template(a.text);
        if (a.coupon_value) s += " value " + a.coupon_value->ToString();
        if (a.coupon_valid) s += " valid " + dsl::FormatDuration(*a.coupon_valid);
        break;
      case ActionKind::kMessage:
        s += " " + std::string(ChannelName(a.channel)) + " " + Template(a.text);
        break;
      case ActionKind::kTicket:
        s += " " + Template(a.text) + " priority " + std::string(PriorityName(a.priority)) + " to " + a.role;
        break;
      case ActionKind::kRemind:
        s += " " + a.role + " " + Template(a.text);
        break;
      case ActionKind::kTag:
      case ActionKind::kUntag:
      case ActionKind::kWebhook:
        s += " " + Template(a.text);
        break;
      case ActionKind::kSet:
        s += " " + a.set_attr_name + " = " + RefExpr(a.value);
        break;
      case ActionKind::kPoints:
        s += " " + RefExpr(a.value);
        break;
      case ActionKind::kEmit: {
        s += " " + a.emit_type;
        std::vector<std::string> fields;
        for (const auto& [name, node] : a.emit_fields) fields.push_back(name + " = " + RefExpr(node));
        if (!fields.empty()) s += " with " + Joined(fields, ", ");
        break;
      }
    }
    return s;
  }

  std::string NodeList(const std::vector<uint32_t>& nodes) const {
    std::vector<std::string> refs;
    for (uint32_t n : nodes) refs.push_back(Ref(n));
    return refs.empty() ? "-" : Joined(refs, " ");
  }

  // Measures and policies, only when the rule set has some.
  void Version2() {
    for (const CompiledMeasure& m : g_.measures) {
      std::string window = m.window == dsl::Window::kLifetime ? "lifetime"
                           : m.window == dsl::Window::kSliding
                               ? "sliding " + dsl::FormatDuration(m.window_length)
                               : "this " + std::string(dsl::kWindowNames[static_cast<size_t>(m.window)]);
      Line(0, "measure " + m.name + " = " + std::string(dsl::kAggregateNames[static_cast<size_t>(m.aggregate)]) +
                  " of " + m.event_type + ", window " + window);
      if (m.field != kNoNode) Line(1, "field " + RefExpr(m.field));
      if (m.where != kNoNode) Line(1, "where " + RefExpr(m.where));
    }
    for (const CompiledPolicy& p : g_.policies) {
      Line(0, "policy " + p.name);
      if (p.has_limit)
        Line(1, "limit " + std::to_string(p.limit_count) + " per customer per " + dsl::FormatDuration(p.limit_window));
      if (p.has_between) Line(1, "between " + ClockText(p.between_from) + " and " + ClockText(p.between_to));
    }
    if (g_.refresh_key != 0) Line(0, "segments refresh at " + ClockText(g_.refresh_minutes));
  }

  void Rule(const CompiledRule& r) {
    Line(0, "rule " + RuleRef(r.index) + " " + Quoted(r.name));
    Line(1, "rank " + std::to_string(r.rank) + ", priority " + std::to_string(r.priority));
    Trigger(r);
    if (r.wait) Line(1, "wait " + dsl::FormatDuration(*r.wait));
    if (r.where != kNoNode) Line(1, "where " + RefExpr(r.where));
    if (!r.dispatched) {
      Line(1, "dispatch timers only");
    } else if (r.indexed) {
      Line(1,
           "dispatch indexed, residual " + NodeList(r.residual) + ", range " + NodeList(r.range_conjuncts));
    } else {
      Line(1, "dispatch always");
    }
    if (r.has_limit) {
      Line(1, "limit " + std::to_string(r.limit_count) + " per " +
                  (r.limit_per_customer ? std::string("customer") : RefExpr(r.limit_path)) + " per " +
                  dsl::FormatDuration(r.limit_window));
    }
    if (r.has_holdout) {
      Line(1, "holdout " + Micros(static_cast<int64_t>(r.holdout_below) * 100) + "% (bucket < " +
                  std::to_string(r.holdout_below) + " of 1000000)");
    }
    if (r.has_between) Line(1, "between " + ClockText(r.between_from) + " and " + ClockText(r.between_to));
    if (r.policy >= 0) Line(1, "policy " + g_.policies[static_cast<size_t>(r.policy)].name);
    for (const CompiledAction& a : r.actions) Line(1, ActionText(a));
  }

  const CompiledRules& g_;
  std::vector<std::vector<uint32_t>> reached_by_;  // node -> rules (by index) reaching it
  std::vector<bool> measure_nodes_;                // node -> reached from a measure
  std::string out_;
};

}  // namespace

std::string DumpGraph(const CompiledRules& rules) { return GraphDumper(rules).Run(); }

}  // namespace patron
