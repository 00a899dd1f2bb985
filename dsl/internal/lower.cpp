// Lowering of declarations, rules, triggers, actions and options.

#include "dsl/internal/lower.hpp"

namespace patron::dsl {
namespace {

std::vector<std::string> Names(auto begin, auto end) { return std::vector<std::string>(begin, end); }

const std::vector<std::string> kAggregates = Names(kAggregateNames.begin(), kAggregateNames.end());
// `this <period>`: Window::kDay .. kYear.
const std::vector<std::string> kPeriods = Names(kWindowNames.begin() + 2, kWindowNames.end());
const std::vector<std::string> kCompares = Names(kCompareNames.begin(), kCompareNames.end());
const std::vector<std::string> kWeekdays = Names(kWeekdayNames.begin(), kWeekdayNames.end());
const std::vector<std::string> kChannels = Names(kChannelNames.begin(), kChannelNames.end());
const std::vector<std::string> kTicketPriorities = Names(kTicketPriorityNames.begin(), kTicketPriorityNames.end());
const std::vector<std::string> kFieldTypes = {"string", "number", "bool", "time", "list", "object"};
constexpr ValueType kFieldValueTypes[] = {ValueType::kString, ValueType::kNumber, ValueType::kBool,
                                          ValueType::kTime,   ValueType::kList,   ValueType::kObject};

}  // namespace

Lowerer::Lowerer(RuleSet& out, uint32_t file, Diagnostics& diags, const ParseOptions& options)
    : out_(out), file_(file), diags_(diags), base_(out.files[file].text.data()), options_(options) {}

Span Lowerer::SpanOf(const char* b, const char* e) const {
  return {file_, static_cast<uint32_t>(b - base_), static_cast<uint32_t>(e - base_)};
}

void Lowerer::Error(Span span, std::string message) {
  failed_ = true;
  diags_.Error(out_.files, span, std::move(message));
}

bool Lowerer::Lower(const gast::Item& item) {
  failed_ = false;
  struct Visitor {
    Lowerer& self;
    void operator()(const gast::RuleNode& n) const { self.LowerRule(n); }
    void operator()(const gast::EventDeclNode& n) const { self.LowerEvent(n); }
    void operator()(const gast::SegmentNode& n) const { self.LowerSegment(n); }
    void operator()(const gast::MeasureNode& n) const { self.LowerMeasure(n); }
    void operator()(const gast::RefreshNode& n) const { self.LowerRefresh(n); }
    void operator()(const gast::PolicyNode& n) const { self.LowerPolicy(n); }
  };
  boost::apply_visitor(Visitor{*this}, item);
  return !failed_;
}

void Lowerer::LowerEvent(const gast::EventDeclNode& node) {
  EventDecl decl;
  decl.type = NameOf(node.type);
  decl.span = SpanOf(node);
  for (const gast::FieldNode& f : node.fields) {
    FieldDecl field;
    field.name = NameOf(f.name);
    field.type_span = SpanOf(f.type);
    if (auto i = Choose(f.type, kFieldTypes, "field type")) field.type = kFieldValueTypes[*i];
    decl.fields.push_back(std::move(field));
  }
  if (!failed_) out_.events.push_back(std::move(decl));
}

void Lowerer::LowerSegment(const gast::SegmentNode& node) {
  Segment seg;
  seg.name = NameOf(node.name);
  seg.span = SpanOf(node);
  seg.expr = LowerExpr(node.expr);
  seg.definition = NormalizedText(node.expr.b != nullptr ? node.expr.b : node.name.e, node.e);
  if (!failed_) out_.segments.push_back(std::move(seg));
}

void Lowerer::LowerRule(const gast::RuleNode& node) {
  Rule rule;
  rule.span = SpanOf(node);
  if (auto name = String(node.name)) rule.name = {std::move(*name), SpanOf(node.name.b + 1, node.name.e - 1)};
  if (rule.name.text.empty() && !failed_) Error(node.name, "a rule name must not be empty");
  LowerTrigger(node.when, rule.trigger);
  if (node.wait) {
    rule.wait_span = SpanOf(*node.wait);
    rule.wait = DurationOf(node.wait->duration);
    if (node.where1) rule.trigger.where = LowerExpr(node.where1->expr);
    if (node.where2) rule.where = LowerExpr(node.where2->expr);
  } else {
    if (node.where1) rule.where = LowerExpr(node.where1->expr);
    if (node.where2) {
      Error(node.where2->kw, "a second 'where' needs a 'wait' before it (combine the conditions with 'and')");
    }
  }
  rule.actions.resize(node.actions.size());
  for (size_t i = 0; i < node.actions.size(); ++i) LowerAction(node.actions[i], rule.actions[i]);
  for (const gast::Option& opt : node.options) LowerOption(opt, rule);
  if (!failed_) out_.rules.push_back(std::move(rule));
}

std::optional<Name> Lowerer::FieldAfterOn(gast::Tok t) {
  std::string_view s = t.view();
  const char* b = t.b;
  if (s.substr(0, 6) == "event.") {
    b += 6;
    s.remove_prefix(6);
  }
  if (s.find('.') != std::string_view::npos) {
    Error(t, "expected a field name after 'on' (e.g. on order_id), found '" + std::string(t.view()) + "'");
    return std::nullopt;
  }
  return Name{std::string(s), SpanOf(b, t.e)};
}

std::optional<std::vector<Name>> Lowerer::CustomerPath(gast::Tok t, const char* what) {
  ExprPtr path = MakePath(t.b, t.e);
  if (!path || path->root != PathRoot::kCustomer || path->segments.empty()) {
    Error(t, std::string("expected ") + what + ", found '" + std::string(t.view()) + "'");
    return std::nullopt;
  }
  return std::move(path->segments);
}

void Lowerer::LowerTrigger(const gast::WhenNode& node, Trigger& out) {
  out.span = SpanOf(node);
  struct Visitor {
    Lowerer& self;
    Trigger& out;

    void operator()(const gast::TypeTrig& n) const {
      out.kind = n.first ? TriggerKind::kFirst : TriggerKind::kEvent;
      out.event_types.push_back(self.NameOf(n.type));
      if (!n.follow) return;
      const gast::FollowTail& f = *n.follow;
      if (n.first) self.Error(*n.first, "'first' cannot be combined with 'followed by'");
      out.kind =
          f.words.view().substr(0, 3) == "not" ? TriggerKind::kNotFollowedBy : TriggerKind::kFollowedBy;
      out.event_types.push_back(self.NameOf(f.type_b));
      if (auto d = self.DurationOf(f.within)) out.duration = *d;
      if (f.on_field) out.on_field = self.FieldAfterOn(*f.on_field);
    }

    void operator()(const gast::AggTrig& n) const {
      out.kind = TriggerKind::kAggregate;
      self.LowerAggregate(n.agg, n.target, n.where, n.window, out);
      if (auto i = self.Choose(n.cmp, kCompares, "comparison")) out.compare = static_cast<CompareOp>(*i);
      if (auto v = self.Number(n.number)) out.threshold = *v;
    }

    void operator()(const gast::AbsenceTrig& n) const {
      out.kind = TriggerKind::kAbsence;
      for (const gast::Tok& t : n.types) out.event_types.push_back(self.NameOf(t));
      if (auto d = self.DurationOf(n.duration)) out.duration = *d;
    }

    void operator()(const gast::DateTrig& n) const {
      out.kind = TriggerKind::kDate;
      if (auto d = self.DurationOf(n.duration)) out.duration = *d;
      out.before = n.direction.view() == "before";
      if (auto path = self.CustomerPath(n.path, "customer.<date attribute> (e.g. customer.birthday)")) {
        const char* b = self.base_ + path->front().span.begin;
        const char* e = self.base_ + path->back().span.end;
        out.date_attribute = {std::string(b, e), self.SpanOf(b, e)};
      }
      out.yearly = n.yearly.has_value();
      if (auto m = self.TimeOfDay(n.at)) out.at_minutes = *m;
    }

    void operator()(const gast::EveryTrig& n) const {
      if (n.day.view() == "day") {
        out.kind = TriggerKind::kEveryDay;
      } else {
        out.kind = TriggerKind::kEveryWeekday;
        std::vector<std::string> words = kWeekdays;
        words.push_back("day");
        if (auto i = self.Choose(n.day, words, "day")) out.weekday = static_cast<int32_t>(*i);
      }
      if (auto m = self.TimeOfDay(n.at)) out.at_minutes = *m;
    }

    void operator()(const gast::OnDateTrig& n) const {
      out.kind = TriggerKind::kOnDate;
      if (auto d = self.Date(n.date)) out.on_date = *d;
      if (auto m = self.TimeOfDay(n.at)) out.at_minutes = *m;
    }

    void operator()(const gast::SegmentTrig& n) const {
      out.kind = n.direction.view() == "enters" ? TriggerKind::kEnters : TriggerKind::kLeaves;
      out.segment_name = self.NameOf(n.segment);
    }
  };
  boost::apply_visitor(Visitor{*this, out}, node.trigger);
}

void Lowerer::LowerAggregate(gast::Tok agg, gast::Tok target_tok,
                             const boost::optional<gast::WhereNode>& where,
                             const boost::optional<gast::WindowNode>& window, Trigger& out) {
  out.aggregate_name = NameOf(agg);
  if (auto i = Choose(agg, kAggregates, "aggregate")) out.aggregate = static_cast<Aggregate>(*i);
  std::string_view target = target_tok.view();
  size_t dot = target.rfind('.');
  if (out.aggregate == Aggregate::kCount ||
      out.aggregate_name.text != kAggregates[static_cast<size_t>(out.aggregate)]) {
    out.event_types.push_back(NameOf(target_tok));
  } else if (dot == std::string_view::npos) {
    Error(target_tok, "'" + out.aggregate_name.text + "' needs a field: " + out.aggregate_name.text + "(" +
                          std::string(target) + ".<field>)");
  } else {
    out.event_types.push_back({std::string(target.substr(0, dot)), SpanOf(target_tok.b, target_tok.b + dot)});
    out.field = Name{std::string(target.substr(dot + 1)), SpanOf(target_tok.b + dot + 1, target_tok.e)};
  }
  if (where) out.aggregate_where = LowerExpr(where->expr);
  if (window) {
    const gast::WindowNode& w = *window;
    out.window_span = SpanOf(w);
    bool arg_is_duration = w.arg.view()[0] >= '0' && w.arg.view()[0] <= '9';
    if (w.kw.view() == "over") {
      if (!arg_is_duration) {
        Error(w.arg, "expected a duration after 'over' (e.g. over 30 days), found '" +
                         std::string(w.arg.view()) + "'");
      } else if (auto d = DurationOf(w.arg)) {
        out.window = Window::kSliding;
        out.window_length = *d;
        if (*d <= 0) Error(w.arg, "the window must be longer than zero");
      }
    } else if (arg_is_duration) {
      Error(w.arg, "expected day, week, month or year after 'this' (or 'over " + std::string(w.arg.view()) +
                       "'), found '" + std::string(w.arg.view()) + "'");
    } else if (auto i = Choose(w.arg, kPeriods, "calendar window")) {
      out.window = static_cast<Window>(static_cast<size_t>(Window::kDay) + *i);
    }
  }
}

void Lowerer::LowerAction(const gast::Action& node, Action& out) {
  struct Visitor {
    Lowerer& self;
    Action& out;

    void operator()(const gast::CouponAct& n) const {
      out.kind = ActionKind::kCoupon;
      out.span = self.SpanOf(n);
      self.TemplateOf(n.code, out.text);
      if (n.value) out.coupon_value = self.Number(*n.value);
      if (n.valid) out.coupon_valid = self.DurationOf(*n.valid);
    }
    void operator()(const gast::MessageAct& n) const {
      out.kind = ActionKind::kMessage;
      out.span = self.SpanOf(n);
      if (auto i = self.Choose(n.channel, kChannels, "channel")) out.channel = static_cast<Channel>(*i);
      self.TemplateOf(n.text, out.text);
    }
    void operator()(const gast::TicketAct& n) const {
      out.kind = ActionKind::kTicket;
      out.span = self.SpanOf(n);
      self.TemplateOf(n.title, out.text);
      if (n.priority) {
        if (auto i = self.Choose(*n.priority, kTicketPriorities, "ticket priority")) {
          out.priority = static_cast<TicketPriority>(*i);
        }
      }
      out.role = n.role ? self.NameOf(*n.role) : Name{"store_manager", self.SpanOf(n.kw)};
    }
    void operator()(const gast::RemindAct& n) const {
      out.kind = ActionKind::kRemind;
      out.span = self.SpanOf(n);
      out.role = self.NameOf(n.role);
      self.TemplateOf(n.text, out.text);
    }
    void operator()(const gast::TextAct& n) const {
      std::string_view kw = n.kw.view();
      out.kind = kw == "tag" ? ActionKind::kTag : kw == "untag" ? ActionKind::kUntag : ActionKind::kWebhook;
      out.span = self.SpanOf(n);
      self.TemplateOf(n.text, out.text);
    }
    void operator()(const gast::SetAct& n) const {
      out.kind = ActionKind::kSet;
      out.span = self.SpanOf(n);
      if (auto path = self.CustomerPath(n.path, "customer.<tier|owner|store|attrs.name>"))
        out.set_path = std::move(*path);
      out.value = self.LowerExpr(n.value);
    }
    void operator()(const gast::PointsAct& n) const {
      out.kind = ActionKind::kPoints;
      out.span = self.SpanOf(n);
      out.value = self.LowerExpr(n.value);
    }
    void operator()(const gast::EmitAct& n) const {
      out.kind = ActionKind::kEmit;
      out.span = self.SpanOf(n);
      out.emit_type = self.NameOf(n.type);
      for (const gast::EmitFieldNode& f : n.fields) {
        out.emit_fields.push_back({self.NameOf(f.name), self.LowerExpr(f.value)});
      }
    }
  };
  boost::apply_visitor(Visitor{*this, out}, node);
}

void Lowerer::LowerOption(const gast::Option& node, Rule& rule) {
  struct Visitor {
    Lowerer& self;
    Rule& rule;

    void Duplicate(gast::Tok kw) const {
      self.Error(kw, "duplicate '" + std::string(kw.view()) + "' option");
    }

    void operator()(const gast::LimitOpt& n) const {
      if (rule.limit) return Duplicate(n.kw);
      Limit limit;
      limit.span = self.SpanOf(n);
      if (auto c = self.Integer(n.count, "the limit count")) limit.count = *c;
      if (n.per.view() == "customer") {
        limit.per_customer = true;
      } else if (ExprPtr path = self.MakePath(n.per.b, n.per.e)) {
        limit.per_customer = false;
        limit.per_path = std::move(path);
      } else {
        self.Error(n.per, "expected 'customer' or a path (e.g. event.sku) after 'per', found '" +
                              std::string(n.per.view()) + "'");
      }
      if (auto d = self.DurationOf(n.window)) limit.window = *d;
      rule.limit = std::move(limit);
    }
    void operator()(const gast::NumberOpt& n) const {
      if (n.kw.view() == "holdout") {
        if (rule.holdout_percent) return Duplicate(n.kw);
        rule.holdout_span = self.SpanOf(n);
        gast::Tok digits{n.value.b, n.value.e - 1};  // without '%'
        rule.holdout_percent = self.Number(digits);
        if (!rule.holdout_percent) rule.holdout_percent = Decimal();
      } else {
        if (rule.priority_span.end != 0) return Duplicate(n.kw);
        rule.priority_span = self.SpanOf(n);
        if (auto p = self.Integer(n.value, "the priority")) rule.priority = *p;
      }
    }
    void operator()(const gast::BetweenOpt& n) const {
      if (rule.between) return Duplicate(n.kw);
      Between b;
      b.span = self.SpanOf(n);
      if (auto m = self.TimeOfDay(n.from)) b.from_minutes = *m;
      if (auto m = self.TimeOfDay(n.to)) b.to_minutes = *m;
      rule.between = b;
    }
    void operator()(const gast::NameOpt& n) const {  // `policy <name>`
      if (rule.policy) return Duplicate(n.kw);
      rule.policy = self.NameOf(n.name);
      rule.policy_span = self.SpanOf(n);
    }
  };
  boost::apply_visitor(Visitor{*this, rule}, node);
}

}  // namespace patron::dsl
