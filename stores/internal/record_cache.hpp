#pragma once
// The write-back cache of customer records and identity index entries: what
// the `customers` and `identities` tables hold, decoded, with the open
// batch's changes (records marked dirty, erased, new identities) on top.
// Lookups see the batch; Write() files it; Committed() makes it the cached
// committed state and drops the least recently used entries beyond the
// limits (only then, so the records of an open batch stay put). Internal to
// stores/; one thread (the store's).

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "model/customer_record.hpp"
#include "model/identity.hpp"
#include "stores/internal/batch_writer.hpp"
#include "stores/internal/lmdb_env.hpp"
#include "stores/internal/store_keys.hpp"

namespace patron {

class RecordCache {
 public:
  // `snapshot` (the committed state) must outlive the cache; `customers` and
  // `identities` are its tables. `max_customers`, `max_identities`: the
  // eviction limits of LmdbStoreOptions.
  RecordCache(lmdb::ReadSnapshot& snapshot, MDB_dbi customers, MDB_dbi identities, size_t max_customers,
              size_t max_identities)
      : snapshot_(snapshot),
        customers_(customers),
        identities_(identities),
        max_customers_(max_customers),
        max_identities_(max_identities) {}
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  // As StateStore::FindCustomer: the cached (or loaded and cached) record,
  // nullptr when there is none (or it was erased in the batch). The pointer
  // lives until Committed() evicts it or Erase(). Corruption for a record
  // that does not decode, an LMDB error when the read fails.
  Result<CustomerRecord*> Find(std::string_view customer_id);
  // As StateStore::CreateCustomer: a new dirty record; Invalid when the id
  // is empty or the customer exists (committed, even damaged, or cached).
  Result<CustomerRecord*> Create(std::string_view customer_id);
  // Files `record` (from Find or Create) at the next Write(); a pointer not
  // from this cache is ignored.
  void MarkDirty(CustomerRecord* record);
  // Drops the record from the cache and deletes its row at the next Write().
  // Invalid for an empty id.
  Status Erase(std::string_view customer_id);

  // As StateStore::FindIdentity and PutIdentity.
  Result<std::optional<std::string>> FindIdentity(IdentityKind kind, std::string_view value);
  Status PutIdentity(IdentityKind kind, std::string_view value, std::string_view customer_id);

  // As StateStore::ListCustomerIds (committed rows only); on failure `out`
  // is empty.
  Status ListIds(std::string_view after, size_t max, std::vector<std::string>& out);

  // Whether the batch changes nothing.
  bool BatchEmpty() const { return dirty_.empty() && erased_.empty() && identities_batch_.empty(); }
  // Files the batch in key order (deleted customers, written ones, then
  // identities). May run again on a new transaction after a failed attempt.
  Status Write(BatchTxn& txn);
  // After the batch's transaction committed: it becomes the cached
  // committed state, then eviction runs.
  void Committed();

  size_t cached_customers() const { return cache_.size(); }

 private:
  struct CacheEntry {
    CustomerRecord record;   // in the map's node: its address is stable
    uint64_t last_used = 0;  // epoch of the last access, for eviction
    bool dirty = false;
  };
  using Cache = store_keys::StringMap<CacheEntry>;
  using CacheNode = Cache::value_type;
  struct IdentityEntry {
    std::string customer_id;
    uint64_t last_used = 0;
  };

  // The node of `record` when it is one of the cache's, else nullptr.
  CacheNode* NodeOf(CustomerRecord* record);

  lmdb::ReadSnapshot& snapshot_;
  MDB_dbi customers_, identities_;
  size_t max_customers_, max_identities_;
  uint64_t epoch_ = 0;  // commits so far: the clock of last_used

  Cache cache_;                                          // node addresses are stable across rehashing
  CacheNode* last_ = nullptr;                            // the last record handed out: MarkDirty's fast path
  std::vector<CacheNode*> dirty_;                        // records to write
  store_keys::StringSet erased_;                         // customer ids to delete
  store_keys::StringMap<std::string> identities_batch_;  // "<kind>:<value>" -> customer id
  store_keys::StringMap<IdentityEntry> identities_cached_;  // cache of the identities table
  std::string key_buf_;                                     // scratch for identity keys
  std::string value_buf_;                                   // scratch for encoded records
};

}  // namespace patron
