#pragma once
// The outbox rows (the `outbox` table: 8-byte big-endian seq -> 8-byte
// big-endian sent_at (0: not sent) and the row's bytes; `meta`
// next_outbox_seq), with the open batch's appends, sent marks, prunes and
// delete bound on top. Every committed seq is below the committed counter, and the
// batch's rows take the counter onwards, so the batch's rows all follow the
// committed ones. Internal to stores/; one thread (the store's).

#include <lmdb.h>

#include <algorithm>
#include <map>
#include <set>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "engine/state_store.hpp"
#include "stores/internal/batch_writer.hpp"
#include "stores/internal/lmdb_env.hpp"

namespace patron {

class OutboxTable {
 public:
  // `snapshot` (the committed state) must outlive this; `outbox` and `meta`
  // are the tables; `next_seq` is the stored next_outbox_seq (1 in a new store).
  OutboxTable(lmdb::ReadSnapshot& snapshot, MDB_dbi outbox, MDB_dbi meta, uint64_t next_seq)
      : snapshot_(snapshot),
        outbox_(outbox),
        meta_(meta),
        next_seq_(std::max<uint64_t>(next_seq, 1)),  // seq 0 is "before every row"
        committed_seq_(next_seq_) {}
  OutboxTable(const OutboxTable&) = delete;
  OutboxTable& operator=(const OutboxTable&) = delete;

  // As StateStore::AppendOutbox: the row's seq. Invalid once the counter
  // reached its maximum (2^64 - 1 rows: not expected to happen).
  Result<uint64_t> Append(std::string_view bytes);
  // As StateStore::ListOutbox. On failure `out` is empty.
  Status List(uint64_t after, size_t max, std::vector<OutboxRow>& out);
  // As StateStore::DeleteOutboxUpTo: hides (and at Write() deletes) the
  // committed rows with seq <= `seq`, and drops the batch's.
  void DeleteUpTo(uint64_t seq);
  // As StateStore::MarkOutboxSent and PruneOutbox.
  void MarkSent(uint64_t seq, TimePoint sent_at);
  Result<size_t> Prune(TimePoint sent_before, size_t max_rows);

  bool BatchEmpty() const {
    return rows_.empty() && delete_up_to_ == 0 && next_seq_ == committed_seq_ && marks_.empty() &&
           pruned_.empty();
  }
  // Deletes the committed rows up to the bound, appends the batch's rows and
  // stores the counter. May run again after a failed attempt.
  Status Write(BatchTxn& txn);
  // After the store's batch committed (with or without a Write() of this table).
  void Committed();

 private:
  lmdb::ReadSnapshot& snapshot_;
  MDB_dbi outbox_, meta_;
  uint64_t next_seq_;            // what Append() hands out next
  uint64_t committed_seq_;       // meta next_outbox_seq: above every committed seq
  uint64_t delete_up_to_ = 0;    // committed rows at or below it are deleted by the batch
  // Whether a committed row is gone in the batch (deleted or pruned).
  bool Gone(uint64_t seq) const { return seq <= delete_up_to_ || pruned_.count(seq) != 0; }

  std::vector<OutboxRow> rows_;        // the batch's, in seq order
  std::map<uint64_t, TimePoint> marks_;  // committed rows marked sent by the batch
  std::set<uint64_t> pruned_;          // committed rows the batch deletes
  std::string key_buf_;                // scratch for encoded keys
  std::string value_buf_;              // scratch for encoded values
};

}  // namespace patron
