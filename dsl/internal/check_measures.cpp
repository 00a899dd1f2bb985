// The checker's part for measures, `segments refresh at` and the segment
// triggers `when customer enters|leaves <segment>` (language.md "Version 2
// additions").

#include <unordered_set>

#include "dsl/check.hpp"
#include "dsl/internal/checker.hpp"
#include "dsl/parse.hpp"

namespace patron::dsl {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// The first expression under `e` that reads a measure (a customer.<measure>
// path, or a segment reference whose condition reads one), or nullptr.
const Expr* MeasureReadIn(const Expr& e, const RuleSet& rules, std::unordered_set<int32_t>& visited) {
  if (e.kind == ExprKind::kPath && e.measure >= 0) return &e;
  if (e.kind == ExprKind::kSegment && e.segment >= 0 && visited.insert(e.segment).second) {
    const Segment& seg = rules.segments[static_cast<size_t>(e.segment)];
    if (seg.expr && MeasureReadIn(*seg.expr, rules, visited) != nullptr) return &e;
  }
  for (const auto& a : e.args) {
    if (const Expr* found = MeasureReadIn(*a, rules, visited)) return found;
  }
  return nullptr;
}

}  // namespace

void Checker::CollectMeasures() {
  for (size_t i = 0; i < rules_.measures.size(); ++i) {
    const Measure& m = rules_.measures[i];
    bool builtin = m.name.text == "attrs";
    for (const auto& [name, type] : CustomerAttributes()) builtin |= name == m.name.text;
    if (builtin) {
      Error(m.name.span, "measure name " + Quote(m.name.text) +
                             " is a built-in customer attribute (customer." + m.name.text +
                             "); choose another name");
      continue;
    }
    auto [it, inserted] = measures_.emplace(m.name.text, static_cast<int32_t>(i));
    if (!inserted) {
      Error(m.name.span, "duplicate measure " + Quote(m.name.text) + " (first declared at " +
                             Where(rules_.measures[it->second].name.span) + ")");
    }
  }
}

void Checker::CheckMeasures() {
  for (Measure& m : rules_.measures) {
    CheckAggregate(m.event_type, m.aggregate, m.aggregate_name, m.field, m.where.get());
    if (!m.where) continue;
    std::unordered_set<int32_t> visited;
    if (const Expr* read = MeasureReadIn(*m.where, rules_, visited)) {
      Error(read->span, "a measure's 'where' cannot read a measure" +
                            std::string(read->kind == ExprKind::kSegment ? " (this segment reads one)" : ""));
    }
  }
}

void Checker::CheckRefreshes() {
  for (size_t i = 1; i < rules_.refreshes.size(); ++i) {
    Error(rules_.refreshes[i].span,
          "duplicate 'segments refresh at' (first at " + Where(rules_.refreshes[0].span) + ")");
  }
}

void Checker::CheckSegmentTrigger(Trigger& t) {
  auto it = segments_.find(t.segment_name.text);
  if (it != segments_.end()) {
    t.segment = it->second;
    return;
  }
  std::vector<std::string> names;
  for (const Segment& s : rules_.segments) names.push_back(s.name.text);
  std::string hint = Suggest(t.segment_name.text, names);
  Error(t.segment_name.span, "unknown segment " + Quote(t.segment_name.text) +
                                 (hint.empty() ? std::string() : "; did you mean " + Quote(hint) + "?"));
}

}  // namespace patron::dsl
