// The checker's part for policies (language.md "Policies across rules"):
// the declarations, a rule's `policy <name>`, and quiet hours that could
// never open together.

#include <utility>
#include <vector>

#include "dsl/check.hpp"
#include "dsl/internal/checker.hpp"
#include "dsl/parse.hpp"

namespace patron::dsl {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

constexpr int32_t kMinutesPerDay = 24 * 60;

// A daily window [from, to) as one or two ranges of minutes in [0, 1440).
std::vector<std::pair<int32_t, int32_t>> Ranges(const Between& b) {
  if (b.from_minutes < b.to_minutes) return {{b.from_minutes, b.to_minutes}};
  return {{b.from_minutes, kMinutesPerDay}, {0, b.to_minutes}};
}

// Whether two daily windows share a minute (by the clock of a day without
// a daylight-saving change).
bool Overlap(const Between& a, const Between& b) {
  for (const auto& [a_from, a_to] : Ranges(a))
    for (const auto& [b_from, b_to] : Ranges(b))
      if (a_from < b_to && b_from < a_to) return true;
  return false;
}

std::string ClockText(int32_t minutes) {
  std::string s = std::to_string(minutes / 60);
  if (s.size() < 2) s.insert(s.begin(), '0');
  std::string m = std::to_string(minutes % 60);
  if (m.size() < 2) m.insert(m.begin(), '0');
  return s + ":" + m;
}

}  // namespace

void Checker::CheckPolicies() {
  for (size_t i = 0; i < rules_.policies.size(); ++i) {
    const Policy& p = rules_.policies[i];
    if (p.name.text == "none" || p.name.text == "default") {
      Error(p.name.span, Quote(p.name.text) +
                             " cannot name a policy (a rule's 'policy none' keeps it out of "
                             "every policy; 'default' after the name marks the default)");
    } else if (auto [it, inserted] = policies_.emplace(p.name.text, static_cast<int32_t>(i)); !inserted) {
      Error(p.name.span, "duplicate policy " + Quote(p.name.text) + " (first declared at " +
                             Where(rules_.policies[it->second].name.span) + ")");
    }
    if (p.is_default) {
      if (default_policy_ >= 0) {
        const Policy& first = rules_.policies[static_cast<size_t>(default_policy_)];
        Error(p.default_span, "only one policy can be the default; " + Quote(first.name.text) +
                                  " already is (declared at " + Where(first.name.span) + ")");
      } else {
        default_policy_ = static_cast<int32_t>(i);
      }
    }
    if (!p.limit && !p.between) {
      Error(p.name.span, "policy " + Quote(p.name.text) + " needs a 'limit' or a 'between' line");
    }
    if (p.limit) {
      if (p.limit->count < 1) {
        Error(SecondWord(p.limit->span),
              "the limit count must be at least 1, found " + std::to_string(p.limit->count));
      }
      if (p.limit->window <= 0) Error(p.limit->span, "the limit window must be longer than zero");
    }
    if (p.between && p.between->from_minutes == p.between->to_minutes) {
      Error(p.between->span, "'between' needs two different times");
    }
  }
}

void Checker::CheckRulePolicyName(Rule& rule) {
  const Name& name = *rule.policy;
  if (name.text == "none" || policies_.count(name.text) != 0) return;
  std::vector<std::string> names;
  for (const Policy& p : rules_.policies) names.push_back(p.name.text);
  names.push_back("none");
  std::string hint = Suggest(name.text, names);
  Error(name.span, "unknown policy " + Quote(name.text) +
                       (hint.empty() ? std::string(" (declare it with 'policy " + name.text +
                                                   " ... end', or write 'policy none')")
                                     : "; did you mean " + Quote(hint) + "?"));
}

void Checker::CheckPolicyWindows(const Rule& rule) {
  if (!rule.between) return;
  int32_t index = default_policy_;
  if (rule.policy) {
    auto it = policies_.find(rule.policy->text);
    index = it == policies_.end() ? -1 : it->second;
  }
  if (index < 0) return;
  const Policy& policy = rules_.policies[static_cast<size_t>(index)];
  if (!policy.between || policy.between->from_minutes == policy.between->to_minutes) return;
  bool marketing = false;
  for (const Action& a : rule.actions)
    marketing |= a.kind == ActionKind::kMessage || a.kind == ActionKind::kCoupon;
  if (!marketing || rule.between->from_minutes == rule.between->to_minutes ||
      Overlap(*rule.between, *policy.between))
    return;
  Error(rule.between->span, "this 'between' and policy " + Quote(policy.name.text) + "'s 'between " +
                                ClockText(policy.between->from_minutes) + " and " +
                                ClockText(policy.between->to_minutes) +
                                "' are never open at the same time, so the rule's messages and coupons could "
                                "never be sent");
}

}  // namespace patron::dsl
