#pragma once
// Internal to dsl/: the checker's state, shared by check.cpp (declarations,
// rules, triggers, actions, options) and check_expr.cpp (expressions and
// templates). See dsl/check.hpp for what is checked.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"

namespace patron::dsl {

class Checker {
 public:
  Checker(RuleSet& rules, Diagnostics& diags) : rules_(rules), diags_(diags) {}
  // Runs every check; returns false if any error was reported.
  bool Run();

 private:
  // What `event` means in the expression being checked.
  struct Scope {
    bool has_event = false;
    std::string no_event_reason;      // why there is none, for the message
    const EventDecl* decl = nullptr;  // the declaration of the event's type, if any
    std::string type;                 // the event's type, for messages
  };

  // check.cpp
  void CheckEvents();
  void CheckSegments();
  void CheckSegmentCycles();
  void CheckRule(Rule& rule);
  void CheckTrigger(Rule& rule);
  void CheckAction(Action& action, const Scope& scope);
  void CheckOptions(Rule& rule, const Scope& scope);
  Scope EventScope(const Name& type) const;
  Scope NoEventScope(std::string reason) const;
  const FieldDecl* FindField(const EventDecl& decl, std::string_view name) const;
  // Reports an unknown field of a declared type, with a suggestion.
  void UnknownField(const EventDecl& decl, const Name& field);
  // The aggregate of an aggregate trigger or a measure: field of a declared
  // type (a number), `count` with no field, the filter.
  void CheckAggregate(const Name& type, Aggregate aggregate, const Name& aggregate_name,
                      const std::optional<Name>& field, Expr* where);
  std::string Where(Span span);  // "file:line:col"
  // The second white-space separated word of `span` (the `0` of `limit 0 per`).
  Span SecondWord(Span span) const;

  // check_measures.cpp: measures, `segments refresh at`, enters/leaves.
  void CollectMeasures();  // names, before anything reads them
  void CheckMeasures();    // definitions
  void CheckRefreshes();
  void CheckSegmentTrigger(Trigger& t);

  // check_policies.cpp
  void CheckPolicies();
  // A rule's `policy <name>`: a known policy or `none`.
  void CheckRulePolicyName(Rule& rule);
  // A rule with a message or coupon whose own `between` and whose policy's
  // `between` are never open at the same time.
  void CheckPolicyWindows(const Rule& rule);

  // check_expr.cpp
  ValueType Check(Expr& e, const Scope& scope);
  ValueType CheckPath(Expr& e, const Scope& scope);
  ValueType CheckCall(Expr& e, const Scope& scope);
  ValueType CheckBinary(Expr& e, const Scope& scope);
  void CheckCondition(Expr& e, const Scope& scope, const char* what);
  void CheckTemplate(Template& t, const Scope& scope);
  // The span of a binary expression's operator token.
  Span OperatorSpan(const Expr& e) const;

  void Error(Span span, std::string message) { diags_.Error(rules_.files, span, std::move(message)); }

  RuleSet& rules_;
  Diagnostics& diags_;
  std::unordered_map<std::string, const EventDecl*> events_;
  std::unordered_map<std::string, int32_t> segments_;
  std::unordered_map<std::string, int32_t> measures_;
  std::unordered_map<std::string, int32_t> policies_;
  int32_t default_policy_ = -1;  // index into RuleSet::policies
  std::vector<std::unique_ptr<SourceMap>> maps_;  // by file index, for Where()
};

}  // namespace patron::dsl
