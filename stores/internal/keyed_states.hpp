#pragma once
// The states of `limit ... per <path>` keys (the `keyed` table: 8-byte
// big-endian rule_key + key -> EncodeRuleState bytes), with the open batch's
// puts and deletes on top. Internal to stores/; one thread (the store's).

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "model/customer_record.hpp"
#include "stores/internal/batch_writer.hpp"
#include "stores/internal/lmdb_env.hpp"
#include "stores/internal/store_keys.hpp"

namespace patron {

class KeyedStates {
 public:
  // `snapshot` (the committed state) must outlive this; `table` is `keyed`.
  KeyedStates(lmdb::ReadSnapshot& snapshot, MDB_dbi table) : snapshot_(snapshot), table_(table) {}
  KeyedStates(const KeyedStates&) = delete;
  KeyedStates& operator=(const KeyedStates&) = delete;

  // As StateStore::FindKeyedState: Corruption for a state that does not
  // decode, an LMDB error when the read fails.
  Result<std::optional<RuleState>> Find(uint64_t rule_key, std::string_view key);
  // As StateStore::PutKeyedState and DeleteKeyedState (in the batch).
  void Put(std::string_view key, const RuleState& state);
  void Delete(uint64_t rule_key, std::string_view key);

  bool BatchEmpty() const { return batch_.empty(); }
  // Files the batch in key order. May run again after a failed attempt.
  Status Write(BatchTxn& txn);
  // After the batch's transaction committed.
  void Committed() { batch_.clear(); }

 private:
  lmdb::ReadSnapshot& snapshot_;
  MDB_dbi table_;
  store_keys::StringMap<std::optional<RuleState>> batch_;  // full key -> state; nullopt: deleted
  std::string key_buf_;                                    // scratch for composed keys
};

}  // namespace patron
