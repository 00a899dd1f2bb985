#pragma once
// The ids of processed events (the `processed` table, "<source>\x1f<id>"),
// with the open batch's on top. An in-memory Bloom filter holds every id,
// committed or not, so a new event costs no B-tree search; only a possible
// repeat (or a key too long for LMDB, filed hashed) is looked up. Internal
// to stores/; one thread (the store's).

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "stores/bloom_filter.hpp"
#include "stores/internal/batch_writer.hpp"
#include "stores/internal/lmdb_env.hpp"
#include "stores/internal/store_keys.hpp"

namespace patron {

class ProcessedIds {
 public:
  // `snapshot` (the committed state) must outlive this; `table` is `processed`.
  ProcessedIds(lmdb::ReadSnapshot& snapshot, MDB_dbi table) : snapshot_(snapshot), table_(table) {}
  ProcessedIds(const ProcessedIds&) = delete;
  ProcessedIds& operator=(const ProcessedIds&) = delete;

  // Builds the filter for max(`expected`, twice the stored ids) keys from
  // the table (one scan). An LMDB error when the scan fails.
  Status Load(size_t expected) { return RebuildFilter(expected); }

  // Whether (source, id) was marked, committed or in the batch. An LMDB
  // error when a look-up was needed and failed.
  Result<bool> Contains(std::string_view source, std::string_view id);
  // Marks (source, id) in the batch (marking twice is harmless).
  void Add(std::string_view source, std::string_view id);

  bool BatchEmpty() const { return batch_.empty(); }
  // Files the batch's ids in key order. May run again after a failed attempt.
  Status Write(BatchTxn& txn);
  // After the batch's transaction committed: forgets the batch (the filter
  // keeps its ids) and, when the filter is over capacity, rebuilds it twice
  // as large (a failed scan keeps the full filter: still correct, only less
  // selective).
  void Committed();

 private:
  static uint64_t FilterHash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  // A filter for at least `capacity` keys holding every committed id and
  // the batch's. Runs at open and whenever the filter fills up: the cost of
  // a scan is spread over as many Add() calls as the scan reads.
  Status RebuildFilter(size_t capacity);

  lmdb::ReadSnapshot& snapshot_;
  MDB_dbi table_;
  store_keys::StringSet batch_;  // the batch's "<source>\x1f<id>"
  BloomFilter filter_;           // every processed key, committed or not
  std::string key_buf_;          // scratch for composed keys
};

}  // namespace patron
