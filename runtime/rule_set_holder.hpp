#pragma once
// The rule set a partition runs, and the one to run next: a reloader
// (a later issue: SIGHUP, a file watcher) publishes a newly compiled set
// from any thread; the loop of each partition swaps it in between batches
// (Engine::SwapRules), so no batch ever mixes two rule sets. A loop looks
// after each commit, so an idle `run` swaps at its next message or timer
// (the reloader will wake it). Thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>

#include "engine/graph.hpp"

namespace patron::runtime {

class RuleSetHolder {
 public:
  // Holds `initial` (never null) as version 1.
  explicit RuleSetHolder(std::shared_ptr<const CompiledRules> initial);

  // Makes `next` (never null) the current rule set, with the next version.
  void Publish(std::shared_ptr<const CompiledRules> next);
  // The current rule set and its version; the pointer keeps it alive.
  std::shared_ptr<const CompiledRules> Current(uint64_t* version = nullptr) const;
  uint64_t version() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const CompiledRules> current_;
  uint64_t version_ = 1;
};

}  // namespace patron::runtime
