#include "stores/internal/schema.hpp"

#include <utility>

#include "stores/byte_codec.hpp"
#include "stores/internal/lmdb_env.hpp"

namespace patron::schema {

namespace {

// Opens the table `name`, added after the first release, into `dbi`; when it
// is missing in a read-only open, leaves `present` false and succeeds.
int OpenLaterTable(MDB_txn* txn, const char* name, unsigned flags, MDB_dbi& dbi, bool& present) {
  int rc = mdb_dbi_open(txn, name, flags, &dbi);
  if (rc == MDB_NOTFOUND && (flags & MDB_CREATE) == 0) return 0;
  if (rc == 0) present = true;
  return rc;
}

// The 8-byte counter under `key` of `meta` into `out` (left alone when absent).
Status ReadCounter(MDB_txn* txn, MDB_dbi meta, const std::string& dir, std::string_view key, uint64_t& out) {
  auto bytes = lmdb::Get(txn, meta, key);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) return Status::Ok();
  if ((*bytes)->size() != 8) return Status::Corruption("store in " + dir + ": bad " + std::string(key));
  out = codec::GetFixed64BigEndian(**bytes);
  return Status::Ok();
}

}  // namespace

int OpenTables(MDB_txn* txn, unsigned flags, Tables& t) {
  std::pair<const char*, MDB_dbi*> required[] = {{"customers", &t.customers},   {"identities", &t.identities},
                                                 {"keyed", &t.keyed},           {"outcomes", &t.outcomes},
                                                 {"rule_stats", &t.rule_stats}, {"meta", &t.meta}};
  for (auto& [name, dbi] : required) {
    int rc = mdb_dbi_open(txn, name, flags, dbi);
    if (rc != 0) return rc;
  }
  if (int rc = OpenLaterTable(txn, "timers", flags, t.timers, t.has_timers); rc != 0) return rc;
  if (int rc = OpenLaterTable(txn, "outbox", flags, t.outbox, t.has_outbox); rc != 0) return rc;
  if (int rc = OpenLaterTable(txn, "processed_ids", flags, t.processed_ids, t.has_processed_ids); rc != 0)
    return rc;
  int rc = mdb_dbi_open(txn, "processed", flags & ~unsigned{MDB_CREATE}, &t.legacy_processed);
  if (rc == 0) t.has_legacy_processed = true;
  if (rc != 0 && rc != MDB_NOTFOUND) return rc;
  return 0;
}

Status Prepare(MDB_txn* txn, const std::string& dir, Tables& tables, Counters& counters) {
  if (int rc = OpenTables(txn, MDB_CREATE, tables); rc != 0) return lmdb::Error("open tables", rc);
  auto version = lmdb::Get(txn, tables.meta, kVersionKey);
  if (!version.ok()) return version.status();
  if (!*version) {
    MDB_val k = lmdb::ToVal(kVersionKey), v = lmdb::ToVal(kVersion);
    if (int rc = mdb_put(txn, tables.meta, &k, &v, 0); rc != 0) return lmdb::Error("put schema", rc);
  } else if (**version != kVersion) {
    return Status::Corruption("store in " + dir + " has schema version '" + std::string(**version) +
                              "', this build reads '" + std::string(kVersion) + "'");
  }
  PATRON_RETURN_IF_ERROR(ReadCounter(txn, tables.meta, dir, kNextOutcomeSeqKey, counters.next_outcome_seq));
  PATRON_RETURN_IF_ERROR(ReadCounter(txn, tables.meta, dir, kNextTimerSeqKey, counters.next_timer_seq));
  PATRON_RETURN_IF_ERROR(ReadCounter(txn, tables.meta, dir, kNextOutboxSeqKey, counters.next_outbox_seq));
  return Status::Ok();
}

}  // namespace patron::schema
