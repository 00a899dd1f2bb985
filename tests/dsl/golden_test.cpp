// Golden tests of the rule language (STYLE.md §5): every
// tests/dsl/cases/<topic>/<name>.rules is loaded with LoadRuleText under the
// name "<topic>/<name>.rules"; the result must equal <name>.expect: the AST
// dump (dsl/ast_dump.hpp) when the file loads, else the exact rendered
// diagnostics. PATRON_UPDATE_GOLDEN=1 rewrites the .expect files instead.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "dsl/ast_dump.hpp"
#include "dsl/parse.hpp"

namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What a golden case produces: the dump, or the diagnostics.
std::string Run(const std::string& name, const std::string& text) {
  patron::dsl::Diagnostics diags;
  auto rules = patron::dsl::LoadRuleText(name, text, diags);
  if (rules) return patron::dsl::DumpAst(*rules);
  return diags.Render();
}

}  // namespace

TEST_CASE("dsl golden cases") {
  const fs::path root = fs::path(PATRON_SOURCE_DIR) / "tests" / "dsl" / "cases";
  std::vector<fs::path> cases;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".rules") cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() > 0);
  const char* update = std::getenv("PATRON_UPDATE_GOLDEN");
  const bool rewrite = update != nullptr && std::string(update) == "1";
  for (const fs::path& rules : cases) {
    const std::string name = fs::relative(rules, root).generic_string();
    const std::string actual = Run(name, ReadAll(rules));
    fs::path expect = rules;
    expect.replace_extension(".expect");
    if (rewrite) {
      std::ofstream(expect, std::ios::binary) << actual;
      continue;
    }
    INFO("case " << name << " (PATRON_UPDATE_GOLDEN=1 rewrites the .expect files)");
    REQUIRE(fs::exists(expect));
    CHECK(actual == ReadAll(expect));
  }
}
