#pragma once
// Internal to dsl/: the checker's state, shared by check.cpp (declarations,
// rules, triggers, actions, options) and check_expr.cpp (expressions and
// templates). See dsl/check.hpp for what is checked.

#include <memory>
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
  std::string Where(Span span);  // "file:line:col"
  // The second white-space separated word of `span` (the `0` of `limit 0 per`).
  Span SecondWord(Span span) const;

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
  std::vector<std::unique_ptr<SourceMap>> maps_;  // by file index, for Where()
};

}  // namespace patron::dsl
