#pragma once
// Writing one batch: every table's changes in one write transaction, made
// durable by its commit. When the map is full the map grows (doubling, up to
// a maximum) and the whole batch is written again in a new transaction.
// Internal to stores/; one thread (the store's).

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "stores/internal/lmdb_env.hpp"

namespace patron {

// The write transaction of one attempt, as the tables see it: puts and
// deletes of keys in their stored form (stores/internal/stored_key.hpp). A
// failed call returns false and keeps LMDB's code for status(); the caller
// then returns status() and writes nothing more.
class BatchTxn {
 public:
  BatchTxn(MDB_txn* txn, size_t max_key) : txn_(txn), max_key_(max_key) {}
  BatchTxn(const BatchTxn&) = delete;
  BatchTxn& operator=(const BatchTxn&) = delete;

  // The handle, for cursors and statistics (record failures with Check()).
  MDB_txn* get() const { return txn_; }
  size_t max_key() const { return max_key_; }

  // Writes `value` under `raw_key`.
  bool Put(MDB_dbi dbi, std::string_view raw_key, std::string_view value);
  // Writes `value` as 8 big-endian bytes (counters in `meta`, row counts).
  bool PutFixed64(MDB_dbi dbi, std::string_view raw_key, uint64_t value);
  // Removes `raw_key`; a key that is not there is not a failure.
  bool Delete(MDB_dbi dbi, std::string_view raw_key);
  // The value under `raw_key` as this transaction sees it (nullopt when
  // absent); the view dies at the next write. A failed read is returned (not
  // kept for status()): it is no reason to grow the map.
  Result<std::optional<std::string_view>> Get(MDB_dbi dbi, std::string_view raw_key);
  // Keeps a failed LMDB code `rc` of a direct call on get(); true when rc is 0.
  bool Check(int rc) {
    if (rc != 0) rc_ = rc;
    return rc == 0;
  }

  // The first failure kept ("lmdb commit: ..."); Ok when there was none.
  Status status() const;
  // LMDB's code of that failure, 0 when there was none.
  int rc() const { return rc_; }

 private:
  MDB_txn* txn_;
  size_t max_key_;
  int rc_ = 0;
  std::string long_buf_;   // scratch for long-key forms
  std::string value_buf_;  // scratch for fixed-size values
};

// Commits batches into one environment and grows its map when they do not
// fit. `env` and `snapshot` must outlive it.
class BatchWriter {
 public:
  // `map_size`: the environment's map size now; the map never grows beyond
  // max(map_size, max_map_size). `max_key`: mdb_env_get_maxkeysize(env).
  BatchWriter(MDB_env* env, lmdb::ReadSnapshot& snapshot, size_t map_size, size_t max_map_size,
              size_t max_key)
      : env_(env), snapshot_(snapshot), map_size_(map_size), max_map_size_(max_map_size), max_key_(max_key) {}
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Runs `write` in a new write transaction and commits it. When the map is
  // full (in `write` or at the commit) and may still grow, drops the read
  // snapshot, doubles the map (capped at the maximum) and runs `write` again
  // from the start; so `write` must only put and delete, and keep what it
  // learns for after success. Returns Ok once committed; else the failure
  // of `write`, "lmdb commit: ..." for LMDB's, or "lmdb grow map: ...", and
  // nothing of the batch is written.
  Status Write(const std::function<Status(BatchTxn&)>& write);

  size_t map_size() const { return map_size_; }

 private:
  // One attempt, its transaction over (committed or aborted) on return;
  // LMDB's code of the failure in `rc` (0 for none or a non-LMDB one).
  Status Attempt(const std::function<Status(BatchTxn&)>& write, int& rc);

  MDB_env* env_;
  lmdb::ReadSnapshot& snapshot_;
  size_t map_size_;
  size_t max_map_size_;
  size_t max_key_;
};

}  // namespace patron
