#include "runtime/rule_set_holder.hpp"

#include <utility>

namespace patron::runtime {

RuleSetHolder::RuleSetHolder(std::shared_ptr<const CompiledRules> initial) : current_(std::move(initial)) {}

void RuleSetHolder::Publish(std::shared_ptr<const CompiledRules> next) {
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
  ++version_;
}

std::shared_ptr<const CompiledRules> RuleSetHolder::Current(uint64_t* version) const {
  std::lock_guard lock(mutex_);
  if (version != nullptr) *version = version_;
  return current_;
}

uint64_t RuleSetHolder::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

}  // namespace patron::runtime
