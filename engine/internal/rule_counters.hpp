#pragma once
// Per-rule firing and action counts of EngineStats, found by rule index:
// the counters live in the nodes of EngineStats' maps (stable addresses),
// a rule's first count inserts its entry, later ones only increment, and
// reading the stats costs nothing. Internal to engine/; engine thread only.

#include <cstdint>
#include <vector>

#include "engine/engine.hpp"
#include "engine/graph.hpp"

namespace patron {

class RuleCounters {
 public:
  // `rules` and `stats` must outlive the counters.
  RuleCounters(const CompiledRules& rules, EngineStats& stats)
      : rules_(rules), stats_(stats), fired_(rules.rules.size(), nullptr), actions_(rules.rules.size(), nullptr) {}

  void CountFired(uint32_t rule) {
    uint64_t*& count = fired_[rule];
    if (count == nullptr) count = &stats_.fired_per_rule[rules_.rules[rule].name];
    ++*count;
  }
  void CountAction(uint32_t rule) {
    ++stats_.actions;
    uint64_t*& count = actions_[rule];
    if (count == nullptr) count = &stats_.actions_per_rule[rules_.rules[rule].name];
    ++*count;
  }

 private:
  const CompiledRules& rules_;
  EngineStats& stats_;
  std::vector<uint64_t*> fired_;    // null until the rule first fires
  std::vector<uint64_t*> actions_;  // null until the rule's first action
};

}  // namespace patron
