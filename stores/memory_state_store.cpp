#include "stores/memory_state_store.hpp"

namespace patron {

Result<CustomerRecord*> MemoryStateStore::FindCustomer(std::string_view customer_id) {
  auto it = customers_.find(customer_id);
  return it == customers_.end() ? nullptr : &it->second;
}

Result<CustomerRecord*> MemoryStateStore::CreateCustomer(std::string_view customer_id) {
  if (customer_id.empty()) return Status::Invalid("CreateCustomer: empty customer id");
  auto [it, inserted] = customers_.try_emplace(std::string(customer_id));
  if (!inserted) return Status::Invalid("CreateCustomer: customer " + std::string(customer_id) + " exists");
  it->second.profile.id = it->first;
  return &it->second;
}

void MemoryStateStore::MarkDirty(CustomerRecord*) {}

Status MemoryStateStore::EraseCustomer(std::string_view customer_id) {
  if (customer_id.empty()) return Status::Invalid("EraseCustomer: empty customer id");
  if (auto it = customers_.find(customer_id); it != customers_.end()) customers_.erase(it);
  return Status::Ok();
}

Result<std::optional<std::string>> MemoryStateStore::FindIdentity(IdentityKind kind, std::string_view value) {
  auto it = identities_.find(store_keys::Identity(key_buf_, kind, value));
  if (it == identities_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryStateStore::PutIdentity(IdentityKind kind, std::string_view value,
                                     std::string_view customer_id) {
  if (value.empty() || customer_id.empty())
    return Status::Invalid("PutIdentity: empty identifier or customer id");
  store_keys::Upsert(identities_, store_keys::Identity(key_buf_, kind, value), customer_id);
  return Status::Ok();
}

Result<bool> MemoryStateStore::IsProcessed(std::string_view source, std::string_view id) {
  return processed_.find(store_keys::Processed(key_buf_, source, id)) != processed_.end();
}

Status MemoryStateStore::MarkProcessed(std::string_view source, std::string_view id) {
  processed_.emplace(store_keys::Processed(key_buf_, source, id));
  return Status::Ok();
}

Result<std::optional<RuleState>> MemoryStateStore::FindKeyedState(uint64_t rule_key, std::string_view key) {
  auto it = keyed_.find(store_keys::Keyed(key_buf_, rule_key, key));
  if (it == keyed_.end()) return std::optional<RuleState>();
  return std::optional<RuleState>(it->second);
}

Status MemoryStateStore::PutKeyedState(std::string_view key, const RuleState& state) {
  store_keys::Upsert(keyed_, store_keys::Keyed(key_buf_, state.rule_key, key), state);
  return Status::Ok();
}

Status MemoryStateStore::RecordOutcome(const Outcome& outcome) {
  if (outcomes_.size() < max_kept_outcomes_) outcomes_.push_back(outcome);
  ++stats_[outcome.rule][std::string(OutcomeKindName(outcome.kind))];
  return Status::Ok();
}

Status MemoryStateStore::Commit() {
  ++commits_;
  return Status::Ok();
}

std::map<std::string, std::map<std::string, uint64_t>> MemoryStateStore::RuleStats() const { return stats_; }

}  // namespace patron
