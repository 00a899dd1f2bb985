#pragma once
// The ids of processed events, kept for a bounded retention (the
// `processed_ids` table: 8-byte bucket end, then "<source>\x1f<id>"), with
// the open batch's on top.
//
// Time is the engine's clock as the engine passes it to Add() (event time in
// `replay`, the wall clock in `run`), made monotonic per data directory: the
// directory's retention clock is the latest time ever passed, persisted in
// `meta`, so a replay of an old file into a recent directory neither prunes
// the recent ids nor files its own as old. An id marked at clock t goes to
// the bucket ending at the next multiple of the bucket width above t (the
// width is retention / kBucketsPerRetention); a bucket whose end is at or
// before clock - retention holds only ids older than the retention and is
// deleted, in slices of at most `prune_slice` ids (and at least twice the
// batch's own, so the table cannot outgrow the pruning) per commit, inside
// the batch's write transaction. So an id is remembered at least
// `retention` and at most retention + one bucket, plus what the slices still
// have to delete.
//
// One in-memory Bloom filter per bucket, built at open from the unpruned
// ids only: the open reads what the retention keeps, whatever was ever seen.
// A new event costs a probe per bucket and no B-tree search; only a possible
// repeat (or a key too long for LMDB, filed hashed) is looked up in each
// bucket whose filter says it may hold it. Internal to stores/; one thread
// (the store's).

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/time.hpp"
#include "stores/bloom_filter.hpp"
#include "stores/internal/batch_writer.hpp"
#include "stores/internal/lmdb_env.hpp"
#include "stores/internal/store_keys.hpp"
#include "stores/processed_ids_stats.hpp"

namespace patron {

struct ProcessedIdsOptions {
  // How long an id is kept (already raised to the caller's minimum).
  Duration retention = 7 * kMicrosPerDay;
  // Expired ids deleted per commit, at most (raised to twice the batch's ids).
  size_t prune_slice = 1000;
  // The filter of a new bucket is sized for this many ids at least.
  size_t expected_per_bucket = 1024;
};

class ProcessedIds {
 public:
  // Buckets per retention: the width of a bucket is retention / this.
  static constexpr int64_t kBucketsPerRetention = 8;

  // `snapshot` (the committed state) must outlive this; `table` is
  // `processed_ids`, `meta` holds the retention clock.
  ProcessedIds(lmdb::ReadSnapshot& snapshot, MDB_dbi table, MDB_dbi meta, const ProcessedIdsOptions& options);
  ProcessedIds(const ProcessedIds&) = delete;
  ProcessedIds& operator=(const ProcessedIds&) = delete;

  // Reads the retention clock and builds one filter per bucket from the
  // table (one scan of the unpruned ids). An LMDB error when it fails.
  Status Load();
  // In the write transaction `txn` that opens a store: moves every id of the
  // `processed` table of older builds (no time known) into the bucket of
  // `now` and drops that table. An LMDB error when it fails.
  static Status MigrateLegacy(MDB_txn* txn, MDB_dbi legacy, MDB_dbi table, TimePoint now);

  // Whether (source, id) was marked, committed or in the batch and not yet
  // pruned. An LMDB error when a look-up was needed and failed.
  Result<bool> Contains(std::string_view source, std::string_view id);
  // Marks (source, id) in the batch at time `at` of the engine's clock
  // (marking twice is harmless).
  void Add(std::string_view source, std::string_view id, TimePoint at);

  bool BatchEmpty() const { return batch_.empty(); }
  // Deletes a slice of expired ids, files the batch's ids in key order and
  // the retention clock. May run again after a failed attempt (what it
  // learns is applied by Committed()).
  Status Write(BatchTxn& txn);
  // After the batch's transaction committed: forgets the batch (the filters
  // keep its ids), drops the filters of buckets the slices emptied, and
  // rebuilds a filter that is over capacity twice as large (a failed scan
  // keeps the full filter: still correct, only less selective).
  void Committed();

  ProcessedIdsStats stats() const;

  // The width of a bucket for `retention` (at least 1 µs).
  static Duration WidthFor(Duration retention);
  // The end of the bucket of that width holding ids marked at `t`: the next
  // multiple of `width` above `t`.
  static TimePoint BucketEnd(TimePoint t, Duration width);

 private:
  struct Bucket {
    BloomFilter filter;
  };
  static uint64_t FilterHash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  // The bucket ending at `end`, created (sized after the newest) when missing.
  Bucket& BucketAt(TimePoint end);
  // "<bucket end><raw key>" in key_buf_.
  std::string_view Filed(TimePoint end, std::string_view raw_key);
  // Deletes up to `max` ids of buckets ending at or before `cutoff`; sets
  // pending_pruned_ and pending_first_kept_.
  Status Prune(BatchTxn& txn, TimePoint cutoff, size_t max);
  // A filter for at least `capacity` ids holding every committed id of the
  // bucket ending at `end` and the batch's.
  Status RebuildFilter(TimePoint end, size_t capacity);

  lmdb::ReadSnapshot& snapshot_;
  MDB_dbi table_;
  MDB_dbi meta_;
  ProcessedIdsOptions options_;
  Duration width_;
  TimePoint clock_ = INT64_MIN;             // monotonic; persisted by Write()
  TimePoint committed_clock_ = INT64_MIN;   // what `meta` holds
  store_keys::StringMap<TimePoint> batch_;  // the batch's "<source>\x1f<id>" -> bucket end
  std::map<TimePoint, Bucket> buckets_;     // by end; every unpruned id is in its filter
  uint64_t read_at_open_ = 0;
  uint64_t pruned_ = 0;
  // Learnt by the last Write(), applied by Committed(): ids its slice
  // deleted, the cutoff it pruned to, the end of the first bucket it left.
  uint64_t pending_pruned_ = 0;
  TimePoint pending_cutoff_ = INT64_MIN;
  TimePoint pending_first_kept_ = INT64_MIN;
  std::string key_buf_;    // scratch for composed keys
  std::string filed_buf_;  // scratch for filed keys
};

}  // namespace patron
