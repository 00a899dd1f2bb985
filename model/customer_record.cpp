#include "model/customer_record.hpp"

#include <algorithm>

namespace patron {

namespace {

struct ByRuleKey {
  bool operator()(const RuleState& s, uint64_t key) const { return s.rule_key < key; }
};

}  // namespace

RuleState& CustomerRecord::StateOf(uint64_t rule_key) {
  auto it = std::lower_bound(rules.begin(), rules.end(), rule_key, ByRuleKey{});
  if (it != rules.end() && it->rule_key == rule_key) return *it;
  RuleState fresh;
  fresh.rule_key = rule_key;
  return *rules.insert(it, std::move(fresh));
}

const RuleState* CustomerRecord::FindState(uint64_t rule_key) const {
  auto it = std::lower_bound(rules.begin(), rules.end(), rule_key, ByRuleKey{});
  if (it != rules.end() && it->rule_key == rule_key) return &*it;
  return nullptr;
}

}  // namespace patron
