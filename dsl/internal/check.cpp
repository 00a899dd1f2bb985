// The checker: declarations, rules, triggers, actions and options. See
// dsl/check.hpp for the list of checks.

#include "dsl/check.hpp"

#include <algorithm>
#include <functional>
#include <unordered_set>

#include "dsl/internal/checker.hpp"
#include "dsl/parse.hpp"

namespace patron::dsl {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

bool CheckRuleSet(RuleSet& rules, Diagnostics& diags) {
  try {
    return Checker(rules, diags).Run();
  } catch (const std::exception& e) {
    diags.ErrorNoSpan(rules.files.empty() ? std::string() : rules.files[0].path,
                      std::string("internal error while checking rules: ") + e.what());
    return false;
  }
}

bool Checker::Run() {
  const size_t before = diags_.count();
  CheckEvents();
  CollectMeasures();  // segments may read measures
  CheckSegments();
  CheckMeasures();
  CheckRefreshes();
  CheckPolicies();
  std::unordered_map<std::string, const Rule*> names;
  for (Rule& rule : rules_.rules) {
    auto [it, inserted] = names.emplace(rule.name.text, &rule);
    if (!inserted) {
      Error(rule.name.span, "duplicate rule name " + Quote(rule.name.text) + " (first used at " +
                                Where(it->second->name.span) + ")");
    }
    CheckRule(rule);
  }
  return diags_.count() == before;
}

std::string Checker::Where(Span span) {
  const SourceFile& f = rules_.files[span.file];
  // One map per file, built on first use: a set with many duplicates must
  // not rescan a large file per message.
  if (maps_.size() < rules_.files.size()) maps_.resize(rules_.files.size());
  if (!maps_[span.file]) maps_[span.file] = std::make_unique<SourceMap>(f.text);
  const SourceMap& map = *maps_[span.file];
  return f.path + ":" + std::to_string(map.Line(span.begin)) + ":" + std::to_string(map.Column(span.begin));
}

void Checker::CheckEvents() {
  for (const EventDecl& decl : rules_.events) {
    auto [it, inserted] = events_.emplace(decl.type.text, &decl);
    if (!inserted) {
      Error(decl.type.span, "duplicate declaration of event " + Quote(decl.type.text) +
                                " (first declared at " + Where(it->second->type.span) + ")");
    }
    std::unordered_map<std::string, const FieldDecl*> fields;
    for (const FieldDecl& f : decl.fields) {
      auto [fit, fresh] = fields.emplace(f.name.text, &f);
      if (!fresh) {
        Error(f.name.span, "duplicate field " + Quote(f.name.text) + " in event " + Quote(decl.type.text) +
                               " (first declared at " + Where(fit->second->name.span) + ")");
      }
    }
  }
}

void Checker::CheckSegments() {
  for (size_t i = 0; i < rules_.segments.size(); ++i) {
    const Segment& seg = rules_.segments[i];
    auto [it, inserted] = segments_.emplace(seg.name.text, static_cast<int32_t>(i));
    if (!inserted) {
      Error(seg.name.span, "duplicate segment " + Quote(seg.name.text) + " (first declared at " +
                               Where(rules_.segments[it->second].name.span) + ")");
    }
  }
  const Scope scope = NoEventScope("a segment has no event (segments may use customer.* only)");
  for (Segment& seg : rules_.segments) CheckCondition(*seg.expr, scope, "a segment");
  CheckSegmentCycles();
}

void Checker::CheckSegmentCycles() {
  const size_t n = rules_.segments.size();
  std::vector<std::vector<std::pair<int32_t, Span>>> refs(n);
  std::function<void(const Expr&, size_t)> collect = [&](const Expr& e, size_t from) {
    if (e.kind == ExprKind::kSegment && e.segment >= 0) refs[from].push_back({e.segment, e.span});
    for (const auto& a : e.args) collect(*a, from);
  };
  for (size_t i = 0; i < n; ++i) collect(*rules_.segments[i].expr, i);
  // 0 = unvisited, 1 = on the current path, 2 = done.
  std::vector<int> state(n, 0);
  std::function<void(size_t)> visit = [&](size_t i) {
    state[i] = 1;
    for (const auto& [to, span] : refs[i]) {
      if (state[to] == 1) {
        Error(span,
              "segment " + Quote(rules_.segments[to].name.text) + " refers to itself" +
                  (static_cast<size_t>(to) == i ? "" : " through " + Quote(rules_.segments[i].name.text)));
      } else if (state[to] == 0) {
        visit(to);
      }
    }
    state[i] = 2;
  };
  for (size_t i = 0; i < n; ++i) {
    if (state[i] == 0) visit(i);
  }
}

Checker::Scope Checker::EventScope(const Name& type) const {
  Scope s;
  s.has_event = true;
  s.type = type.text;
  auto it = events_.find(type.text);
  if (it != events_.end()) s.decl = it->second;
  return s;
}

Checker::Scope Checker::NoEventScope(std::string reason) const {
  Scope s;
  s.no_event_reason = std::move(reason);
  return s;
}

const FieldDecl* Checker::FindField(const EventDecl& decl, std::string_view name) const {
  for (const FieldDecl& f : decl.fields) {
    if (f.name.text == name) return &f;
  }
  return nullptr;
}

void Checker::UnknownField(const EventDecl& decl, const Name& field) {
  std::vector<std::string> names;
  for (const FieldDecl& f : decl.fields) names.push_back(f.name.text);
  std::string hint = Suggest(field.text, names);
  Error(field.span, "event " + Quote(decl.type.text) + " has no field " + Quote(field.text) +
                        (hint.empty() ? std::string() : "; did you mean " + Quote(hint) + "?"));
}

void Checker::CheckRule(Rule& rule) {
  const Trigger& t = rule.trigger;
  Scope scope;
  switch (t.kind) {
    case TriggerKind::kEvent:
    case TriggerKind::kFirst:
    case TriggerKind::kAggregate:
      scope = EventScope(t.event_types[0]);
      break;
    case TriggerKind::kNotFollowedBy:
      scope = EventScope(t.event_types[0]);
      break;
    case TriggerKind::kFollowedBy:
      scope = EventScope(t.event_types[1]);
      break;
    case TriggerKind::kAbsence:
      scope = NoEventScope("an absence trigger has no event (use customer.* only)");
      break;
    case TriggerKind::kDate:
      scope = NoEventScope("a date trigger has no event (use customer.* only)");
      break;
    case TriggerKind::kEveryDay:
    case TriggerKind::kEveryWeekday:
    case TriggerKind::kOnDate:
      scope = NoEventScope("a schedule trigger has no event (use customer.* only)");
      break;
    case TriggerKind::kEnters:
    case TriggerKind::kLeaves:
      scope = NoEventScope("a segment trigger (enters, leaves) has no event (use customer.* only)");
      break;
  }
  CheckTrigger(rule);
  if (rule.trigger.where) CheckCondition(*rule.trigger.where, scope, "'where'");
  if (rule.wait && *rule.wait <= 0) Error(rule.wait_span, "'wait' needs a duration longer than zero");
  if (rule.where) CheckCondition(*rule.where, scope, "'where'");
  for (Action& a : rule.actions) CheckAction(a, scope);
  CheckOptions(rule, scope);
}

void Checker::CheckTrigger(Rule& rule) {
  Trigger& t = rule.trigger;
  switch (t.kind) {
    case TriggerKind::kEvent:
    case TriggerKind::kFirst:
      break;
    case TriggerKind::kAggregate:
      CheckAggregate(t.event_types[0], t.aggregate, t.aggregate_name, t.field, t.aggregate_where.get());
      break;
    case TriggerKind::kAbsence:
    case TriggerKind::kNotFollowedBy:
    case TriggerKind::kFollowedBy:
      if (t.duration <= 0) {
        Error(t.span, std::string("the duration after '") +
                          (t.kind == TriggerKind::kAbsence ? "for" : "within") +
                          "' must be longer than zero");
      }
      if (t.on_field) {
        // Both A and B need the field; report the first type that lacks it.
        for (const Name& type : t.event_types) {
          auto it = events_.find(type.text);
          if (it != events_.end() && FindField(*it->second, t.on_field->text) == nullptr &&
              t.on_field->text != "id" && t.on_field->text != "store") {
            UnknownField(*it->second, *t.on_field);
            break;
          }
        }
      }
      break;
    case TriggerKind::kDate: {
      const std::string& attr = t.date_attribute.text;
      if (attr == "birthday" ||
          (attr.rfind("attrs.", 0) == 0 && attr.size() > 6 && attr.find('.', 6) == std::string::npos)) {
        break;
      }
      std::string hint = Suggest(attr, {"birthday"});
      Error(t.date_attribute.span, "a date trigger needs customer.birthday or customer.attrs.<name>, found " +
                                       Quote("customer." + attr) +
                                       (hint.empty() ? std::string() : "; did you mean 'birthday'?"));
      break;
    }
    case TriggerKind::kEveryDay:
    case TriggerKind::kEveryWeekday:
    case TriggerKind::kOnDate:
      break;
    case TriggerKind::kEnters:
    case TriggerKind::kLeaves:
      CheckSegmentTrigger(t);
      break;
  }
}

void Checker::CheckAggregate(const Name& type, Aggregate aggregate, const Name& aggregate_name,
                             const std::optional<Name>& field, Expr* where) {
  auto it = events_.find(type.text);
  if (aggregate == Aggregate::kCount) {
    // count(order.completed.amount): the whole name is the type; if a
    // prefix is a declared type with that field, a field was meant.
    size_t dot = type.text.rfind('.');
    if (it == events_.end() && dot != std::string::npos) {
      auto prefix = events_.find(type.text.substr(0, dot));
      if (prefix != events_.end() && FindField(*prefix->second, type.text.substr(dot + 1)) != nullptr) {
        Error(type.span, "'count' takes no field: write count(" + prefix->first + ")");
      }
    }
  } else if (field && it != events_.end()) {
    const FieldDecl* f = FindField(*it->second, field->text);
    if (f == nullptr) {
      UnknownField(*it->second, *field);
    } else if (f->type != ValueType::kNumber && f->type != ValueType::kAny) {
      Error(field->span, Quote(aggregate_name.text) + " needs a number field; " + type.text + "." +
                             f->name.text + " is a " + std::string(TypeName(f->type)));
    }
  }
  if (where != nullptr) CheckCondition(*where, EventScope(type), "'where'");
}

void Checker::CheckAction(Action& a, const Scope& scope) {
  CheckTemplate(a.text, scope);
  switch (a.kind) {
    case ActionKind::kSet: {
      const std::vector<Name>& p = a.set_path;
      ValueType target = ValueType::kAny;
      bool ok = false;
      if (p.size() == 1 && (p[0].text == "tier" || p[0].text == "owner" || p[0].text == "store")) {
        ok = true;
        target = ValueType::kString;
      } else if (p.size() == 2 && p[0].text == "attrs") {
        ok = true;
      }
      if (!ok && !p.empty()) {
        Span span{p.front().span.file, p.front().span.begin, p.back().span.end};
        std::string written;
        for (const Name& n : p) written += (written.empty() ? "" : ".") + n.text;
        std::string hint = Suggest(written, {"tier", "owner", "store"});
        Error(span, "cannot set customer." + written +
                        "; 'set' changes customer.tier, customer.owner, "
                        "customer.store or customer.attrs.<name>" +
                        (hint.empty() ? std::string() : "; did you mean " + Quote(hint) + "?"));
      }
      ValueType v = Check(*a.value, scope);
      if (ok && target != ValueType::kAny && v != ValueType::kAny && v != ValueType::kNull && v != target) {
        Error(a.value->span, "customer." + p[0].text + " is a " + std::string(TypeName(target)) + ", found " +
                                 std::string(TypeName(v)));
      }
      break;
    }
    case ActionKind::kPoints: {
      ValueType v = Check(*a.value, scope);
      if (v != ValueType::kAny && v != ValueType::kNumber) {
        Error(a.value->span, "'points' needs a number, found " + std::string(TypeName(v)));
      }
      break;
    }
    case ActionKind::kEmit: {
      auto it = events_.find(a.emit_type.text);
      std::unordered_set<std::string> seen;
      for (EmitField& f : a.emit_fields) {
        if (!seen.insert(f.name.text).second) Error(f.name.span, "duplicate field " + Quote(f.name.text));
        ValueType v = Check(*f.value, scope);
        if (it == events_.end()) continue;
        const FieldDecl* decl = FindField(*it->second, f.name.text);
        if (decl == nullptr) {
          UnknownField(*it->second, f.name);
        } else if (decl->type != ValueType::kAny && v != ValueType::kAny && v != ValueType::kNull &&
                   v != decl->type) {
          Error(f.value->span, a.emit_type.text + "." + f.name.text + " is a " +
                                   std::string(TypeName(decl->type)) + ", found " + std::string(TypeName(v)));
        }
      }
      break;
    }
    case ActionKind::kCoupon:
      if (a.coupon_valid && *a.coupon_valid <= 0) Error(a.span, "'valid' needs a duration longer than zero");
      break;
    default:
      break;
  }
}

Span Checker::SecondWord(Span span) const {
  const std::string& text = rules_.files[span.file].text;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  uint32_t p = span.begin;
  while (p < span.end && !is_space(text[p])) ++p;
  while (p < span.end && is_space(text[p])) ++p;
  uint32_t q = p;
  while (q < span.end && !is_space(text[q])) ++q;
  return p < q ? Span{span.file, p, q} : span;
}

void Checker::CheckOptions(Rule& rule, const Scope& scope) {
  // Options may come in any order: report in the order they were written.
  std::vector<std::pair<uint32_t, std::function<void()>>> checks;
  if (rule.limit) {
    Limit& l = *rule.limit;
    checks.emplace_back(l.span.begin, [&] {
      if (l.count < 1)
        Error(SecondWord(l.span), "the limit count must be at least 1, found " + std::to_string(l.count));
      if (l.per_path) Check(*l.per_path, scope);
      if (l.window <= 0) Error(l.span, "the limit window must be longer than zero");
    });
  }
  if (rule.holdout_percent) {
    checks.emplace_back(rule.holdout_span.begin, [&] {
      if (*rule.holdout_percent < Decimal() || *rule.holdout_percent > Decimal::FromInt(100)) {
        Error(SecondWord(rule.holdout_span),
              "holdout must be between 0% and 100%, found " + rule.holdout_percent->ToString() + "%");
      }
    });
  }
  if (rule.between) {
    checks.emplace_back(rule.between->span.begin, [&] {
      if (rule.between->from_minutes == rule.between->to_minutes) {
        Error(rule.between->span, "'between' needs two different times");
      }
    });
  }
  if (rule.policy) checks.emplace_back(rule.policy_span.begin, [&] { CheckRulePolicyName(rule); });
  std::stable_sort(checks.begin(), checks.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [at, check] : checks) check();
  CheckPolicyWindows(rule);
}

}  // namespace patron::dsl
