// Lowering of expressions: precedence chains become binary trees (left
// associative), `-<number>` becomes a negative literal, tokens become
// literals, paths or segment names.

#include <algorithm>

#include "dsl/internal/lower.hpp"

namespace patron::dsl {
namespace {

struct OpName {
  std::string_view text;
  BinaryOp op;
};
constexpr OpName kBinaryOps[] = {
    {"or", BinaryOp::kOr}, {"and", BinaryOp::kAnd},
    {"==", BinaryOp::kEq}, {"!=", BinaryOp::kNe},
    {"<", BinaryOp::kLt},  {"<=", BinaryOp::kLe},
    {">", BinaryOp::kGt},  {">=", BinaryOp::kGe},
    {"in", BinaryOp::kIn}, {"contains", BinaryOp::kContains},
    {"+", BinaryOp::kAdd}, {"-", BinaryOp::kSub},
    {"*", BinaryOp::kMul}, {"/", BinaryOp::kDiv},
};

struct FunctionName {
  std::string_view text;
  Function function;
};
constexpr FunctionName kFunctions[] = {
    {"days_since", Function::kDaysSince}, {"hours_since", Function::kHoursSince}, {"len", Function::kLen},
    {"lower", Function::kLower},          {"exists", Function::kExists},          {"now", Function::kNow},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

ExprPtr Lowerer::Placeholder() {
  failed_ = true;
  depth_ = 1;
  return std::make_unique<Expr>();
}

bool Lowerer::Deeper(int child_depth, Span span) {
  depth_ = child_depth + 1;
  if (depth_ <= options_.max_expression_depth) return true;
  Error(span, "expression too deep (more than " + std::to_string(options_.max_expression_depth) +
                  " operators applied one to another)");
  return false;
}

ExprPtr Lowerer::MakePath(const char* b, const char* e) const {
  std::string_view text(b, e - b);
  size_t dot = text.find('.');
  std::string_view root = text.substr(0, dot);
  auto expr = std::make_unique<Expr>();
  expr->kind = ExprKind::kPath;
  expr->span = SpanOf(b, e);
  if (root == "event") {
    expr->root = PathRoot::kEvent;
  } else if (root == "customer") {
    expr->root = PathRoot::kCustomer;
  } else {
    return nullptr;
  }
  while (dot != std::string_view::npos) {
    size_t start = dot + 1;
    dot = text.find('.', start);
    size_t end = dot == std::string_view::npos ? text.size() : dot;
    expr->segments.push_back({std::string(text.substr(start, end - start)), SpanOf(b + start, b + end)});
  }
  return expr;
}

ExprPtr Lowerer::LowerExpr(const gast::Chain& chain) {
  ExprPtr lhs = LowerOperand(chain.first, false);
  int depth = depth_;
  for (const gast::OpTail& tail : chain.rest) {
    BinaryOp op = BinaryOp::kOr;
    for (const OpName& o : kBinaryOps) {
      if (o.text == tail.op.view()) op = o.op;
    }
    ExprPtr rhs = LowerOperand(tail.rhs, op == BinaryOp::kIn);
    if (!Deeper(std::max(depth, depth_), SpanOf(tail.op))) return Placeholder();
    depth = depth_;
    auto node = std::make_unique<Expr>();
    node->kind = ExprKind::kBinary;
    node->binary_op = op;
    node->span = {file_, lhs->span.begin, rhs->span.end};
    node->args.push_back(std::move(lhs));
    node->args.push_back(std::move(rhs));
    lhs = std::move(node);
  }
  // The whole chain's range, parentheses included when it is a group.
  if (!chain.rest.empty() && chain.b != nullptr) lhs->span = SpanOf(chain);
  depth_ = depth;
  return lhs;
}

ExprPtr Lowerer::LowerOperand(const gast::Operand& operand, bool segment_allowed) {
  struct Visitor {
    Lowerer& self;
    bool segment_allowed;
    ExprPtr operator()(const gast::Tok& t) const { return self.LowerAtom(t, segment_allowed); }
    ExprPtr operator()(const gast::x3::forward_ast<gast::Call>& c) const { return self.LowerCall(c.get()); }
    ExprPtr operator()(const gast::x3::forward_ast<gast::ListLit>& l) const {
      return self.LowerList(l.get());
    }
    ExprPtr operator()(const gast::x3::forward_ast<gast::Chain>& c) const {
      // A single operand in parentheses keeps the segment permission: `in (vip)`.
      if (c.get().rest.empty()) return self.LowerOperand(c.get().first, segment_allowed);
      return self.LowerExpr(c.get());
    }
    ExprPtr operator()(const gast::x3::forward_ast<gast::Unary>& u) const {
      const gast::Unary& un = u.get();
      ExprPtr inner = self.LowerOperand(un.operand, false);
      Span span = self.SpanOf(un);
      if (!self.Deeper(self.depth_, span)) return self.Placeholder();
      if (un.op.view() == "-" && inner->kind == ExprKind::kLiteral &&
          (inner->literal == LiteralKind::kNumber || inner->literal == LiteralKind::kDuration)) {
        inner->number = -inner->number;
        inner->duration = -inner->duration;
        inner->span = span;
        return inner;
      }
      auto node = std::make_unique<Expr>();
      node->kind = ExprKind::kUnary;
      node->unary_op = un.op.view() == "-" ? UnaryOp::kNegate : UnaryOp::kNot;
      node->span = span;
      node->args.push_back(std::move(inner));
      return node;
    }
  };
  return boost::apply_visitor(Visitor{*this, segment_allowed}, operand);
}

ExprPtr Lowerer::LowerAtom(gast::Tok t, bool segment_allowed) {
  depth_ = 1;
  std::string_view s = t.view();
  auto expr = std::make_unique<Expr>();
  expr->kind = ExprKind::kLiteral;
  expr->span = SpanOf(t);
  if (s[0] == '"') {
    auto text = String(t);
    if (!text) return Placeholder();
    expr->literal = LiteralKind::kString;
    expr->text = std::move(*text);
    return expr;
  }
  if (IsDigit(s[0])) {
    if (s.size() == 10 && s[4] == '-') {
      auto d = Date(t);
      if (!d) return Placeholder();
      expr->literal = LiteralKind::kDate;
      expr->date = *d;
    } else if (IsAlpha(s.back())) {
      auto d = DurationOf(t);
      if (!d) return Placeholder();
      expr->literal = LiteralKind::kDuration;
      expr->duration = *d;
    } else {
      auto n = Number(t);
      if (!n) return Placeholder();
      expr->literal = LiteralKind::kNumber;
      expr->number = *n;
    }
    return expr;
  }
  if (s == "true" || s == "false") {
    expr->literal = LiteralKind::kBool;
    expr->boolean = s == "true";
    return expr;
  }
  if (s == "null") {
    expr->literal = LiteralKind::kNull;
    return expr;
  }
  if (ExprPtr path = MakePath(t.b, t.e)) return path;
  std::string_view root = s.substr(0, s.find('.'));
  if (segment_allowed && root.size() == s.size()) {
    expr->kind = ExprKind::kSegment;
    expr->segment_name = NameOf(t);
    return expr;
  }
  std::string hint = Suggest(root, {"event", "customer"});
  Span root_span = SpanOf(t.b, t.b + root.size());
  if (!hint.empty()) {
    Error(root_span, "unknown name '" + std::string(root) + "'; did you mean '" + hint + "'?");
  } else if (root.size() == s.size()) {
    Error(root_span, "unknown name '" + std::string(root) +
                         "' (a value is a literal, event.<field> or customer.<attribute>; a segment name may "
                         "only follow 'in')");
  } else {
    Error(root_span, "unknown name '" + std::string(root) + "' (paths start with 'event.' or 'customer.')");
  }
  return Placeholder();
}

ExprPtr Lowerer::LowerCall(const gast::Call& call) {
  auto expr = std::make_unique<Expr>();
  expr->kind = ExprKind::kCall;
  expr->span = SpanOf(call);
  expr->function_name = NameOf(call.name);
  bool known = false;
  for (const FunctionName& f : kFunctions) {
    if (f.text == call.name.view()) {
      expr->function = f.function;
      known = true;
    }
  }
  if (!known) {
    std::vector<std::string> names;
    for (const FunctionName& f : kFunctions) names.emplace_back(f.text);
    Choose(call.name, names, "function");
  }
  int depth = 0;
  for (const gast::Chain& arg : call.args) {
    expr->args.push_back(LowerExpr(arg));
    depth = std::max(depth, depth_);
  }
  if (!Deeper(depth, expr->span) || !known) return Placeholder();
  return expr;
}

ExprPtr Lowerer::LowerList(const gast::ListLit& list) {
  auto expr = std::make_unique<Expr>();
  expr->kind = ExprKind::kList;
  expr->span = SpanOf(list);
  int depth = 0;
  for (const gast::Chain& item : list.items) {
    expr->args.push_back(LowerExpr(item));
    depth = std::max(depth, depth_);
  }
  if (!Deeper(depth, expr->span)) return Placeholder();
  return expr;
}

}  // namespace patron::dsl
