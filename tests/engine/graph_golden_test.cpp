// Golden tests of the compiler (STYLE.md §5): every
// tests/engine/cases/graph/<name>.rules is loaded under the name
// "<name>.rules" and compiled (CompileOptions defaults: Asia/Shanghai); the
// result must equal <name>.expect: the graph dump (engine/compile/graph_dump.hpp)
// when it compiles, else the exact rendered diagnostics.
// PATRON_UPDATE_GOLDEN=1 rewrites the .expect files instead; review every
// changed line by hand before committing it: it must be what the compiler
// should produce.

#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "dsl/check.hpp"
#include "dsl/parse.hpp"
#include "engine/compile/compiler.hpp"
#include "engine/compile/graph_dump.hpp"
#include "engine/graph.hpp"
#include "tests/support/golden_files.hpp"

namespace fs = std::filesystem;

namespace patron::testing {
namespace {

const fs::path kRoot = fs::path(PATRON_SOURCE_DIR) / "tests" / "engine" / "cases" / "graph";

// The dump of `text` compiled, or the diagnostics that stopped it.
std::string CompileAndDump(const std::string& name, const std::string& text) {
  dsl::Diagnostics diags;
  auto rules = dsl::LoadRuleText(name, text, diags);
  if (!rules) return diags.Render();
  CompiledRulesPtr compiled = CompileRules(*rules, diags);
  if (!compiled) return diags.Render();
  return DumpGraph(*compiled);
}

}  // namespace

TEST_CASE("graph golden cases", "[graph][golden]") {
  ForEachCase(kRoot, ".rules", 5, [](const fs::path& rules, const std::string& name) {
    const std::string actual = CompileAndDump(name, ReadFileBytes(rules));
    CHECK(actual == CompileAndDump(name, ReadFileBytes(rules)));  // deterministic
    fs::path expect = rules;
    expect.replace_extension(".expect");
    CheckGolden(expect, actual);
  });
}

TEST_CASE("graph dump: every built-in customer attribute prints by its name", "[graph]") {
  // The dump keeps its own table of CustomerAttr names (graph.hpp has only
  // the name-to-attribute direction); a mismatch would print "attr#<n>".
  std::string where;
  for (const auto& [name, type] : dsl::CustomerAttributes()) {
    if (!where.empty()) where += " or ";
    where += "exists(customer." + name + ")";
  }
  const std::string dump =
      CompileAndDump("attrs.rules", "rule \"all\" when t where " + where + " then tag \"x\" end");
  INFO(dump);
  CHECK(dump.find("attr#") == std::string::npos);
  for (const auto& [name, type] : dsl::CustomerAttributes()) {
    INFO(name);
    CHECK(dump.find("exists(customer." + name + ")") != std::string::npos);
  }
}

}  // namespace patron::testing
