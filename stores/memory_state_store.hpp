#pragma once
// StateStore kept entirely in memory: for `patron replay` into throwaway
// state (no --data directory) and for engine tests. Same behaviour as
// LmdbStateStore within one process, without durability: Commit() only ends
// the batch and never fails. Records live until EraseCustomer, so pointers
// stay valid longer than the StateStore contract promises.
// One thread (the engine's) uses an instance.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/state_store.hpp"
#include "stores/store_keys.hpp"

namespace patron {

class MemoryStateStore final : public StateStore {
 public:
  // Keeps the first `max_kept_outcomes` outcomes for outcomes(); all are counted.
  explicit MemoryStateStore(size_t max_kept_outcomes = kDefaultMaxKeptOutcomes)
      : max_kept_outcomes_(max_kept_outcomes) {}
  static constexpr size_t kDefaultMaxKeptOutcomes = 100'000;
  MemoryStateStore(const MemoryStateStore&) = delete;
  MemoryStateStore& operator=(const MemoryStateStore&) = delete;

  Result<CustomerRecord*> FindCustomer(std::string_view customer_id) override;
  Result<CustomerRecord*> CreateCustomer(std::string_view customer_id) override;
  void MarkDirty(CustomerRecord* record) override;
  Status EraseCustomer(std::string_view customer_id) override;
  Result<std::optional<std::string>> FindIdentity(IdentityKind kind, std::string_view value) override;
  Status PutIdentity(IdentityKind kind, std::string_view value, std::string_view customer_id) override;
  Result<bool> IsProcessed(std::string_view source, std::string_view id) override;
  Status MarkProcessed(std::string_view source, std::string_view id) override;
  Result<std::optional<RuleState>> FindKeyedState(uint64_t rule_key, std::string_view key) override;
  Status PutKeyedState(std::string_view key, const RuleState& state) override;
  Status RecordOutcome(const Outcome& outcome) override;
  Status Commit() override;

  // The outcomes recorded, in order (at most max_kept_outcomes of them).
  const std::vector<Outcome>& outcomes() const { return outcomes_; }
  // Outcome counts per rule name and kind name, as LmdbStateStore::ReadRuleStats.
  std::map<std::string, std::map<std::string, uint64_t>> RuleStats() const;
  size_t customer_count() const { return customers_.size(); }
  uint64_t commits() const { return commits_; }

 private:
  store_keys::StringMap<CustomerRecord> customers_;  // node-based: addresses are stable
  store_keys::StringMap<std::string> identities_;
  store_keys::StringSet processed_;
  store_keys::StringMap<RuleState> keyed_;
  std::vector<Outcome> outcomes_;
  std::map<std::string, std::map<std::string, uint64_t>> stats_;
  std::string key_buf_;
  size_t max_kept_outcomes_;
  uint64_t commits_ = 0;
};

}  // namespace patron
