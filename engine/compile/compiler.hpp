#pragma once
// Compiles a checked rule set into an evaluation graph (engine/graph.hpp):
// events dispatch by type to source nodes, identical predicates become one
// shared node, equality tests on event fields are indexed, and every path
// and constant is resolved here so that evaluation does no lookup by name.

#include <memory>
#include <string>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"

namespace patron {

class CompiledRules;

struct CompileOptions {
  std::string timezone = "Asia/Shanghai";
  // A bucket's range index (engine/graph.hpp RangeIndex) holds at most this
  // many entries (rules times elementary intervals they cover); a bucket that
  // would need more evaluates its range conjuncts rule by rule instead.
  size_t max_range_index_entries = size_t{1} << 20;
};

// Counts for `patron check`'s summary line.
struct RuleSetSummary {
  size_t rules = 0;
  size_t segments = 0;
  size_t event_types = 0;  // distinct event types named by declarations and triggers
};

// Destroys a compiled graph (CompiledRules is opaque outside engine/).
struct CompiledRulesDeleter {
  void operator()(CompiledRules* rules) const;
};
using CompiledRulesPtr = std::unique_ptr<CompiledRules, CompiledRulesDeleter>;

// The compiled graph, or null with errors in `diags` (for example a
// construct this build cannot run yet, reported at its position). The
// result keeps no reference to `rules`.
CompiledRulesPtr CompileRules(const dsl::RuleSet& rules, dsl::Diagnostics& diags,
                              const CompileOptions& options = {});

RuleSetSummary Summarise(const dsl::RuleSet& rules);

}  // namespace patron
