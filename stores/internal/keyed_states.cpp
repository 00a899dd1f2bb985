#include "stores/internal/keyed_states.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "stores/customer_codec.hpp"

namespace patron {

Result<std::optional<RuleState>> KeyedStates::Find(uint64_t rule_key, std::string_view key) {
  using Found = std::optional<RuleState>;
  std::string_view full = store_keys::Keyed(key_buf_, rule_key, key);
  if (auto it = batch_.find(full); it != batch_.end()) return Found(it->second);
  auto bytes = snapshot_.Get(table_, full);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) return Found();
  RuleState state;
  Status st = DecodeRuleState(**bytes, state);
  if (!st.ok()) return st;
  return Found(std::move(state));
}

void KeyedStates::Put(std::string_view key, const RuleState& state) {
  store_keys::Upsert(batch_, store_keys::Keyed(key_buf_, state.rule_key, key), state);
}

void KeyedStates::Delete(uint64_t rule_key, std::string_view key) {
  store_keys::Upsert(batch_, store_keys::Keyed(key_buf_, rule_key, key), std::optional<RuleState>());
}

Status KeyedStates::Write(BatchTxn& txn) {
  std::vector<const std::pair<const std::string, std::optional<RuleState>>*> sorted;
  sorted.reserve(batch_.size());
  for (const auto& entry : batch_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) {
    bool ok = entry->second ? txn.Put(table_, entry->first, EncodeRuleState(*entry->second))
                            : txn.Delete(table_, entry->first);
    if (!ok) return txn.status();
  }
  return Status::Ok();
}

}  // namespace patron
