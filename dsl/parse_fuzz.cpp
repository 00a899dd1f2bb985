// libFuzzer target for the rule parser and checker (STYLE.md §9): any bytes
// must load or be rejected with diagnostics, never crash, hang or throw.
// Built only with -DPATRON_BUILD_FUZZERS=ON and clang (dsl/CMakeLists.txt).

#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/ast_dump.hpp"
#include "dsl/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  patron::dsl::Diagnostics diags;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto rules = patron::dsl::LoadRuleText("fuzz.rules", text, diags);
  std::string out = diags.Render();
  if (rules) out += patron::dsl::DumpAst(*rules);
  return 0;
}
