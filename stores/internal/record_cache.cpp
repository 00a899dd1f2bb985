#include "stores/internal/record_cache.hpp"

#include <algorithm>

#include "stores/byte_codec.hpp"
#include "stores/customer_codec.hpp"
#include "stores/internal/stored_key.hpp"

namespace patron {

namespace {

// Drops the least recently used entries of `map` (by their `last_used`)
// down to 3/4 of `limit` when it holds more than `limit`.
template <typename Map>
void EvictLeastRecentlyUsed(Map& map, size_t limit) {
  if (map.size() <= limit) return;
  size_t target = limit / 4 * 3;
  std::vector<std::pair<uint64_t, typename Map::iterator>> entries;
  entries.reserve(map.size());
  for (auto it = map.begin(); it != map.end(); ++it) entries.emplace_back(it->second.last_used, it);
  size_t drop = map.size() - target;
  std::nth_element(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(drop - 1), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < drop; ++i) map.erase(entries[i].second);
}

}  // namespace

Result<CustomerRecord*> RecordCache::Find(std::string_view customer_id) {
  if (auto it = cache_.find(customer_id); it != cache_.end()) {
    it->second.last_used = epoch_;
    last_ = &*it;
    return &it->second.record;
  }
  CustomerRecord* none = nullptr;
  if (customer_id.empty() || (!erased_.empty() && erased_.find(customer_id) != erased_.end())) return none;
  auto bytes = snapshot_.Get(customers_, customer_id);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) return none;
  auto [it, inserted] = cache_.try_emplace(std::string(customer_id));
  Status st = DecodeCustomer(**bytes, it->second.record);
  if (!st.ok() || it->second.record.profile.id != customer_id) {
    cache_.erase(it);
    if (!st.ok()) return Status::Corruption("customer " + std::string(customer_id) + ": " + st.message());
    return none;  // a long id whose hashed key collided
  }
  it->second.last_used = epoch_;
  last_ = &*it;
  return &it->second.record;
}

Result<CustomerRecord*> RecordCache::Create(std::string_view customer_id) {
  if (customer_id.empty()) return Status::Invalid("CreateCustomer: empty customer id");
  if (cache_.find(customer_id) != cache_.end())
    return Status::Invalid("CreateCustomer: customer " + std::string(customer_id) + " exists");
  if (auto e = erased_.find(customer_id); e != erased_.end()) {
    erased_.erase(e);  // the new record overwrites the old row at Write()
  } else {
    auto bytes = snapshot_.Get(customers_, customer_id);
    if (!bytes.ok()) return bytes.status();
    if (*bytes) return Status::Invalid("CreateCustomer: customer " + std::string(customer_id) + " exists");
  }
  auto [it, inserted] = cache_.try_emplace(std::string(customer_id));
  it->second.record.profile.id = it->first;
  it->second.last_used = epoch_;
  it->second.dirty = true;
  dirty_.push_back(&*it);
  last_ = &*it;
  return &it->second.record;
}

RecordCache::CacheNode* RecordCache::NodeOf(CustomerRecord* record) {
  if (last_ != nullptr && &last_->second.record == record) return last_;
  auto it = cache_.find(record->profile.id);
  if (it == cache_.end() || &it->second.record != record) return nullptr;
  return &*it;
}

void RecordCache::MarkDirty(CustomerRecord* record) {
  if (record == nullptr) return;
  CacheNode* node = NodeOf(record);
  if (node == nullptr || node->second.dirty) return;
  node->second.dirty = true;
  dirty_.push_back(node);
}

Status RecordCache::Erase(std::string_view customer_id) {
  if (customer_id.empty()) return Status::Invalid("EraseCustomer: empty customer id");
  if (auto it = cache_.find(customer_id); it != cache_.end()) {
    if (it->second.dirty) std::erase(dirty_, &*it);
    if (last_ == &*it) last_ = nullptr;
    cache_.erase(it);
  }
  erased_.emplace(customer_id);
  return Status::Ok();
}

Result<std::optional<std::string>> RecordCache::FindIdentity(IdentityKind kind, std::string_view value) {
  using Found = std::optional<std::string>;
  std::string_view key = store_keys::Identity(key_buf_, kind, value);
  if (auto it = identities_batch_.find(key); it != identities_batch_.end()) return Found(it->second);
  if (auto it = identities_cached_.find(key); it != identities_cached_.end()) {
    it->second.last_used = epoch_;
    return Found(it->second.customer_id);
  }
  auto id = snapshot_.Get(identities_, key);
  if (!id.ok()) return id.status();
  if (!*id) return Found();
  auto [it, inserted] = identities_cached_.try_emplace(std::string(key));
  it->second.customer_id.assign(**id);
  it->second.last_used = epoch_;
  return Found(it->second.customer_id);
}

Status RecordCache::PutIdentity(IdentityKind kind, std::string_view value, std::string_view customer_id) {
  if (value.empty() || customer_id.empty())
    return Status::Invalid("PutIdentity: empty identifier or customer id");
  store_keys::Upsert(identities_batch_, store_keys::Identity(key_buf_, kind, value), customer_id);
  return Status::Ok();
}

Status RecordCache::ListIds(std::string_view after, size_t max, std::vector<std::string>& out) {
  int rc = snapshot_.Ensure();
  if (rc != 0) {
    out.clear();
    return lmdb::Error("begin read", rc);
  }
  lmdb::CursorPtr cursor;
  if ((rc = lmdb::OpenCursor(snapshot_.get(), customers_, cursor)) != 0) {
    out.clear();
    return lmdb::Error("cursor", rc);
  }
  MDB_val k, v;
  if (after.empty()) {
    rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  } else {
    // `after` may live in `out`: position the cursor before clearing it.
    std::string_view stored_after = stored_key::Of(after, snapshot_.max_key(), key_buf_);
    k = lmdb::ToVal(stored_after);
    rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE);
    if (rc == 0 && lmdb::FromVal(k) == stored_after) rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT);
  }
  out.clear();
  for (; rc == 0 && out.size() < max; rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::FromVal(k);
    if (!stored_key::IsLongForm(key)) {
      out.emplace_back(key);
      continue;
    }
    // A long id is filed hashed: the record (version byte, then the id) has it.
    codec::ByteReader r(lmdb::FromVal(v));
    uint8_t version;
    if (!r.GetByte(version) || !r.GetString(out.emplace_back()))
      return Status::Corruption("customers: malformed record under a long key");
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb::Error("scan customers", rc);
  return Status::Ok();
}

Status RecordCache::Write(BatchTxn& txn) {
  auto by_key = [](const auto* a, const auto* b) { return a->first < b->first; };
  std::sort(dirty_.begin(), dirty_.end(), by_key);
  std::vector<const std::string*> erased;
  erased.reserve(erased_.size());
  for (const auto& id : erased_) erased.push_back(&id);
  std::sort(erased.begin(), erased.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  std::vector<const std::pair<const std::string, std::string>*> identities;
  identities.reserve(identities_batch_.size());
  for (const auto& entry : identities_batch_) identities.push_back(&entry);
  std::sort(identities.begin(), identities.end(), by_key);

  for (const std::string* id : erased)
    if (!txn.Delete(customers_, *id)) return txn.status();
  for (CacheNode* node : dirty_) {
    value_buf_.clear();
    AppendEncodedCustomer(value_buf_, node->second.record);
    if (!txn.Put(customers_, node->first, value_buf_)) return txn.status();
  }
  for (const auto* entry : identities)
    if (!txn.Put(identities_, entry->first, entry->second)) return txn.status();
  return Status::Ok();
}

void RecordCache::Committed() {
  for (CacheNode* node : dirty_) node->second.dirty = false;
  dirty_.clear();
  last_ = nullptr;
  erased_.clear();
  for (auto& [key, id] : identities_batch_) {
    IdentityEntry& entry = identities_cached_[key];
    entry.customer_id = std::move(id);
    entry.last_used = epoch_;
  }
  identities_batch_.clear();
  ++epoch_;
  EvictLeastRecentlyUsed(cache_, max_customers_);
  EvictLeastRecentlyUsed(identities_cached_, max_identities_);
}

}  // namespace patron
