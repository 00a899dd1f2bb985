#pragma once
// Loading and compiling a rule set for a command, with every diagnostic
// printed exactly as dsl::Diagnostics renders it (language.md "Errors").

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "engine/compile/compiler.hpp"

namespace patron::runtime {

struct LoadedRules {
  dsl::RuleSet rules;
  std::shared_ptr<const CompiledRules> compiled;  // never null
};

// Reads, parses, checks and compiles `paths` (files or directories). On any
// error writes Diagnostics::Render() to `errors` and returns nullopt.
std::optional<LoadedRules> LoadAndCompileRules(const std::vector<std::string>& paths,
                                               const CompileOptions& options, std::ostream& errors);

// "7 rules, 1 segment, 5 event types".
std::string DescribeRuleSet(const dsl::RuleSet& rules);

}  // namespace patron::runtime
