#pragma once
// The outcome records (the `outcomes` table: 8-byte big-endian sequence ->
// EncodeOutcome bytes, the next sequence in `meta`) and their counts per
// rule and kind (`rule_stats`: "<rule>\x1f<kind name>" -> 8-byte big-endian
// count). Appends only: the batch is never read back before Commit().
// Internal to stores/; one thread (the store's).

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/outcome.hpp"
#include "stores/internal/batch_writer.hpp"
#include "stores/internal/store_keys.hpp"

namespace patron {

class OutcomeLog {
 public:
  // `outcomes`, `rule_stats`, `meta`: the tables; `next_seq`: the stored
  // next_outcome_seq (0 in a new store).
  OutcomeLog(MDB_dbi outcomes, MDB_dbi rule_stats, MDB_dbi meta, uint64_t next_seq)
      : outcomes_(outcomes), rule_stats_(rule_stats), meta_(meta), next_seq_(next_seq) {}
  OutcomeLog(const OutcomeLog&) = delete;
  OutcomeLog& operator=(const OutcomeLog&) = delete;

  // Appends `outcome` to the batch and counts it for its rule.
  void Record(const Outcome& outcome);

  bool BatchEmpty() const { return batch_.empty(); }
  // Appends the batch's outcomes, adds its counts to the stored ones and
  // stores the next sequence. Corruption when a stored count is not 8
  // bytes. May run again after a failed attempt.
  Status Write(BatchTxn& txn);
  // After the batch's transaction committed.
  void Committed();

 private:
  MDB_dbi outcomes_, rule_stats_, meta_;
  uint64_t next_seq_;                       // committed next_outcome_seq
  std::vector<Outcome> batch_;              // in order
  store_keys::StringMap<uint64_t> counts_;  // "<rule>\x1f<kind>" -> increment
  std::string key_buf_;                     // scratch for composed keys
};

}  // namespace patron
