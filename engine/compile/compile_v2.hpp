#pragma once
// The compiler's part for the version 2 declarations (language.md "Version
// 2 additions"): measures, policies, the segments that `when customer
// enters|leaves` rules watch, and their daily refresh. Called by
// CompileRules (engine/compile/compiler.cpp) on one thread; every node
// compiled here is appended to `roots` (for the memo's use counts).

#include <cstdint>
#include <vector>

#include "dsl/ast.hpp"
#include "engine/compile/expr_builder.hpp"
#include "engine/graph.hpp"

namespace patron {

// Compiles every measure into out.measures (RuleSet order) and lists each
// under its event type's dispatch. Call before any expression that reads
// customer.<measure> is compiled.
void CompileMeasures(const dsl::RuleSet& rules, ExprBuilder& exprs, CompiledRules& out,
                     std::vector<uint32_t>& roots);

// Compiles every policy into out.policies (RuleSet order).
void CompilePolicies(const dsl::RuleSet& rules, CompiledRules& out);

// The rule's policy (named, or the default unless `policy none`) and
// whether it has a message or coupon action. Call after CompilePolicies.
void CompileRulePolicy(const dsl::RuleSet& rules, const dsl::Rule& rule, CompiledRule& out_rule);

// The segments of enters/leaves rules (each once, in the order first
// watched) with their rules in evaluation order, and the refresh. Call
// after every rule is compiled and ranked.
void CompileTrackedSegments(const dsl::RuleSet& rules, ExprBuilder& exprs, CompiledRules& out,
                            std::vector<uint32_t>& roots);

}  // namespace patron
