#pragma once
// StateStore over one LMDB environment (engine/state_store.hpp). lmdb.h stays
// in the .cpp (pimpl), so the engine never sees it. The facade composes the
// pieces of stores/internal/: one per table family (record_cache,
// processed_ids, keyed_states, outcome_log, timer_table, outbox_table), the
// batch writer, the schema and the LMDB handles (lmdb_env). Another process
// reads the directory through stores/state_reader.hpp.
//
// Named tables of the environment:
//   customers   customer id -> EncodeCustomer bytes
//   identities  "<kind>:<value>" (e.g. "phone:13800138000") -> customer id
//   processed_ids  8-byte bucket end (µs, big-endian, sign bit flipped) +
//               "<source>\x1f<id>" -> empty (stores/internal/processed_ids.hpp);
//               a store of an older build has `processed` ("<source>\x1f<id>"),
//               moved into it at Open() into the bucket of the wall clock
//               then (keys too long for LMDB are not carried over)
//   keyed       8-byte big-endian rule_key + key -> EncodeRuleState bytes
//   outcomes    8-byte big-endian sequence -> EncodeOutcome bytes
//   rule_stats  "<rule name>\x1f<outcome kind name>" -> 8-byte big-endian count
//   timers      16-byte timer key (due with its sign bit flipped, then seq, both
//               big-endian; stores/timer_codec.hpp) -> EncodeTimer bytes
//   outbox      8-byte big-endian seq -> 8-byte big-endian sent_at (0: not sent), the row's bytes
//   meta        "schema_version" -> "1", "next_outcome_seq" -> 8-byte big-endian,
//               "next_timer_seq", "next_outbox_seq" -> 8-byte big-endian
//               (above every stored seq of their table), "processed_clock" ->
//               8-byte big-endian (the processed ids' retention clock, µs)
// Keys longer than LMDB's key limit are stored as their first 256 bytes, a NUL
// and a 16-hex-digit stable hash of the whole key. A store written before
// timers (or the outbox) existed gets its (empty) `timers` (`outbox`) table
// at the next Open().
//
// Write-back: decoded records and identity index entries are cached in
// memory, and a Bloom filter screens processed ids. Every change of the open
// batch (records, identities, processed ids, keyed states, outcomes, timer
// puts and deletes, outbox rows and deletes) lives in memory, and lookups see
// it, until Commit() writes it all, in key order, in one write transaction.
// When the map is full the map grows (doubling, up to max_map_size) and the
// batch is retried. A failed Commit() leaves the batch unwritten and the
// store refuses every later call with that error.
//
// Timers: the store keeps a lower bound of the earliest committed due time
// (refreshed at each commit), so NextDueTimer() with nothing due touches no
// LMDB page, and DeleteTimer() never reads. Timers armed since the last
// commit (seq at or above the committed counter) are known not to be in the
// table, so deleting them leaves nothing to write.
//
// Ownership: Open() takes the directory's lock (stores/data_dir_lock.hpp)
// before LMDB touches anything and holds it until the store is destroyed, so
// a second writer of the same directory, in this process or another, fails
// with Unavailable naming the holder's PID. A directory Open() creates gets
// mode 0700; LOCK, data.mdb and lock.mdb mode 0600, whatever the umask.
//
// Threads: one instance is used by one thread (the engine's). The read-only
// StateReader (stores/state_reader.hpp) takes no lock: it is for another
// process (`patron inspect`) or for after the store was closed.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "engine/state_store.hpp"
#include "stores/processed_ids_stats.hpp"

namespace patron {

struct LmdbStoreOptions {
  // Map size at open. The map grows (doubling) when a commit fills it, so
  // this only has to be a sensible start; an existing larger file keeps its size.
  size_t initial_map_size = size_t{256} << 20;  // 256 MiB
  // The map never grows beyond this; a batch that does not fit then fails.
  size_t max_map_size = size_t{64} << 30;  // 64 GiB (address space only; the file grows as written)
  // fsync at every commit. A replay into throwaway state may turn it off
  // (MDB_NOSYNC): then a crash may lose the last commits (never corrupt them).
  bool sync_on_commit = true;
  // MDB_WRITEMAP: commits write pages in place through the map instead of
  // copying them with write() (most of a commit's system time). The file is
  // extended (sparsely) to the map size, and a stray write through a bad
  // pointer in this process could corrupt the store, so it is off by
  // default; a replay into throwaway state may turn it on.
  bool write_map = false;
  // When a commit leaves more customers cached than this, the least recently
  // used are dropped down to 3/4 of it. Only Commit() evicts, so the records
  // of an open batch stay.
  size_t max_cached_customers = 200'000;
  // Identity index entries ("phone:138...") kept in memory the same way.
  size_t max_cached_identities = 400'000;
  // Processed event ids are screened by in-memory Bloom filters (2 bytes a
  // key), one per time bucket (an eighth of the retention), so a new event
  // costs no B-tree search. Open() reads the ids the retention keeps (not
  // those ever seen) to build them; a new bucket's filter is sized for
  // 1/8 of this many ids or twice the previous bucket's, whichever is more,
  // and doubles (one scan of its bucket) when full.
  size_t expected_processed_events = 1'000'000;
  // Processed ids are kept this long, measured on the engine's clock as it
  // passes it to MarkProcessed() (event time in `replay`, the wall clock in
  // `run`), made monotonic per directory (the latest time ever passed is
  // kept in `meta`): an id is remembered at least this long and at most an
  // eighth longer, plus the pruning's lag. A redelivery after that is
  // processed again.
  Duration processed_retention = 7 * kMicrosPerDay;
  // Never less than this, whatever processed_retention says: the caller's
  // floor (the JetStream stream's duplicate window).
  Duration processed_min_retention = 0;
  // Expired ids deleted per commit, at most (and at least twice the batch's
  // ids, so the table stays bounded), inside the batch's transaction.
  size_t processed_prune_slice = 1000;
};

class LmdbStateStore final : public StateStore {
  struct Impl;  // lmdb.h lives in the .cpp

 public:
  // Opens (creating `dir` and the tables when missing) the environment in
  // `dir`. Unavailable when another open (any process) owns `dir`; IoError
  // when the directory or environment cannot be opened, Corruption when the
  // schema version is not this build's.
  static Result<std::unique_ptr<LmdbStateStore>> Open(const std::string& dir,
                                                      const LmdbStoreOptions& options = {});

  // Use Open(); public only for std::make_unique (Impl is private).
  explicit LmdbStateStore(std::unique_ptr<Impl> impl);
  // Closes the environment; an uncommitted batch is discarded.
  ~LmdbStateStore() override;
  LmdbStateStore(const LmdbStateStore&) = delete;
  LmdbStateStore& operator=(const LmdbStateStore&) = delete;

  Result<CustomerRecord*> FindCustomer(std::string_view customer_id) override;
  Result<CustomerRecord*> CreateCustomer(std::string_view customer_id) override;
  void MarkDirty(CustomerRecord* record) override;
  Status EraseCustomer(std::string_view customer_id) override;
  Result<std::optional<std::string>> FindIdentity(IdentityKind kind, std::string_view value) override;
  Status PutIdentity(IdentityKind kind, std::string_view value, std::string_view customer_id) override;
  Result<bool> IsProcessed(std::string_view source, std::string_view id) override;
  Status MarkProcessed(std::string_view source, std::string_view id, TimePoint at) override;
  Result<std::optional<RuleState>> FindKeyedState(uint64_t rule_key, std::string_view key) override;
  Status PutKeyedState(std::string_view key, const RuleState& state) override;
  Status DeleteKeyedState(uint64_t rule_key, std::string_view key) override;
  Status RecordOutcome(const Outcome& outcome) override;
  // PutTimer also raises the NextTimerSeq counter above `timer.key.seq`, so
  // that every stored seq stays below the persisted counter.
  uint64_t NextTimerSeq() override;
  Status PutTimer(const TimerRecord& timer) override;
  Status DeleteTimer(const TimerKey& key) override;
  Result<std::optional<TimerRecord>> NextDueTimer(TimePoint up_to) override;
  Result<std::optional<TimePoint>> EarliestTimerDue() override;
  // Reads the table for each batch delete (and each batch put of a key that
  // may be committed) to tell replacements from additions: for reports.
  Result<uint64_t> TimerCount() override;
  // Invalid (and nothing appended) once 2^64 - 1 seqs are used.
  Result<uint64_t> AppendOutbox(std::string_view bytes) override;
  Status ListOutbox(uint64_t after, size_t max, std::vector<OutboxRow>& out) override;
  Status DeleteOutboxUpTo(uint64_t seq) override;
  Status MarkOutboxSent(uint64_t seq, TimePoint sent_at) override;
  Result<size_t> PruneOutbox(TimePoint sent_before, size_t max_rows) override;
  // Ids are listed in the byte order of their stored keys, which is the ids'
  // byte order except between ids too long for an LMDB key (hashed, see
  // above) that share their first 256 bytes.
  Status ListCustomerIds(std::string_view after, size_t max, std::vector<std::string>& out) override;
  Status Commit() override;

  // Observability for tests and metrics.
  size_t cached_customers() const;
  size_t map_size() const;
  uint64_t commits() const;
  // The processed ids' filters, buckets and retention clock; how many ids
  // the open read and the commits pruned.
  ProcessedIdsStats processed_ids() const;
  // Processed ids on disk (committed, not pruned yet); an LMDB error when
  // the table cannot be read.
  Result<uint64_t> StoredProcessedIds();

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace patron
