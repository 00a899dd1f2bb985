#include "stores/internal/processed_ids.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "stores/byte_codec.hpp"
#include "stores/internal/schema.hpp"
#include "stores/internal/stored_key.hpp"

namespace patron {

namespace {

constexpr size_t kEndBytes = 8;
constexpr uint64_t kSignBit = uint64_t{1} << 63;

// The 8 key bytes of a bucket end: big-endian with the sign bit flipped, so
// that byte order is time order.
void PutEnd(std::string& out, TimePoint end) {
  codec::PutFixed64BigEndian(out, static_cast<uint64_t>(end) ^ kSignBit);
}
TimePoint EndOf(std::string_view key) {
  return static_cast<TimePoint>(codec::GetFixed64BigEndian(key.substr(0, kEndBytes)) ^ kSignBit);
}

TimePoint SaturatingSub(TimePoint t, Duration d) { return t < INT64_MIN + d ? INT64_MIN : t - d; }

}  // namespace

ProcessedIds::ProcessedIds(lmdb::ReadSnapshot& snapshot, MDB_dbi table, MDB_dbi meta,
                           const ProcessedIdsOptions& options)
    : snapshot_(snapshot),
      table_(table),
      meta_(meta),
      options_(options),
      width_(WidthFor(options.retention)) {}

Duration ProcessedIds::WidthFor(Duration retention) {
  return std::max<Duration>(1, retention / kBucketsPerRetention);
}

TimePoint ProcessedIds::BucketEnd(TimePoint t, Duration width) {
  // floor(t / width) * width + width, saturated at the top of the range.
  __int128 q = t / width;
  if (t % width != 0 && t < 0) --q;
  __int128 end = (q + 1) * width;
  return end > INT64_MAX ? INT64_MAX : static_cast<TimePoint>(end);
}

std::string_view ProcessedIds::Filed(TimePoint end, std::string_view raw_key) {
  filed_buf_.clear();
  PutEnd(filed_buf_, end);
  filed_buf_.append(raw_key);
  return filed_buf_;
}

Status ProcessedIds::Load() {
  int rc = snapshot_.Ensure();
  if (rc != 0) return lmdb::Error("begin read", rc);
  auto clock = lmdb::Get(snapshot_.get(), meta_, schema::kProcessedClockKey);
  if (!clock.ok()) return clock.status();
  if (*clock && (*clock)->size() == 8)
    clock_ = committed_clock_ = static_cast<TimePoint>(codec::GetFixed64BigEndian(**clock));
  // Buckets already expired are left to the pruning: their ids are older
  // than the retention, so nobody needs them answered.
  TimePoint first_live = clock_ == INT64_MIN ? INT64_MIN : SaturatingSub(clock_, options_.retention) + 1;
  lmdb::CursorPtr cursor;
  if ((rc = lmdb::OpenCursor(snapshot_.get(), table_, cursor)) != 0) return lmdb::Error("cursor", rc);
  std::string start;
  PutEnd(start, first_live);
  MDB_val k = lmdb::ToVal(start), v;
  std::vector<uint64_t> hashes;
  TimePoint current = INT64_MIN;
  auto flush = [&] {
    if (current == INT64_MIN) return;
    Bucket& b = buckets_[current];
    b.filter = BloomFilter(std::max(options_.expected_per_bucket, 2 * hashes.size()));
    for (uint64_t h : hashes) b.filter.Add(h);
    hashes.clear();
  };
  for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::FromVal(k);
    if (key.size() < kEndBytes) continue;
    TimePoint end = EndOf(key);
    if (end != current) {
      flush();
      current = end;
    }
    ++read_at_open_;
    // A long key is filed hashed; the filter holds raw keys, so those few
    // are looked up in every bucket whatever the filters say.
    if (!stored_key::IsLongForm(key)) hashes.push_back(FilterHash(key.substr(kEndBytes)));
  }
  if (rc != MDB_NOTFOUND) return lmdb::Error("scan processed ids", rc);
  flush();
  return Status::Ok();
}

Status ProcessedIds::MigrateLegacy(MDB_txn* txn, MDB_dbi legacy, MDB_dbi table, TimePoint end) {
  lmdb::CursorPtr cursor;
  int rc = lmdb::OpenCursor(txn, legacy, cursor);
  if (rc != 0) return lmdb::Error("cursor", rc);
  std::string filed;
  MDB_val k, v;
  for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::FromVal(k);
    if (stored_key::IsLongForm(key)) continue;  // its raw form is lost: cannot be filed again
    filed.clear();
    PutEnd(filed, end);
    filed.append(key);
    MDB_val fk = lmdb::ToVal(filed), empty{0, nullptr};
    if (int put = mdb_put(txn, table, &fk, &empty, 0); put != 0) return lmdb::Error("migrate processed", put);
  }
  if (rc != MDB_NOTFOUND) return lmdb::Error("scan processed", rc);
  cursor.reset();
  if ((rc = mdb_drop(txn, legacy, 1)) != 0) return lmdb::Error("drop processed", rc);
  return Status::Ok();
}

Result<bool> ProcessedIds::Contains(std::string_view source, std::string_view id) {
  std::string_view raw = store_keys::Processed(key_buf_, source, id);
  if (batch_.find(raw) != batch_.end()) return true;
  const bool long_key = raw.size() + kEndBytes > snapshot_.max_key();
  const uint64_t hash = FilterHash(raw);
  for (auto it = buckets_.rbegin(); it != buckets_.rend(); ++it) {
    if (!long_key && !it->second.filter.MayContain(hash)) continue;
    auto found = snapshot_.Get(table_, Filed(it->first, raw));
    if (!found.ok()) return found.status();
    if (found->has_value()) return true;
  }
  return false;
}

void ProcessedIds::Add(std::string_view source, std::string_view id, TimePoint at) {
  clock_ = std::max(clock_, at);
  std::string_view raw = store_keys::Processed(key_buf_, source, id);
  if (batch_.find(raw) != batch_.end()) return;
  TimePoint end = BucketEnd(clock_, width_);
  batch_.emplace(std::string(raw), end);
  BucketAt(end).filter.Add(FilterHash(raw));
}

ProcessedIds::Bucket& ProcessedIds::BucketAt(TimePoint end) {
  auto it = buckets_.find(end);
  if (it != buckets_.end()) return it->second;
  size_t capacity = options_.expected_per_bucket;
  if (!buckets_.empty()) capacity = std::max(capacity, 2 * buckets_.rbegin()->second.filter.count());
  return buckets_.emplace(end, Bucket{BloomFilter(capacity)}).first->second;
}

Status ProcessedIds::Write(BatchTxn& txn) {
  pending_pruned_ = 0;
  pending_cutoff_ = INT64_MIN;
  pending_first_kept_ = INT64_MIN;
  if (clock_ != INT64_MIN)
    PATRON_RETURN_IF_ERROR(Prune(txn, SaturatingSub(clock_, options_.retention),
                                 std::max(options_.prune_slice, 2 * batch_.size())));
  std::vector<std::pair<TimePoint, const std::string*>> sorted;
  sorted.reserve(batch_.size());
  for (const auto& [key, end] : batch_) sorted.emplace_back(end, &key);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : *a.second < *b.second;
  });
  for (const auto& [end, key] : sorted)
    if (!txn.Put(table_, Filed(end, *key), {})) return txn.status();
  if (clock_ != committed_clock_ &&
      !txn.PutFixed64(meta_, schema::kProcessedClockKey, static_cast<uint64_t>(clock_)))
    return txn.status();
  return Status::Ok();
}

Status ProcessedIds::Prune(BatchTxn& txn, TimePoint cutoff, size_t max) {
  lmdb::CursorPtr cursor;
  if (!txn.Check(lmdb::OpenCursor(txn.get(), table_, cursor))) return txn.status();
  MDB_val k, v;
  TimePoint first_kept = INT64_MAX;  // the table is empty after the slice
  uint64_t deleted = 0;
  for (;;) {
    int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
    if (rc == MDB_NOTFOUND) break;
    if (!txn.Check(rc)) return txn.status();
    TimePoint end = EndOf(lmdb::FromVal(k));
    if (end > cutoff || deleted == max) {
      first_kept = end;
      break;
    }
    if (!txn.Check(mdb_cursor_del(cursor.get(), 0))) return txn.status();
    ++deleted;
  }
  pending_pruned_ = deleted;
  pending_cutoff_ = cutoff;
  pending_first_kept_ = first_kept;
  return Status::Ok();
}

void ProcessedIds::Committed() {
  pruned_ += pending_pruned_;
  // A bucket that is expired and before the first one left is empty on disk
  // (the batch's ids are never in an expired bucket).
  for (auto it = buckets_.begin();
       it != buckets_.end() && it->first <= pending_cutoff_ && it->first < pending_first_kept_;)
    it = buckets_.erase(it);
  pending_pruned_ = 0;
  pending_cutoff_ = INT64_MIN;
  pending_first_kept_ = INT64_MIN;
  committed_clock_ = clock_;
  std::vector<TimePoint> full;
  for (const auto& [end, bucket] : buckets_)
    if (bucket.filter.count() > bucket.filter.capacity()) full.push_back(end);
  batch_.clear();
  for (TimePoint end : full) (void)RebuildFilter(end, 2 * buckets_[end].filter.capacity());
}

Status ProcessedIds::RebuildFilter(TimePoint end, size_t capacity) {
  int rc = snapshot_.Ensure();
  if (rc != 0) return lmdb::Error("begin read", rc);
  lmdb::CursorPtr cursor;
  if ((rc = lmdb::OpenCursor(snapshot_.get(), table_, cursor)) != 0) return lmdb::Error("cursor", rc);
  std::string start;
  PutEnd(start, end);
  MDB_val k = lmdb::ToVal(start), v;
  BloomFilter filter(capacity);
  for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = lmdb::FromVal(k);
    if (EndOf(key) != end) break;
    if (!stored_key::IsLongForm(key)) filter.Add(FilterHash(key.substr(kEndBytes)));
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb::Error("scan processed ids", rc);
  buckets_[end].filter = std::move(filter);
  return Status::Ok();
}

ProcessedIdsStats ProcessedIds::stats() const {
  ProcessedIdsStats s;
  s.read_at_open = read_at_open_;
  s.pruned = pruned_;
  s.buckets = buckets_.size();
  for (const auto& [end, bucket] : buckets_) s.in_filters += bucket.filter.count();
  s.clock = clock_;
  return s;
}

}  // namespace patron
