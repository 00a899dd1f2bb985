#pragma once
// Compiles AST expressions into hash-consed nodes of a CompiledRules graph
// (engine/graph.hpp). Each distinct (operator, children, constant) is one
// node, so a predicate written in many rules is built once; `and`, `or`,
// `==` and `!=` order their children canonically so that `a and b` and
// `b and a` share too. Paths and constants are resolved here. Used only by
// the compiler, on one thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "engine/graph.hpp"

namespace patron {

// What the compiled expression may refer to.
struct ExprScope {
  // Declared fields of the triggering event type, or nullptr (dynamic type).
  const std::vector<DeclaredField>* declared = nullptr;
};

class ExprBuilder {
 public:
  // `rules` (for segments and error positions), `diags` and `out` must outlive the builder.
  ExprBuilder(const dsl::RuleSet& rules, dsl::Diagnostics& diags, CompiledRules& out);

  // The node of `expr`. Never fails: a path the checker should have refused
  // (unknown customer attribute) is reported to diags and compiles to null.
  uint32_t Compile(const dsl::Expr& expr, const ExprScope& scope);
  // The node of a constant; `v` must point into `out`'s constant storage (or hold no pointer).
  uint32_t Constant(const Value& v);
  // The node of a string constant (copied into `out`).
  uint32_t StringConstant(std::string_view s);
  // The node of data.<segments> of the event.
  uint32_t EventField(const std::vector<std::string>& segments, bool as_time);

  // Marks nodes used more than once (by parents or by `roots`), and every
  // path lookup, as memoised. Call once, after everything is compiled.
  void FinishMemo(const std::vector<uint32_t>& roots);

 private:
  uint32_t Intern(Node node);
  uint32_t CompilePath(const dsl::Expr& expr, const ExprScope& scope);
  uint32_t CompileSegment(const dsl::Expr& expr);
  uint32_t Unary(NodeOp op, uint32_t a);
  uint32_t Binary(NodeOp op, uint32_t a, uint32_t b);

  const dsl::RuleSet& rules_;
  dsl::Diagnostics& diags_;
  CompiledRules& out_;
  std::unordered_map<std::string, uint32_t> nodes_by_key_;
  std::unordered_map<std::string, uint32_t> constants_by_key_;
  std::unordered_map<std::string, uint32_t> event_paths_by_key_;
  std::unordered_map<std::string, uint32_t> attr_paths_by_key_;
  std::vector<uint32_t> segment_nodes_;  // per RuleSet::segments, kNoNode until compiled
};

}  // namespace patron
