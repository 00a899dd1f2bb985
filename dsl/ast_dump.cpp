#include "dsl/ast_dump.hpp"

#include "dsl/check.hpp"
#include "dsl/diagnostics.hpp"

namespace patron::dsl {
namespace {

constexpr const char* kBinaryOps[] = {"or", "and", "==",       "!=", "<", "<=", ">",
                                      ">=", "in",  "contains", "+",  "-", "*",  "/"};
constexpr const char* kFunctions[] = {"days_since", "hours_since", "len", "lower", "exists", "now"};
constexpr const char* kTriggers[] = {"event",       "first", "aggregate", "absence",       "not_followed_by",
                                     "followed_by", "date",  "every_day", "every_weekday", "on_date",
                                     "enters",      "leaves"};
// A string as a double-quoted literal with \" \\ \n \t escaped.
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string Clock(int32_t minutes) {
  const int32_t h = minutes / 60, m = minutes % 60;
  std::string s;
  s += static_cast<char>('0' + h / 10 % 10);
  s += static_cast<char>('0' + h % 10);
  s += ':';
  s += static_cast<char>('0' + m / 10);
  s += static_cast<char>('0' + m % 10);
  return s;
}

class Dumper {
 public:
  explicit Dumper(const RuleSet& rules) : rules_(rules) {
    for (const SourceFile& f : rules.files) maps_.emplace_back(f.text);
  }

  std::string Run() {
    for (size_t i = 0; i < rules_.files.size(); ++i) {
      out_ += "file " + std::to_string(i) + " " + rules_.files[i].path + "\n";
    }
    for (const EventDecl& e : rules_.events) Event(e);
    for (const Segment& s : rules_.segments) SegmentDecl(s);
    for (const Measure& m : rules_.measures) MeasureDecl(m);
    for (const Policy& p : rules_.policies) PolicyDecl(p);
    for (const SegmentsRefresh& r : rules_.refreshes) ItemLine("segments refresh at " + Clock(r.at_minutes), r.span);
    for (const Rule& r : rules_.rules) RuleDecl(r);
    return std::move(out_);
  }

 private:
  std::string At(Span span) const {
    if (span.file >= maps_.size()) return "@?";
    const SourceMap& m = maps_[span.file];
    std::string s = "@";
    s += std::to_string(m.Line(span.begin)) + ":" + std::to_string(m.Column(span.begin)) + "-" +
         std::to_string(m.Line(span.end)) + ":" + std::to_string(m.Column(span.end));
    return s;
  }

  void Line(int depth, const std::string& text, Span span) {
    out_.append(static_cast<size_t>(depth) * 2, ' ');
    out_ += text;
    out_ += ' ';
    out_ += At(span);
    out_ += '\n';
  }
  void Line(int depth, const std::string& text) {
    out_.append(static_cast<size_t>(depth) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }

  // A top-level item's line names its file when the set has several.
  void ItemLine(const std::string& text, Span span) {
    std::string where = rules_.files.size() > 1 && span.file < rules_.files.size()
                            ? " in " + rules_.files[span.file].path
                            : std::string();
    Line(0, text + where, span);
  }

  void NameLine(int depth, const std::string& label, const Name& n) {
    Line(depth, label + " " + n.text, n.span);
  }

  void Event(const EventDecl& e) {
    ItemLine("event " + e.type.text, e.span);
    NameLine(1, "type", e.type);
    for (const FieldDecl& f : e.fields) {
      Line(1, "field " + f.name.text + " " + At(f.name.span) + " : " + std::string(TypeName(f.type)),
           f.type_span);
    }
  }

  void SegmentDecl(const Segment& s) {
    ItemLine("segment " + s.name.text, s.span);
    NameLine(1, "name", s.name);
    ExprNode(1, *s.expr);
  }

  void WindowLine(int depth, Window window, Duration length, Span span) {
    if (window == Window::kLifetime) {
      Line(depth, "window lifetime");
    } else if (window == Window::kSliding) {
      Line(depth, "window sliding " + FormatDuration(length), span);
    } else {
      Line(depth, std::string("window this ") + std::string(kWindowNames[static_cast<int>(window)]), span);
    }
  }

  void MeasureDecl(const Measure& m) {
    ItemLine("measure " + m.name.text, m.span);
    NameLine(1, "name", m.name);
    NameLine(1, std::string("aggregate ") + std::string(kAggregateNames[static_cast<int>(m.aggregate)]) + " as",
             m.aggregate_name);
    NameLine(1, "type", m.event_type);
    if (m.field) NameLine(1, "field", *m.field);
    if (m.where) {
      Line(1, "where");
      ExprNode(2, *m.where);
    }
    WindowLine(1, m.window, m.window_length, m.window_span);
    Line(1, "definition " + Quoted(m.definition));
  }

  void LimitLine(int depth, const Limit& l) {
    Line(depth,
         "limit " + std::to_string(l.count) + " per " + (l.per_customer ? "customer" : "path") + " per " +
             FormatDuration(l.window),
         l.span);
    if (l.per_path) ExprNode(depth + 1, *l.per_path);
  }

  void BetweenLine(int depth, const Between& b) {
    Line(depth, "between " + Clock(b.from_minutes) + " and " + Clock(b.to_minutes), b.span);
  }

  void PolicyDecl(const Policy& p) {
    ItemLine("policy " + p.name.text, p.span);
    NameLine(1, "name", p.name);
    if (p.is_default) Line(1, "default", p.default_span);
    if (p.limit) LimitLine(1, *p.limit);
    if (p.between) BetweenLine(1, *p.between);
  }

  void ExprNode(int depth, const Expr& e) {
    const std::string type = " : " + std::string(TypeName(e.type));
    switch (e.kind) {
      case ExprKind::kLiteral: {
        std::string v;
        switch (e.literal) {
          case LiteralKind::kNumber:
            v = "number " + e.number.ToString();
            break;
          case LiteralKind::kString:
            v = "string " + Quoted(e.text);
            break;
          case LiteralKind::kBool:
            v = e.boolean ? "bool true" : "bool false";
            break;
          case LiteralKind::kDuration:
            v = "duration " + FormatDuration(e.duration);
            break;
          case LiteralKind::kDate:
            v = "date " + FormatDate(e.date);
            break;
          case LiteralKind::kNull:
            v = "null";
            break;
        }
        Line(depth, "literal " + v + type, e.span);
        break;
      }
      case ExprKind::kPath: {
        std::string p = e.root == PathRoot::kEvent ? "event" : "customer";
        for (const Name& n : e.segments) p += "." + n.text;
        if (e.measure >= 0) p += " (measure #" + std::to_string(e.measure) + ")";
        Line(depth, "path " + p + type, e.span);
        for (const Name& n : e.segments) NameLine(depth + 1, "segment", n);
        break;
      }
      case ExprKind::kList:
        Line(depth, "list" + type, e.span);
        for (const auto& a : e.args) ExprNode(depth + 1, *a);
        break;
      case ExprKind::kUnary:
        Line(depth, std::string("unary ") + (e.unary_op == UnaryOp::kNot ? "not" : "-") + type, e.span);
        ExprNode(depth + 1, *e.args[0]);
        break;
      case ExprKind::kBinary:
        Line(depth, std::string("binary ") + kBinaryOps[static_cast<int>(e.binary_op)] + type, e.span);
        for (const auto& a : e.args) ExprNode(depth + 1, *a);
        break;
      case ExprKind::kCall:
        Line(depth, std::string("call ") + kFunctions[static_cast<int>(e.function)] + type, e.span);
        NameLine(depth + 1, "function", e.function_name);
        for (const auto& a : e.args) ExprNode(depth + 1, *a);
        break;
      case ExprKind::kSegment:
        Line(depth, "segment_ref " + e.segment_name.text + " #" + std::to_string(e.segment) + type, e.span);
        break;
    }
  }

  void TemplateNode(int depth, const std::string& label, const Template& t) {
    Line(depth, label + " " + Quoted(t.source), t.span);
    for (const TemplatePart& p : t.parts) {
      if (p.path) {
        ExprNode(depth + 1, *p.path);
      } else {
        Line(depth + 1, "text " + Quoted(p.literal));
      }
    }
  }

  void TriggerNode(const Trigger& t) {
    Line(1, std::string("trigger ") + kTriggers[static_cast<int>(t.kind)], t.span);
    for (const Name& n : t.event_types) NameLine(2, "type", n);
    switch (t.kind) {
      case TriggerKind::kAggregate:
        NameLine(2, std::string("aggregate ") + std::string(kAggregateNames[static_cast<int>(t.aggregate)]) + " as",
                 t.aggregate_name);
        if (t.field) NameLine(2, "field", *t.field);
        if (t.aggregate_where) {
          Line(2, "aggregate_where");
          ExprNode(3, *t.aggregate_where);
        }
        WindowLine(2, t.window, t.window_length, t.window_span);
        Line(2,
             std::string("compare ") + std::string(kCompareNames[static_cast<int>(t.compare)]) + " " + t.threshold.ToString());
        break;
      case TriggerKind::kAbsence:
        Line(2, "for " + FormatDuration(t.duration));
        break;
      case TriggerKind::kNotFollowedBy:
      case TriggerKind::kFollowedBy:
        Line(2, "within " + FormatDuration(t.duration));
        if (t.on_field) NameLine(2, "on", *t.on_field);
        break;
      case TriggerKind::kDate:
        Line(2, FormatDuration(t.duration) + (t.before ? " before" : " after"));
        NameLine(2, "date_attribute", t.date_attribute);
        if (t.yearly) Line(2, "yearly");
        Line(2, "at " + Clock(t.at_minutes));
        break;
      case TriggerKind::kEveryDay:
        Line(2, "at " + Clock(t.at_minutes));
        break;
      case TriggerKind::kEveryWeekday:
        Line(2, std::string("weekday ") + std::to_string(t.weekday) + " " + std::string(kWeekdayNames[t.weekday]));
        Line(2, "at " + Clock(t.at_minutes));
        break;
      case TriggerKind::kOnDate:
        Line(2, "date " + FormatDate(t.on_date));
        Line(2, "at " + Clock(t.at_minutes));
        break;
      case TriggerKind::kEnters:
      case TriggerKind::kLeaves:
        Line(2, "segment " + t.segment_name.text + " #" + std::to_string(t.segment), t.segment_name.span);
        break;
      default:
        break;
    }
    if (t.where) {
      Line(2, "where");
      ExprNode(3, *t.where);
    }
  }

  void ActionNode(const Action& a) {
    Line(1, std::string("action ") + std::string(ActionKindName(a.kind)), a.span);
    switch (a.kind) {
      case ActionKind::kCoupon:
        TemplateNode(2, "code", a.text);
        if (a.coupon_value) Line(2, "value " + a.coupon_value->ToString());
        if (a.coupon_valid) Line(2, "valid " + FormatDuration(*a.coupon_valid));
        break;
      case ActionKind::kMessage:
        Line(2, "channel " + std::string(ChannelName(a.channel)));
        TemplateNode(2, "template", a.text);
        break;
      case ActionKind::kTicket:
        TemplateNode(2, "title", a.text);
        Line(2, "priority " + std::string(PriorityName(a.priority)));
        NameLine(2, "role", a.role);
        break;
      case ActionKind::kRemind:
        NameLine(2, "role", a.role);
        TemplateNode(2, "text", a.text);
        break;
      case ActionKind::kTag:
      case ActionKind::kUntag:
        TemplateNode(2, "tag", a.text);
        break;
      case ActionKind::kWebhook:
        TemplateNode(2, "endpoint", a.text);
        break;
      case ActionKind::kSet: {
        std::string p = "customer";
        for (const Name& n : a.set_path) p += "." + n.text;
        Line(2, "target " + p);
        for (const Name& n : a.set_path) NameLine(3, "segment", n);
        ExprNode(2, *a.value);
        break;
      }
      case ActionKind::kPoints:
        ExprNode(2, *a.value);
        break;
      case ActionKind::kEmit:
        NameLine(2, "type", a.emit_type);
        for (const EmitField& f : a.emit_fields) {
          NameLine(2, "with", f.name);
          ExprNode(3, *f.value);
        }
        break;
    }
  }

  void RuleDecl(const Rule& r) {
    ItemLine("rule " + Quoted(r.name.text), r.span);
    Line(1, "name " + Quoted(r.name.text), r.name.span);
    TriggerNode(r.trigger);
    if (r.wait) Line(1, "wait " + FormatDuration(*r.wait), r.wait_span);
    if (r.where) {
      Line(1, "where");
      ExprNode(2, *r.where);
    }
    for (const Action& a : r.actions) ActionNode(a);
    if (r.limit) LimitLine(1, *r.limit);
    if (r.holdout_percent) Line(1, "holdout " + r.holdout_percent->ToString() + "%", r.holdout_span);
    if (r.priority_span.end != 0) Line(1, "priority " + std::to_string(r.priority), r.priority_span);
    if (r.between) BetweenLine(1, *r.between);
    if (r.policy) Line(1, "policy " + r.policy->text + " " + At(r.policy->span), r.policy_span);
  }

  const RuleSet& rules_;
  std::vector<SourceMap> maps_;
  std::string out_;
};

}  // namespace

std::string FormatDuration(Duration d) {
  struct Unit {
    Duration micros;
    const char* suffix;
  };
  constexpr Unit kUnits[] = {
      {kMicrosPerDay, "d"}, {kMicrosPerHour, "h"}, {kMicrosPerMinute, "m"}, {kMicrosPerSecond, "s"}};
  if (d == 0) return "0s";
  for (const Unit& u : kUnits) {
    if (d % u.micros == 0) return std::to_string(d / u.micros) + u.suffix;
  }
  return std::to_string(d) + "us";
}

std::string DumpAst(const RuleSet& rules) { return Dumper(rules).Run(); }

}  // namespace patron::dsl
