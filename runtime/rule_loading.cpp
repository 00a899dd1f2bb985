#include "runtime/rule_loading.hpp"

#include <ostream>

#include "runtime/engine_report.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/parse.hpp"

namespace patron::runtime {

std::optional<LoadedRules> LoadAndCompileRules(const std::vector<std::string>& paths,
                                               const CompileOptions& options, std::ostream& errors) {
  dsl::Diagnostics diags;
  std::optional<dsl::RuleSet> rules = dsl::LoadRuleSet(paths, diags);
  if (!rules || diags.HasErrors()) {
    errors << diags.Render();
    return std::nullopt;
  }
  CompiledRulesPtr compiled = CompileRules(*rules, diags, options);
  if (compiled == nullptr || diags.HasErrors()) {
    errors << diags.Render();
    return std::nullopt;
  }
  return LoadedRules{std::move(*rules), std::move(compiled)};
}

std::string DescribeRuleSet(const dsl::RuleSet& rules) {
  RuleSetSummary s = Summarise(rules);
  return Plural(s.rules, "rule", "rules") + ", " + Plural(s.segments, "segment", "segments") + ", " +
         Plural(s.event_types, "event type", "event types");
}

}  // namespace patron::runtime
