#pragma once
// Loading rule sets: read *.rules files, parse them with the grammar, and
// check the result. No Boost types in this header. Errors are reported into
// a Diagnostics; the functions never throw.

#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"

namespace patron::dsl {

struct ParseOptions {
  // Stop collecting syntax errors in one file after this many.
  size_t max_errors_per_file = 20;
  // Deepest nesting of parentheses, lists, calls, `not` and unary minus in
  // one expression (counted together); deeper input is an error rather than
  // a stack overflow.
  int max_nesting = 64;
  // Deepest expression tree, counting operators applied to operators (a
  // chain `a + b + ... + z` is as deep as it is long); deeper is an error.
  int max_expression_depth = 256;
};

// Parses one file's text into `out` (appending its declarations and rules,
// with spans in file `file_index` of out.files, which the caller has already
// pushed). After a syntax error, parsing resumes at the next `rule`,
// `event` or `segment` keyword at the start of a line, so one call can
// report several errors. Returns false if any error was reported.
bool ParseFile(uint32_t file_index, RuleSet& out, Diagnostics& diags, const ParseOptions& options = {});

// Checks a parsed rule set (see dsl/check.hpp for the list of checks).
// Returns false if any error was reported.
bool CheckRuleSet(RuleSet& rules, Diagnostics& diags);

// Reads every path (a file, or a directory whose *.rules files are read in
// name order), parses and checks them. Returns the rule set, or nullopt if
// any file could not be read or any error was found: all of them are in
// `diags`. Paths in messages are as given (dir + "/" + file name for files
// found in a directory).
std::optional<RuleSet> LoadRuleSet(const std::vector<std::string>& paths, Diagnostics& diags,
                                   const ParseOptions& options = {});

// Parses and checks rule text held in memory (tests, tools). `path` is the
// name used in messages.
std::optional<RuleSet> LoadRuleText(const std::string& path, const std::string& text, Diagnostics& diags,
                                    const ParseOptions& options = {});

}  // namespace patron::dsl
