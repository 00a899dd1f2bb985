#pragma once
// RAII over LMDB's C handles, and the conversions every table of the store
// uses: an environment that closes itself, a transaction that aborts in its
// destructor unless committed, a cursor that closes itself, and the writer's
// long-lived read snapshot. Internal to stores/ (lmdb.h never reaches the
// engine). Every object here belongs to one thread at a time; none is
// copyable.

#include <lmdb.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.hpp"

namespace patron::lmdb {

// The Status of a failed LMDB call `what` that returned `rc`: Corruption for
// the codes that mean a damaged or foreign file, IoError for the others.
Status Error(std::string_view what, int rc);

// A view of `s` for LMDB (which never writes through it).
inline MDB_val ToVal(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
// A view of LMDB's bytes, valid as long as LMDB says `v` is.
inline std::string_view FromVal(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

struct EnvCloser {
  void operator()(MDB_env* env) const { mdb_env_close(env); }
};
// An environment, closed when the pointer goes. Close every transaction and
// cursor of it first.
using EnvPtr = std::unique_ptr<MDB_env, EnvCloser>;

// A new environment with room for `max_dbs` named tables, not opened yet.
// IoError when LMDB cannot allocate it.
Result<EnvPtr> CreateEnv(unsigned max_dbs);

// The environment of the store in `dir`, opened with MDB_RDONLY (no lock
// on writers: safe while another process writes there). NotFound when `dir`
// holds no data.mdb, an LMDB error when it cannot be opened.
Result<EnvPtr> OpenReadOnlyEnv(const std::string& dir, unsigned max_dbs);

// `size` rounded up to whole pages (at least one), for mdb_env_set_mapsize.
size_t RoundToPage(size_t size);

struct CursorCloser {
  void operator()(MDB_cursor* cursor) const { mdb_cursor_close(cursor); }
};
// A cursor, closed when the pointer goes (before its transaction ends).
using CursorPtr = std::unique_ptr<MDB_cursor, CursorCloser>;
// Opens a cursor over `dbi` in `txn` into `out`; LMDB's code (0 on success).
int OpenCursor(MDB_txn* txn, MDB_dbi dbi, CursorPtr& out);

// A transaction that aborts in its destructor unless committed.
class Txn {
 public:
  Txn() = default;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  // mdb_txn_begin with `flags` (0 for a write transaction, MDB_RDONLY);
  // LMDB's code. Call once per object.
  int Begin(MDB_env* env, unsigned flags) { return mdb_txn_begin(env, nullptr, flags, &txn_); }
  // The handle; nullptr before Begin() succeeds and after Commit().
  MDB_txn* get() const { return txn_; }
  // LMDB's code. LMDB frees the handle whatever the outcome.
  int Commit() { return mdb_txn_commit(std::exchange(txn_, nullptr)); }

 private:
  MDB_txn* txn_ = nullptr;
};

// The value under `key` in `dbi` as `txn` sees it: nullopt when absent (an
// empty key is always absent), the LMDB error otherwise. The view lives as
// long as the transaction (or until it writes).
Result<std::optional<std::string_view>> Get(MDB_txn* txn, MDB_dbi dbi, std::string_view key);

// The writer's long-lived read transaction: reset at each commit, renewed
// at the next read, so it always sees the last committed state. Looks keys
// up in their stored form (stores/internal/stored_key.hpp). `env` must
// outlive it.
class ReadSnapshot {
 public:
  ReadSnapshot(MDB_env* env, size_t max_key) : env_(env), max_key_(max_key) {}
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() { Drop(); }

  // Begins or renews the transaction unless it is active; LMDB's code.
  int Ensure() {
    if (active_) return 0;
    int rc = txn_ == nullptr ? mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn_) : mdb_txn_renew(txn_);
    if (rc == 0) active_ = true;
    return rc;
  }
  // Releases the snapshot (views from it die); the handle is kept for renewal.
  void Reset() {
    if (active_) mdb_txn_reset(txn_);
    active_ = false;
  }
  // Frees the handle too (needed before the map may be resized).
  void Drop() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    txn_ = nullptr;
    active_ = false;
  }
  // The handle; call Ensure() first.
  MDB_txn* get() const { return txn_; }
  size_t max_key() const { return max_key_; }

  // The value under the stored form of `raw_key`, ensuring the snapshot
  // first: nullopt when absent, an LMDB error otherwise. The view is valid
  // until Reset() or Drop().
  Result<std::optional<std::string_view>> Get(MDB_dbi dbi, std::string_view raw_key);

 private:
  MDB_env* env_;
  size_t max_key_;
  MDB_txn* txn_ = nullptr;
  bool active_ = false;
  std::string long_buf_;  // scratch for long-key forms
};

}  // namespace patron::lmdb
