#include "stores/internal/processed_ids.hpp"

#include <algorithm>
#include <vector>

namespace patron {

Result<bool> ProcessedIds::Contains(std::string_view source, std::string_view id) {
  std::string_view key = store_keys::Processed(key_buf_, source, id);
  // Keys too long for LMDB are filed hashed; the filter does not vouch for them.
  if (key.size() <= snapshot_.max_key() && !filter_.MayContain(FilterHash(key))) return false;
  if (batch_.find(key) != batch_.end()) return true;
  auto found = snapshot_.Get(table_, key);
  if (!found.ok()) return found.status();
  return found->has_value();
}

void ProcessedIds::Add(std::string_view source, std::string_view id) {
  std::string_view key = store_keys::Processed(key_buf_, source, id);
  if (!batch_.emplace(key).second) return;
  filter_.Add(FilterHash(key));
}

Status ProcessedIds::Write(BatchTxn& txn) {
  std::vector<const std::string*> sorted;
  sorted.reserve(batch_.size());
  for (const auto& key : batch_) sorted.push_back(&key);
  std::sort(sorted.begin(), sorted.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const std::string* key : sorted)
    if (!txn.Put(table_, *key, {})) return txn.status();
  return Status::Ok();
}

void ProcessedIds::Committed() {
  batch_.clear();
  if (filter_.count() > filter_.capacity()) (void)RebuildFilter(2 * filter_.capacity());
}

Status ProcessedIds::RebuildFilter(size_t capacity) {
  int rc = snapshot_.Ensure();
  if (rc != 0) return lmdb::Error("begin read", rc);
  MDB_stat stat;
  if ((rc = mdb_stat(snapshot_.get(), table_, &stat)) != 0) return lmdb::Error("stat processed", rc);
  BloomFilter filter(std::max<size_t>(capacity, 2 * (stat.ms_entries + batch_.size())));
  lmdb::CursorPtr cursor;
  if ((rc = lmdb::OpenCursor(snapshot_.get(), table_, cursor)) != 0) return lmdb::Error("cursor", rc);
  MDB_val k, v;
  for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT))
    filter.Add(FilterHash(lmdb::FromVal(k)));
  if (rc != MDB_NOTFOUND) return lmdb::Error("scan processed", rc);
  // A long key is filed under its hashed form; the filter holds raw keys.
  // Those few are looked up in the table whatever the filter says.
  for (const auto& key : batch_) filter.Add(FilterHash(key));
  filter_ = std::move(filter);
  return Status::Ok();
}

}  // namespace patron
