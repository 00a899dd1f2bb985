#include "engine/compile/compiler.hpp"

#include <algorithm>
#include <memory>
#include <numeric>
#include <set>

#include "base/stable_hash.hpp"
#include "engine/compile/compile_v2.hpp"
#include "engine/compile/expr_builder.hpp"
#include "engine/graph.hpp"
#include "engine/compile/index_builder.hpp"

namespace patron {

void CompiledRulesDeleter::operator()(CompiledRules* rules) const { std::default_delete<CompiledRules>{}(rules); }

namespace {

bool IsPhonePath(const dsl::Expr& e) {
  if (e.kind != dsl::ExprKind::kPath) return false;
  if (e.root == dsl::PathRoot::kCustomer) return e.segments.size() == 1 && e.segments[0].text == "phone";
  return e.segments.size() == 2 && e.segments[0].text == "customer" && e.segments[1].text == "phone";
}

class RuleCompiler {
 public:
  RuleCompiler(const dsl::RuleSet& rs, dsl::Diagnostics& diags, CompiledRules& out)
      : rs_(rs), diags_(diags), out_(out), exprs_(rs, diags, out) {}

  void Compile(const CompileOptions& options) {
    out_.timezone = options.timezone;
    auto zone = TimeZone::Load(options.timezone);
    if (zone.ok()) {
      out_.zone = *zone;
    } else {
      diags_.ErrorNoSpan("--timezone", zone.status().message());
    }
    for (const dsl::EventDecl& decl : rs_.events) {
      auto& fields = out_.declared[decl.type.text];
      for (const dsl::FieldDecl& f : decl.fields) fields.push_back(DeclaredField{f.name.text, f.type});
    }
    CompileMeasures(rs_, exprs_, out_, roots_);
    CompilePolicies(rs_, out_);
    out_.rules.reserve(rs_.rules.size());
    for (size_t i = 0; i < rs_.rules.size(); ++i) CompileRule(rs_.rules[i], static_cast<uint32_t>(i));
    for (const CompiledRule& r : out_.rules) out_.rule_by_key.emplace(r.rule_key, r.index);

    // Evaluation order: priority high to low, ties in rule-set order.
    out_.rank_to_rule.resize(out_.rules.size());
    std::iota(out_.rank_to_rule.begin(), out_.rank_to_rule.end(), 0u);
    std::stable_sort(out_.rank_to_rule.begin(), out_.rank_to_rule.end(),
                     [&](uint32_t a, uint32_t b) { return out_.rules[a].priority > out_.rules[b].priority; });
    for (uint32_t rank = 0; rank < out_.rank_to_rule.size(); ++rank) out_.rules[out_.rank_to_rule[rank]].rank = rank;
    CompileTrackedSegments(rs_, exprs_, out_, roots_);

    std::vector<uint32_t> index_roots = BuildDispatch(out_, options);
    roots_.insert(roots_.end(), index_roots.begin(), index_roots.end());
    for (const CompiledRule& r : out_.rules) {
      roots_.insert(roots_.end(), r.residual.begin(), r.residual.end());
      roots_.insert(roots_.end(), r.range_conjuncts.begin(), r.range_conjuncts.end());
    }
    exprs_.FinishMemo(roots_);
  }

 private:
  uint32_t Root(uint32_t node) {
    roots_.push_back(node);
    return node;
  }

  void CompileRule(const dsl::Rule& rule, uint32_t index) {
    CompiledRule& r = out_.rules.emplace_back();
    r.name = rule.name.text;
    r.index = index;
    r.rule_key = StableHash({"rule", rule.name.text});
    r.priority = rule.priority;
    r.trigger = rule.trigger.kind;
    if (!rule.trigger.event_types.empty()) r.event_type = rule.trigger.event_types[0].text;
    ExprScope scope;
    scope.declared = out_.Declared(r.event_type);

    if (r.trigger == dsl::TriggerKind::kAggregate) {
      const dsl::Trigger& t = rule.trigger;
      r.aggregate = t.aggregate;
      if (t.field) r.aggregate_field = Root(exprs_.EventField({t.field->text}, false));
      if (t.aggregate_where) r.aggregate_where = Root(exprs_.Compile(*t.aggregate_where, scope));
      r.compare = t.compare;
      r.threshold = t.threshold;
    }
    CompileTime(rule, r, scope);
    if (rule.where) r.where = Root(exprs_.Compile(*rule.where, scope));

    if (rule.limit) {
      r.has_limit = true;
      r.limit_count = rule.limit->count;
      r.limit_per_customer = rule.limit->per_customer;
      r.limit_window = rule.limit->window;
      if (!r.limit_per_customer && rule.limit->per_path)
        r.limit_path = Root(exprs_.Compile(*rule.limit->per_path, scope));
    }
    if (rule.holdout_percent) {
      r.has_holdout = true;
      int64_t micros = rule.holdout_percent->micros();
      r.holdout_below = micros <= 0 ? 0 : static_cast<uint64_t>(micros / 100);
    }
    for (size_t i = 0; i < rule.actions.size(); ++i) r.actions.push_back(CompileAction(rule.actions[i], i, scope));
    CompileRulePolicy(rs_, rule, r);
  }

  // The time-driven parts of a rule: what dispatches it, what its events
  // watch, windows, waits, quiet hours, dates and schedules.
  void CompileTime(const dsl::Rule& rule, CompiledRule& r, ExprScope& scope) {
    const dsl::Trigger& t = rule.trigger;
    r.duration = t.duration;
    r.window = t.window;
    r.window_length = t.window_length;
    r.at_minutes = t.at_minutes;
    r.weekday = t.weekday;
    r.on_date = t.on_date;
    auto watch = [&](const dsl::Name& type, WatchRole role) {
      out_.types[type.text].watches.push_back(Watch{r.index, role});
    };
    switch (t.kind) {
      case dsl::TriggerKind::kEvent:
      case dsl::TriggerKind::kFirst:
      case dsl::TriggerKind::kAggregate:
        break;
      case dsl::TriggerKind::kAbsence:
        r.dispatched = false;
        for (const dsl::Name& type : t.event_types) watch(type, WatchRole::kArmAbsence);
        break;
      case dsl::TriggerKind::kNotFollowedBy:
      case dsl::TriggerKind::kFollowedBy: {
        const bool followed = t.kind == dsl::TriggerKind::kFollowedBy;
        r.dispatched = followed;
        if (followed) r.event_type = t.event_types[1].text;  // it fires on B
        // B closes before A opens, so an event that is both (A == B) never
        // closes the A it opens itself.
        if (!followed) watch(t.event_types[1], WatchRole::kCloseSequence);
        watch(t.event_types[0], WatchRole::kOpenSequence);
        if (t.on_field) {
          dsl::Expr path;
          path.kind = dsl::ExprKind::kPath;
          path.root = dsl::PathRoot::kEvent;
          path.span = t.on_field->span;
          path.segments.push_back(*t.on_field);
          r.on_field = Root(exprs_.Compile(path, ExprScope{}));
        }
        r.on_key = StableHash({"on", rule.name.text});
        scope.declared = out_.Declared(followed ? t.event_types[1].text : t.event_types[0].text);
        break;
      }
      case dsl::TriggerKind::kDate:
        r.dispatched = false;
        r.date_before = t.before;
        r.yearly = t.yearly;
        r.date_is_birthday = t.date_attribute.text == "birthday";
        if (!r.date_is_birthday) r.date_attr_name = t.date_attribute.text.substr(6);  // after "attrs."
        out_.date_rules.push_back(r.index);
        break;
      case dsl::TriggerKind::kEveryDay:
      case dsl::TriggerKind::kEveryWeekday:
      case dsl::TriggerKind::kOnDate:
        r.dispatched = false;
        out_.schedule_rules.push_back(r.index);
        break;
      case dsl::TriggerKind::kEnters:
      case dsl::TriggerKind::kLeaves:
        r.dispatched = false;  // membership changes fire them (engine/internal/segment_membership.hpp)
        break;
    }
    if (!r.dispatched) r.event_type.clear();
    r.wait = rule.wait;
    if (t.where) r.trigger_where = Root(exprs_.Compile(*t.where, scope));
    if (rule.between) {
      r.has_between = true;
      r.between_from = rule.between->from_minutes;
      r.between_to = rule.between->to_minutes;
    }
  }

  CompiledTemplate CompileTemplate(const dsl::Template& t, const ExprScope& scope) {
    CompiledTemplate out;
    for (const dsl::TemplatePart& part : t.parts) {
      TemplatePiece piece;
      if (part.path) {
        piece.node = Root(exprs_.Compile(*part.path, scope));
        piece.phone = IsPhonePath(*part.path);
        out.constant = false;
      } else {
        piece.literal = part.literal;
        out.text += part.literal;
      }
      out.pieces.push_back(std::move(piece));
    }
    if (!out.constant) out.text.clear();
    return out;
  }

  CompiledAction CompileAction(const dsl::Action& a, size_t index, const ExprScope& scope) {
    CompiledAction c;
    c.kind = a.kind;
    c.index = static_cast<uint32_t>(index);
    c.index_text = std::to_string(index);
    c.text = CompileTemplate(a.text, scope);
    c.coupon_value = a.coupon_value;
    c.coupon_valid = a.coupon_valid;
    c.channel = a.channel;
    c.priority = a.priority;
    c.role = a.role.text;
    if (a.kind == ActionKind::kTicket && c.role.empty()) c.role = "store_manager";
    if (a.kind == ActionKind::kSet) {
      std::string first = a.set_path.empty() ? std::string() : a.set_path[0].text;
      if (first == "attrs") {
        c.set_target = SetTarget::kAttr;
        for (size_t i = 1; i < a.set_path.size(); ++i) c.set_attr_path.push_back(a.set_path[i].text);
      } else if (first == "owner") {
        c.set_target = SetTarget::kOwner;
      } else if (first == "store") {
        c.set_target = SetTarget::kStore;
      } else if (first == "tier") {
        c.set_target = SetTarget::kTier;
      } else {
        dsl::Span span = a.set_path.empty() ? a.span : a.set_path[0].span;
        diags_.Error(rs_.files, span, "cannot set customer." + first + "; settable: tier, owner, store, attrs.<name>");
      }
      if (c.set_target == SetTarget::kAttr && c.set_attr_path.empty())
        diags_.Error(rs_.files, a.set_path[0].span, "set customer.attrs needs an attribute name");
      for (size_t i = 0; i < a.set_path.size(); ++i) {
        if (i) c.set_attr_name += '.';
        c.set_attr_name += a.set_path[i].text;
      }
    }
    if (a.value) c.value = Root(exprs_.Compile(*a.value, scope));
    c.emit_type = a.emit_type.text;
    for (const dsl::EmitField& f : a.emit_fields)
      c.emit_fields.emplace_back(f.name.text, f.value ? Root(exprs_.Compile(*f.value, scope)) : exprs_.Constant({}));
    return c;
  }

  const dsl::RuleSet& rs_;
  dsl::Diagnostics& diags_;
  CompiledRules& out_;
  ExprBuilder exprs_;
  std::vector<uint32_t> roots_;
};

}  // namespace

CompiledRulesPtr CompileRules(const dsl::RuleSet& rules, dsl::Diagnostics& diags, const CompileOptions& options) {
  size_t errors_before = diags.count();
  auto out = std::make_unique<CompiledRules>();
  RuleCompiler(rules, diags, *out).Compile(options);
  if (diags.count() != errors_before) return nullptr;
  return CompiledRulesPtr(out.release());
}

RuleSetSummary Summarise(const dsl::RuleSet& rules) {
  RuleSetSummary s;
  s.rules = rules.rules.size();
  s.segments = rules.segments.size();
  std::set<std::string> types;
  for (const dsl::EventDecl& d : rules.events) types.insert(d.type.text);
  for (const dsl::Rule& r : rules.rules)
    for (const dsl::Name& t : r.trigger.event_types) types.insert(t.text);
  for (const dsl::Measure& m : rules.measures) types.insert(m.event_type.text);
  s.event_types = types.size();
  return s;
}

}  // namespace patron
