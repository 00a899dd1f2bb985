#pragma once
// The named tables of a store's environment (layout in
// stores/lmdb_state_store.hpp), the schema version and the counters kept in
// `meta`. Internal to stores/; functions here run inside a transaction the
// caller owns, on the caller's thread.

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace patron::schema {

// Named tables an environment may hold: the nine of this build (and the
// legacy `processed`), and room for a few more.
inline constexpr unsigned kMaxDbs = 12;
inline constexpr std::string_view kVersion = "1";
inline constexpr std::string_view kVersionKey = "schema_version";
inline constexpr std::string_view kNextOutcomeSeqKey = "next_outcome_seq";
inline constexpr std::string_view kNextTimerSeqKey = "next_timer_seq";
inline constexpr std::string_view kNextOutboxSeqKey = "next_outbox_seq";
// The retention clock of `processed_ids` (stores/internal/processed_ids.hpp).
inline constexpr std::string_view kProcessedClockKey = "processed_clock";

// The table handles of one environment (valid for its lifetime once the
// transaction that opened them committed).
struct Tables {
  MDB_dbi customers = 0, identities = 0, processed_ids = 0, keyed = 0, outcomes = 0, rule_stats = 0, meta = 0,
          timers = 0, outbox = 0;
  // False only in a read-only look at a store written before the table existed.
  bool has_timers = false, has_outbox = false, has_processed_ids = false;
  // `processed` of older builds (ids without a time), until migrated.
  MDB_dbi legacy_processed = 0;
  bool has_legacy_processed = false;
};

// Opens every table in `txn` with `flags` (MDB_CREATE creates the missing
// ones: a store written before `timers`, `outbox` or `processed_ids` existed
// gains them). In a read-only open a missing `timers`, `outbox` or
// `processed_ids` is not an error (has_* stay false); any other missing table
// is MDB_NOTFOUND. The legacy `processed` is opened when present, never
// created. LMDB's code.
int OpenTables(MDB_txn* txn, unsigned flags, Tables& out);

// The counters of `meta`, at their defaults when never written.
struct Counters {
  uint64_t next_outcome_seq = 0;
  uint64_t next_timer_seq = 1;
  uint64_t next_outbox_seq = 1;
};

// In the write transaction `txn` of the first open of `dir`: opens (and
// creates) the tables, writes the schema version into a new store or checks
// an existing one's, and reads the counters. Corruption when the version is
// not this build's or a counter is not 8 bytes; an LMDB error otherwise.
Status Prepare(MDB_txn* txn, const std::string& dir, Tables& tables, Counters& counters);

}  // namespace patron::schema
