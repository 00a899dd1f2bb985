// The checker's expression typing: paths, calls, operators, templates.

#include "dsl/check.hpp"
#include "dsl/internal/checker.hpp"

namespace patron::dsl {
namespace {

bool Known(ValueType t) { return t != ValueType::kAny && t != ValueType::kNull; }

bool IsOneOf(ValueType t, std::initializer_list<ValueType> types) {
  for (ValueType x : types) {
    if (t == x) return true;
  }
  return false;
}

struct BuiltinEventPath {
  std::string_view name;
  ValueType type;
};
constexpr BuiltinEventPath kEventBuiltins[] = {{"id", ValueType::kString},
                                               {"type", ValueType::kString},
                                               {"time", ValueType::kTime},
                                               {"store", ValueType::kString}};

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

const std::vector<std::pair<std::string, ValueType>>& CustomerAttributes() {
  static const std::vector<std::pair<std::string, ValueType>> kAttributes = {
      {"id", ValueType::kString},           {"name", ValueType::kString},
      {"phone", ValueType::kString},        {"gender", ValueType::kString},
      {"birthday", ValueType::kDate},       {"tier", ValueType::kString},
      {"points", ValueType::kNumber},       {"tags", ValueType::kList},
      {"orders", ValueType::kNumber},       {"spent", ValueType::kNumber},
      {"first_order_at", ValueType::kTime}, {"last_order_at", ValueType::kTime},
      {"joined_at", ValueType::kTime},      {"last_seen_at", ValueType::kTime},
      {"store", ValueType::kString},        {"owner", ValueType::kString},
      {"lifecycle", ValueType::kString},
  };
  return kAttributes;
}

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kAny:
      return "any";
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return "bool";
    case ValueType::kNumber:
      return "number";
    case ValueType::kString:
      return "string";
    case ValueType::kTime:
      return "time";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kDate:
      return "date";
    case ValueType::kList:
      return "list";
    case ValueType::kObject:
      return "object";
  }
  return "any";
}

ValueType Checker::Check(Expr& e, const Scope& scope) {
  ValueType t = ValueType::kAny;
  switch (e.kind) {
    case ExprKind::kLiteral:
      switch (e.literal) {
        case LiteralKind::kNumber:
          t = ValueType::kNumber;
          break;
        case LiteralKind::kString:
          t = ValueType::kString;
          break;
        case LiteralKind::kBool:
          t = ValueType::kBool;
          break;
        case LiteralKind::kDuration:
          t = ValueType::kDuration;
          break;
        case LiteralKind::kDate:
          t = ValueType::kDate;
          break;
        case LiteralKind::kNull:
          t = ValueType::kNull;
          break;
      }
      break;
    case ExprKind::kPath:
      t = CheckPath(e, scope);
      break;
    case ExprKind::kList:
      for (auto& a : e.args) Check(*a, scope);
      t = ValueType::kList;
      break;
    case ExprKind::kUnary: {
      ValueType a = Check(*e.args[0], scope);
      if (e.unary_op == UnaryOp::kNot) {
        if (Known(a) && a != ValueType::kBool) {
          Error(e.args[0]->span, "'not' needs a condition (bool), found " + std::string(TypeName(a)));
        }
        t = ValueType::kBool;
      } else {
        if (Known(a) && a != ValueType::kNumber && a != ValueType::kDuration) {
          Error(e.args[0]->span, "'-' needs a number or a duration, found " + std::string(TypeName(a)));
        }
        t = a == ValueType::kNumber || a == ValueType::kDuration ? a : ValueType::kAny;
      }
      break;
    }
    case ExprKind::kBinary:
      t = CheckBinary(e, scope);
      break;
    case ExprKind::kCall:
      t = CheckCall(e, scope);
      break;
    case ExprKind::kSegment: {
      auto it = segments_.find(e.segment_name.text);
      if (it == segments_.end()) {
        std::vector<std::string> names;
        for (const Segment& s : rules_.segments) names.push_back(s.name.text);
        std::string hint = Suggest(e.segment_name.text, names);
        Error(e.span, "unknown segment " + Quote(e.segment_name.text) +
                          (hint.empty() ? std::string() : "; did you mean " + Quote(hint) + "?"));
      } else {
        e.segment = it->second;
      }
      t = ValueType::kAny;
      break;
    }
  }
  e.type = t;
  return t;
}

ValueType Checker::CheckPath(Expr& e, const Scope& scope) {
  if (e.root == PathRoot::kEvent) {
    Span root{e.span.file, e.span.begin, e.span.begin + 5};
    if (!scope.has_event) {
      Error(root, "'event' cannot be used here: " + scope.no_event_reason);
      return ValueType::kAny;
    }
    if (e.segments.empty()) {
      Error(e.span, "expected event.<field>, found 'event' alone");
      return ValueType::kAny;
    }
    const Name& first = e.segments[0];
    ValueType t = ValueType::kAny;
    bool builtin = false;
    for (const BuiltinEventPath& b : kEventBuiltins) {
      if (b.name == first.text) {
        t = b.type;
        builtin = true;
      }
    }
    if (!builtin && scope.decl != nullptr) {
      const FieldDecl* f = FindField(*scope.decl, first.text);
      if (f == nullptr) {
        UnknownField(*scope.decl, first);
        return ValueType::kAny;
      }
      t = f->type;
    }
    if (e.segments.size() > 1) {
      if (Known(t) && t != ValueType::kObject && t != ValueType::kList) {
        Error(e.segments[1].span,
              "event." + first.text + " is a " + std::string(TypeName(t)) + " and has no fields");
      }
      return ValueType::kAny;
    }
    return t;
  }
  // customer.*
  if (e.segments.empty()) {
    Error(e.span,
          "expected customer.<attribute> (bare 'customer' is only allowed in 'customer in <segment>')");
    return ValueType::kAny;
  }
  const Name& first = e.segments[0];
  if (first.text == "attrs") {
    if (e.segments.size() < 2) Error(e.span, "expected customer.attrs.<name>");
    return ValueType::kAny;
  }
  std::vector<std::string> names;
  for (const auto& [name, type] : CustomerAttributes()) {
    if (name == first.text) {
      if (e.segments.size() > 1) {
        Error(e.segments[1].span,
              "customer." + first.text + " is a " + std::string(TypeName(type)) + " and has no fields");
      }
      return e.segments.size() > 1 ? ValueType::kAny : type;
    }
    names.push_back(name);
  }
  names.push_back("attrs");
  if (auto m = measures_.find(first.text); m != measures_.end()) {  // customer.<measure>: a number or null
    e.measure = m->second;
    if (e.segments.size() > 1) {
      Error(e.segments[1].span, "customer." + first.text + " is a measure (a number) and has no fields");
      return ValueType::kAny;
    }
    return ValueType::kNumber;
  }
  for (const Measure& m : rules_.measures) names.push_back(m.name.text);
  std::string hint = Suggest(first.text, names);
  Error(first.span, "unknown customer attribute " + Quote(first.text) +
                        (hint.empty() ? std::string() : "; did you mean " + Quote(hint) + "?"));
  return ValueType::kAny;
}

ValueType Checker::CheckCall(Expr& e, const Scope& scope) {
  std::vector<ValueType> args;
  for (auto& a : e.args) args.push_back(Check(*a, scope));
  const size_t want = e.function == Function::kNow ? 0 : 1;
  const std::string& name = e.function_name.text;
  if (args.size() != want) {
    Error(e.span, Quote(name) + " takes " + (want == 0 ? "no arguments" : "1 argument") + ", found " +
                      std::to_string(args.size()));
  }
  auto arg_error = [&](const char* wanted) {
    Error(e.args[0]->span, Quote(name) + " needs " + wanted + ", found " + std::string(TypeName(args[0])));
  };
  bool has_arg = !args.empty();
  switch (e.function) {
    case Function::kDaysSince:
    case Function::kHoursSince:
      if (has_arg && Known(args[0]) && args[0] != ValueType::kTime && args[0] != ValueType::kDate) {
        arg_error("a time or a date");
      }
      return ValueType::kNumber;
    case Function::kLen:
      if (has_arg && Known(args[0]) && args[0] != ValueType::kList && args[0] != ValueType::kString) {
        arg_error("a list or a string");
      }
      return ValueType::kNumber;
    case Function::kLower:
      if (has_arg && Known(args[0]) && args[0] != ValueType::kString) arg_error("a string");
      return ValueType::kString;
    case Function::kExists:
      if (has_arg && e.args[0]->kind != ExprKind::kPath) {
        Error(e.args[0]->span, "'exists' needs a path (e.g. exists(event.coupon))");
      }
      return ValueType::kBool;
    case Function::kNow:
      return ValueType::kTime;
  }
  return ValueType::kAny;
}

Span Checker::OperatorSpan(const Expr& e) const {
  const std::string& text = rules_.files[e.span.file].text;
  uint32_t p = e.args[0]->span.end;
  const uint32_t limit = e.args[1]->span.begin;
  while (p < limit) {
    char c = text[p];
    if (c == '#') {
      while (p < limit && text[p] != '\n') ++p;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')') {
      ++p;
    } else {
      break;
    }
  }
  uint32_t q = p;
  while (q < limit && text[q] != ' ' && text[q] != '\t' && text[q] != '\n' && text[q] != '(' &&
         text[q] != '"' && text[q] != '[') {
    ++q;
  }
  if (q == p) q = std::min(p + 1, limit);
  return {e.span.file, p, q};
}

ValueType Checker::CheckBinary(Expr& e, const Scope& scope) {
  Expr& lhs = *e.args[0];
  Expr& rhs = *e.args[1];
  const BinaryOp op = e.binary_op;

  if (op == BinaryOp::kIn && rhs.kind == ExprKind::kSegment) {
    Check(rhs, scope);
    if (lhs.kind == ExprKind::kPath && lhs.root == PathRoot::kCustomer && lhs.segments.empty()) {
      lhs.type = ValueType::kObject;
    } else {
      Check(lhs, scope);
      Error(lhs.span, "only 'customer' can be in a segment (customer in " + rhs.segment_name.text + ")");
    }
    return ValueType::kBool;
  }

  const ValueType a = Check(lhs, scope);
  const ValueType b = Check(rhs, scope);
  const std::string ta(TypeName(a)), tb(TypeName(b));
  const bool both_known = Known(a) && Known(b);
  switch (op) {
    case BinaryOp::kOr:
    case BinaryOp::kAnd: {
      const char* word = op == BinaryOp::kOr ? "'or'" : "'and'";
      if (Known(a) && a != ValueType::kBool)
        Error(lhs.span, std::string(word) + " needs conditions (bool), found " + ta);
      if (Known(b) && b != ValueType::kBool)
        Error(rhs.span, std::string(word) + " needs conditions (bool), found " + tb);
      return ValueType::kBool;
    }
    case BinaryOp::kEq:
    case BinaryOp::kNe:
      if (both_known && a != b) Error(OperatorSpan(e), "cannot compare " + ta + " with " + tb);
      return ValueType::kBool;
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe: {
      const auto ordered = {ValueType::kNumber, ValueType::kString, ValueType::kTime, ValueType::kDuration,
                            ValueType::kDate};
      if (both_known && a != b) {
        Error(OperatorSpan(e), "cannot compare " + ta + " with " + tb);
      } else if (Known(a) && !IsOneOf(a, ordered)) {
        Error(OperatorSpan(e), "cannot order values of type " + ta);
      } else if (Known(b) && !IsOneOf(b, ordered)) {
        Error(OperatorSpan(e), "cannot order values of type " + tb);
      }
      return ValueType::kBool;
    }
    case BinaryOp::kIn:
      if (Known(b) && b != ValueType::kList) {
        Error(rhs.span, "'in' needs a list or a segment on its right, found " + tb);
      }
      return ValueType::kBool;
    case BinaryOp::kContains:
      if (Known(a) && a != ValueType::kList && a != ValueType::kString) {
        Error(lhs.span, "'contains' needs a string or a list on its left, found " + ta);
      } else if (a == ValueType::kString && Known(b) && b != ValueType::kString) {
        Error(rhs.span, "a string can only contain a string, found " + tb);
      }
      return ValueType::kBool;
    case BinaryOp::kAdd:
    case BinaryOp::kSub: {
      const bool add = op == BinaryOp::kAdd;
      using V = ValueType;
      if (!both_known) {
        // One side unknown: the result is known only for number arithmetic.
        V k = Known(a) ? a : b;
        if (Known(k) && !IsOneOf(k, {V::kNumber, V::kTime, V::kDuration})) {
          Error(OperatorSpan(e),
                std::string("cannot ") + (add ? "add " : "subtract ") + std::string(TypeName(k)) + " values");
        }
        return k == V::kNumber ? V::kNumber : V::kAny;
      }
      if (a == V::kNumber && b == V::kNumber) return V::kNumber;
      if (a == V::kDuration && b == V::kDuration) return V::kDuration;
      if (a == V::kTime && b == V::kDuration) return V::kTime;
      if (add && a == V::kDuration && b == V::kTime) return V::kTime;
      if (!add && a == V::kTime && b == V::kTime) return V::kDuration;
      Error(OperatorSpan(e),
            std::string("cannot ") + (add ? "add " + ta + " and " + tb : "subtract " + tb + " from " + ta));
      return V::kAny;
    }
    case BinaryOp::kMul:
    case BinaryOp::kDiv: {
      const char* word = op == BinaryOp::kMul ? "multiply" : "divide";
      if (Known(a) && a != ValueType::kNumber) {
        Error(OperatorSpan(e), std::string("cannot ") + word + " " + ta + " values");
        return ValueType::kAny;
      }
      if (Known(b) && b != ValueType::kNumber) {
        Error(OperatorSpan(e), std::string("cannot ") + word + " by " + tb);
        return ValueType::kAny;
      }
      return ValueType::kNumber;
    }
  }
  return ValueType::kAny;
}

void Checker::CheckCondition(Expr& e, const Scope& scope, const char* what) {
  ValueType t = Check(e, scope);
  if (Known(t) && t != ValueType::kBool) {
    Error(e.span, std::string(what) + " needs a condition (bool), found " + std::string(TypeName(t)));
  }
}

void Checker::CheckTemplate(Template& t, const Scope& scope) {
  for (TemplatePart& part : t.parts) {
    if (part.path) Check(*part.path, scope);
  }
}

}  // namespace patron::dsl
