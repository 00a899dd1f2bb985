#include "engine/compile/expr_builder.hpp"

#include <utility>

namespace patron {
namespace {

void AppendU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A key for interning a path: segments joined by a byte that no identifier holds.
std::string PathKey(const std::vector<std::string>& segments, bool as_time) {
  std::string key(1, as_time ? 't' : 'v');
  for (const std::string& s : segments) {
    key += '\x1f';
    key += s;
  }
  return key;
}

bool IsCommutative(NodeOp op) {
  return op == NodeOp::kAnd || op == NodeOp::kOr || op == NodeOp::kEq || op == NodeOp::kNe;
}

NodeOp BinaryOpNode(dsl::BinaryOp op) {
  switch (op) {
    case dsl::BinaryOp::kOr: return NodeOp::kOr;
    case dsl::BinaryOp::kAnd: return NodeOp::kAnd;
    case dsl::BinaryOp::kEq: return NodeOp::kEq;
    case dsl::BinaryOp::kNe: return NodeOp::kNe;
    case dsl::BinaryOp::kLt: return NodeOp::kLt;
    case dsl::BinaryOp::kLe: return NodeOp::kLe;
    case dsl::BinaryOp::kGt: return NodeOp::kGt;
    case dsl::BinaryOp::kGe: return NodeOp::kGe;
    case dsl::BinaryOp::kIn: return NodeOp::kIn;
    case dsl::BinaryOp::kContains: return NodeOp::kContains;
    case dsl::BinaryOp::kAdd: return NodeOp::kAdd;
    case dsl::BinaryOp::kSub: return NodeOp::kSub;
    case dsl::BinaryOp::kMul: return NodeOp::kMul;
    case dsl::BinaryOp::kDiv: return NodeOp::kDiv;
  }
  return NodeOp::kEq;
}

}  // namespace

ExprBuilder::ExprBuilder(const dsl::RuleSet& rules, dsl::Diagnostics& diags, CompiledRules& out)
    : rules_(rules), diags_(diags), out_(out), segment_nodes_(rules.segments.size(), kNoNode) {}

uint32_t ExprBuilder::Intern(Node node) {
  if (IsCommutative(node.op) && node.b < node.a) std::swap(node.a, node.b);
  std::string key;
  key += static_cast<char>(node.op);
  key += node.as_time ? 't' : 'v';
  AppendU32(key, node.a);
  AppendU32(key, node.b);
  AppendU32(key, node.arg);
  AppendU32(key, node.count);
  if (node.op == NodeOp::kMakeList)
    for (uint32_t i = 0; i < node.count; ++i) AppendU32(key, out_.list_children[node.arg + i]);
  auto it = nodes_by_key_.find(key);
  if (it != nodes_by_key_.end()) {
    if (node.op == NodeOp::kMakeList) out_.list_children.resize(node.arg);  // drop the duplicate's children
    return it->second;
  }
  bool dependent = node.op == NodeOp::kCustomerAttr || node.op == NodeOp::kCustomerCustom ||
                   node.op == NodeOp::kCustomerMeasure;
  if (node.a != kNoNode) dependent |= out_.nodes[node.a].customer_dependent;
  if (node.b != kNoNode) dependent |= out_.nodes[node.b].customer_dependent;
  if (node.op == NodeOp::kMakeList)
    for (uint32_t i = 0; i < node.count; ++i)
      dependent |= out_.nodes[out_.list_children[node.arg + i]].customer_dependent;
  node.customer_dependent = dependent;
  uint32_t id = static_cast<uint32_t>(out_.nodes.size());
  out_.nodes.push_back(node);
  nodes_by_key_.emplace(std::move(key), id);
  return id;
}

uint32_t ExprBuilder::Constant(const Value& v) {
  std::string key;
  if (v.kind() == ValueKind::kNull) {
    key = "null";
  } else if (v.kind() == ValueKind::kList) {
    key = "list";
    for (const Value& item : v.list()) {
      if (!AppendKey(key, item)) {
        key = "unique" + std::to_string(out_.constants.size());
        break;
      }
    }
  } else if (!AppendKey(key, v)) {
    key = "unique" + std::to_string(out_.constants.size());
  }
  auto it = constants_by_key_.find(key);
  uint32_t index;
  if (it != constants_by_key_.end()) {
    index = it->second;
  } else {
    index = static_cast<uint32_t>(out_.constants.size());
    out_.constants.push_back(v);
    constants_by_key_.emplace(std::move(key), index);
  }
  Node n;
  n.op = NodeOp::kConst;
  n.arg = index;
  return Intern(n);
}

uint32_t ExprBuilder::StringConstant(std::string_view s) {
  const std::string& stored = out_.constant_strings.emplace_back(s);
  return Constant(Value::String(stored));
}

uint32_t ExprBuilder::EventField(const std::vector<std::string>& segments, bool as_time) {
  std::string key = PathKey(segments, as_time);
  auto it = event_paths_by_key_.find(key);
  uint32_t index;
  if (it != event_paths_by_key_.end()) {
    index = it->second;
  } else {
    index = static_cast<uint32_t>(out_.event_paths.size());
    out_.event_paths.push_back(segments);
    event_paths_by_key_.emplace(std::move(key), index);
  }
  Node n;
  n.op = NodeOp::kEventField;
  n.arg = index;
  n.as_time = as_time;
  return Intern(n);
}

uint32_t ExprBuilder::Unary(NodeOp op, uint32_t a) {
  Node n;
  n.op = op;
  n.a = a;
  return Intern(n);
}

uint32_t ExprBuilder::Binary(NodeOp op, uint32_t a, uint32_t b) {
  Node n;
  n.op = op;
  n.a = a;
  n.b = b;
  return Intern(n);
}

uint32_t ExprBuilder::CompilePath(const dsl::Expr& expr, const ExprScope& scope) {
  const auto& segs = expr.segments;
  if (expr.root == dsl::PathRoot::kEvent) {
    if (segs.empty()) return Constant(Value::Null());
    if (segs.size() == 1) {
      const std::string& f = segs[0].text;
      Node n;
      if (f == "id") n.op = NodeOp::kEventId;
      else if (f == "type") n.op = NodeOp::kEventType;
      else if (f == "time") n.op = NodeOp::kEventTime;
      else if (f == "store") n.op = NodeOp::kEventStore;
      if (n.op != NodeOp::kConst) return Intern(n);
    }
    std::vector<std::string> path;
    path.reserve(segs.size());
    for (const dsl::Name& s : segs) path.push_back(s.text);
    bool as_time = false;
    if (scope.declared && path.size() == 1) {
      for (const DeclaredField& f : *scope.declared)
        if (f.name == path[0]) as_time = f.type == dsl::ValueType::kTime;
    }
    return EventField(path, as_time);
  }
  // customer.<attr> / customer.attrs.<path>
  if (segs.empty()) return Constant(Value::Null());
  if (segs[0].text == "attrs") {
    if (segs.size() == 1) return Constant(Value::Null());
    std::vector<std::string> path;
    for (size_t i = 1; i < segs.size(); ++i) path.push_back(segs[i].text);
    std::string key = PathKey(path, false);
    auto it = attr_paths_by_key_.find(key);
    uint32_t index;
    if (it != attr_paths_by_key_.end()) {
      index = it->second;
    } else {
      index = static_cast<uint32_t>(out_.attr_paths.size());
      out_.attr_paths.push_back(std::move(path));
      attr_paths_by_key_.emplace(std::move(key), index);
    }
    Node n;
    n.op = NodeOp::kCustomerCustom;
    n.arg = index;
    return Intern(n);
  }
  auto attr = CustomerAttrByName(segs[0].text);
  if (!attr) {
    int32_t measure = expr.measure;
    for (size_t i = 0; measure < 0 && i < rules_.measures.size(); ++i)
      if (rules_.measures[i].name.text == segs[0].text) measure = static_cast<int32_t>(i);
    if (measure >= 0 && segs.size() == 1) {  // customer.<measure>
      Node n;
      n.op = NodeOp::kCustomerMeasure;
      n.arg = static_cast<uint32_t>(measure);
      return Intern(n);
    }
    diags_.Error(rules_.files, segs[0].span, "unknown customer attribute '" + segs[0].text + "'");
    return Constant(Value::Null());
  }
  if (segs.size() > 1) return Constant(Value::Null());  // built-in attributes have no members
  Node n;
  n.op = NodeOp::kCustomerAttr;
  n.arg = static_cast<uint32_t>(*attr);
  return Intern(n);
}

uint32_t ExprBuilder::CompileSegment(const dsl::Expr& expr) {
  int32_t index = expr.segment;
  if (index < 0) {
    for (size_t i = 0; i < rules_.segments.size(); ++i)
      if (rules_.segments[i].name.text == expr.segment_name.text) index = static_cast<int32_t>(i);
  }
  if (index < 0 || static_cast<size_t>(index) >= rules_.segments.size() || !rules_.segments[index].expr) {
    diags_.Error(rules_.files, expr.segment_name.span, "unknown segment '" + expr.segment_name.text + "'");
    return Constant(Value::Null());
  }
  if (segment_nodes_[index] == kNoNode) segment_nodes_[index] = Compile(*rules_.segments[index].expr, ExprScope{});
  return segment_nodes_[index];
}

uint32_t ExprBuilder::Compile(const dsl::Expr& expr, const ExprScope& scope) {
  switch (expr.kind) {
    case dsl::ExprKind::kLiteral:
      switch (expr.literal) {
        case dsl::LiteralKind::kNumber: return Constant(Value::Number(expr.number));
        case dsl::LiteralKind::kString: return StringConstant(expr.text);
        case dsl::LiteralKind::kBool: return Constant(Value::Bool(expr.boolean));
        case dsl::LiteralKind::kDuration: return Constant(Value::Interval(expr.duration));
        case dsl::LiteralKind::kDate: return Constant(Value::Date(expr.date));
        case dsl::LiteralKind::kNull: return Constant(Value::Null());
      }
      return Constant(Value::Null());
    case dsl::ExprKind::kPath:
      return CompilePath(expr, scope);
    case dsl::ExprKind::kList: {
      std::vector<uint32_t> items;
      bool all_constant = true;
      for (const auto& arg : expr.args) {
        items.push_back(Compile(*arg, scope));
        all_constant &= out_.nodes[items.back()].op == NodeOp::kConst;
      }
      if (all_constant) {
        std::vector<Value>& values = out_.constant_lists.emplace_back();
        for (uint32_t id : items) values.push_back(out_.constants[out_.nodes[id].arg]);
        return Constant(Value::List(values.data(), values.size()));
      }
      Node n;
      n.op = NodeOp::kMakeList;
      n.arg = static_cast<uint32_t>(out_.list_children.size());
      n.count = static_cast<uint32_t>(items.size());
      out_.list_children.insert(out_.list_children.end(), items.begin(), items.end());
      return Intern(n);
    }
    case dsl::ExprKind::kUnary: {
      if (expr.args.empty()) return Constant(Value::Null());
      uint32_t a = Compile(*expr.args[0], scope);
      if (expr.unary_op == dsl::UnaryOp::kNegate) {
        const Node& child = out_.nodes[a];
        if (child.op == NodeOp::kConst) return Constant(Negate(out_.constants[child.arg]));
        return Unary(NodeOp::kNegate, a);
      }
      return Unary(NodeOp::kNot, a);
    }
    case dsl::ExprKind::kBinary: {
      if (expr.args.size() < 2) return Constant(Value::Null());
      if (expr.binary_op == dsl::BinaryOp::kIn && expr.args[1]->kind == dsl::ExprKind::kSegment)
        return CompileSegment(*expr.args[1]);
      uint32_t a = Compile(*expr.args[0], scope);
      uint32_t b = Compile(*expr.args[1], scope);
      return Binary(BinaryOpNode(expr.binary_op), a, b);
    }
    case dsl::ExprKind::kCall: {
      NodeOp op = NodeOp::kNow;
      switch (expr.function) {
        case dsl::Function::kDaysSince: op = NodeOp::kDaysSince; break;
        case dsl::Function::kHoursSince: op = NodeOp::kHoursSince; break;
        case dsl::Function::kLen: op = NodeOp::kLen; break;
        case dsl::Function::kLower: op = NodeOp::kLower; break;
        case dsl::Function::kExists: op = NodeOp::kExists; break;
        case dsl::Function::kNow: op = NodeOp::kNow; break;
      }
      if (op == NodeOp::kNow) {
        Node n;
        n.op = NodeOp::kNow;
        return Intern(n);
      }
      if (expr.args.empty()) return Constant(Value::Null());
      return Unary(op, Compile(*expr.args[0], scope));
    }
    case dsl::ExprKind::kSegment:
      // A segment outside `customer in <segment>`: its condition.
      return CompileSegment(expr);
  }
  return Constant(Value::Null());
}

void ExprBuilder::FinishMemo(const std::vector<uint32_t>& roots) {
  std::vector<uint32_t> uses(out_.nodes.size(), 0);
  for (const Node& n : out_.nodes) {
    if (n.a != kNoNode) ++uses[n.a];
    if (n.b != kNoNode) ++uses[n.b];
    if (n.op == NodeOp::kMakeList)
      for (uint32_t i = 0; i < n.count; ++i) ++uses[out_.list_children[n.arg + i]];
  }
  for (uint32_t r : roots)
    if (r != kNoNode) ++uses[r];
  for (size_t i = 0; i < out_.nodes.size(); ++i) {
    Node& n = out_.nodes[i];
    if (n.op == NodeOp::kConst) continue;  // already a value
    n.memo = uses[i] > 1 || n.op == NodeOp::kEventField || n.op == NodeOp::kCustomerCustom ||
             n.op == NodeOp::kCustomerMeasure;
  }
}

}  // namespace patron
