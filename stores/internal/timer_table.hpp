#pragma once
// The durable timers (the `timers` table: 16-byte timer key ->
// EncodeTimer bytes, stores/timer_codec.hpp; `meta` next_timer_seq), with
// the open batch's puts and deletes on top, and the arming sequence.
//
// A lower bound of the earliest committed due time (refreshed at each
// commit) makes NextDue() with nothing due touch no LMDB page, and Delete()
// never reads. Timers armed since the last commit (seq at or above the
// committed counter) are known not to be in the table: deleting them needs
// no tombstone, so a timer armed and cancelled in one batch leaves nothing
// to write. Internal to stores/; one thread (the store's).

#include <lmdb.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/time.hpp"
#include "model/timer.hpp"
#include "stores/internal/batch_writer.hpp"
#include "stores/internal/lmdb_env.hpp"

namespace patron {

class TimerTable {
 public:
  // `snapshot` (the committed state) must outlive this; `timers` and
  // `meta` are the tables; `next_seq` is the stored next_timer_seq (1 in a
  // new store).
  TimerTable(lmdb::ReadSnapshot& snapshot, MDB_dbi timers, MDB_dbi meta, uint64_t next_seq)
      : snapshot_(snapshot), timers_(timers), meta_(meta), next_seq_(next_seq), committed_seq_(next_seq) {}
  TimerTable(const TimerTable&) = delete;
  TimerTable& operator=(const TimerTable&) = delete;

  // Reads the entry count and the earliest due of the committed table (at
  // open). Corruption for a malformed key, an LMDB error otherwise.
  Status Load();

  // As StateStore::NextTimerSeq (saturates at the maximum, never wraps).
  uint64_t NextSeq() {
    if (next_seq_ == std::numeric_limits<uint64_t>::max()) return next_seq_;
    return next_seq_++;
  }
  // As StateStore::PutTimer, and raises the counter above `timer.key.seq`.
  void Put(const TimerRecord& timer);
  // As StateStore::DeleteTimer; never reads.
  void Delete(const TimerKey& key);
  // As StateStore::NextDueTimer. Corruption for a malformed stored timer.
  Result<std::optional<TimerRecord>> NextDue(TimePoint up_to);
  // As StateStore::EarliestTimerDue.
  Result<std::optional<TimePoint>> EarliestDue();
  // As StateStore::TimerCount: reads the table for each batch delete (and
  // each batch put of a key that may be committed).
  Result<uint64_t> Count();

  // Whether the batch changes nothing (puts, deletes, or the counter).
  bool BatchEmpty() const { return !Changed() && next_seq_ == committed_seq_; }
  // Files the batch's puts and deletes in key order and the counter, then
  // reads the table's new count and earliest due (kept for Committed()).
  // May run again after a failed attempt.
  Status Write(BatchTxn& txn);
  // After the store's batch committed (with or without a Write() of this
  // table): the batch becomes the committed state, with what the last
  // Write() read.
  void Committed();

 private:
  // What Write() learns about the table, in its transaction.
  struct TableState {
    uint64_t count = 0;
    std::optional<TimePoint> min_due;
  };
  // The first key of the table in an empty batch: every key is at or after it.
  static constexpr TimerKey kFirstKey{std::numeric_limits<TimePoint>::min(), 0};

  static Status ReadTableState(MDB_txn* txn, MDB_dbi dbi, TableState& out);
  bool Changed() const { return !puts_.empty() || !deletes_.empty(); }
  // Whether a timer at `key` may be in the table (see the file comment).
  bool MaybeCommitted(const TimerKey& key) const {
    return key.seq < committed_seq_ || key.seq == std::numeric_limits<uint64_t>::max();
  }
  // The batch now replaces or deletes `key`, which may be committed.
  void Shadow(const TimerKey& key) {
    if (committed_min_due_ && key.due <= *committed_min_due_) committed_min_exact_ = false;
  }
  bool Shadowed(const TimerKey& key) const {
    return puts_.find(key) != puts_.end() || deletes_.find(key) != deletes_.end();
  }
  // The first committed timer that the batch neither replaces nor deletes
  // (`key` nullopt when there is none), its value bytes in `value` (valid
  // until the snapshot is reset). Tightens committed_min_due_ on the way.
  Status FirstCommitted(std::optional<TimerKey>& key, std::string_view& value);
  // Whether the committed table holds `key` (for Count() only).
  Result<bool> IsCommitted(const TimerKey& key);

  lmdb::ReadSnapshot& snapshot_;
  MDB_dbi timers_, meta_;
  // The batch keeps its puts, and the deletes of keys that may be
  // committed, apart, so that the earliest put is the first node.
  std::map<TimerKey, TimerRecord> puts_;
  std::set<TimerKey> deletes_;
  uint64_t next_seq_;       // what NextSeq() hands out next
  uint64_t committed_seq_;  // meta next_timer_seq: above the seq of every committed timer
  uint64_t committed_count_ = 0;
  // A lower bound of the due time of every committed timer the batch neither
  // replaces nor deletes; nullopt when there is none. It is what makes
  // "nothing due" cost no LMDB access.
  std::optional<TimePoint> committed_min_due_;
  // Whether committed_min_due_ is that timer's due exactly (not just a
  // bound): then EarliestDue() needs no read either.
  bool committed_min_exact_ = true;
  // Every committed timer key below this one is replaced or deleted by the
  // batch, so scans of the table start here (firing many due timers in one
  // batch then costs one step each, not a walk over those already done).
  TimerKey committed_scan_from_ = kFirstKey;
  std::optional<TableState> written_;  // what the last Write() read; nullopt when none ran
  std::string key_buf_;                // scratch for encoded keys
  std::string value_buf_;              // scratch for encoded values
};

}  // namespace patron
