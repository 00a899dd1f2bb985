#pragma once
// A readable, deterministic dump of a rule set's syntax tree: one line per
// node, indented by depth, with the node's kind, its values and its span as
// `@line:col-line:col` (1-based; the end is one past the last character).
// Used by the golden tests (tests/dsl/cases/**/*.expect) and handy for
// people. Pure function; safe from any thread for a RuleSet nobody mutates.

#include <string>

#include "dsl/ast.hpp"

namespace patron::dsl {

// The whole rule set: files, event declarations, segments, rules in order.
std::string DumpAst(const RuleSet& rules);

// "14d", "24h", "90m", "45s", "1500000us": the largest unit (up to days)
// that divides the duration, for dumps and messages.
std::string FormatDuration(Duration d);

}  // namespace patron::dsl
