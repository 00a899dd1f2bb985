// The facade: opens the environment, hands each StateStore call to the piece
// of stores/internal/ that owns its table, and commits them all in one
// transaction. A failed commit poisons the store (every later call returns
// that error).

#include "stores/lmdb_state_store.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <utility>

#include "stores/data_dir_lock.hpp"
#include "stores/internal/batch_writer.hpp"
#include "stores/internal/keyed_states.hpp"
#include "stores/internal/lmdb_env.hpp"
#include "stores/internal/outbox_table.hpp"
#include "stores/internal/outcome_log.hpp"
#include "stores/internal/processed_ids.hpp"
#include "stores/internal/record_cache.hpp"
#include "stores/internal/schema.hpp"
#include "stores/internal/timer_table.hpp"

namespace patron {

struct LmdbStateStore::Impl {
  // `env` is open; `tables` and `counters` come from schema::Prepare.
  static ProcessedIdsOptions ProcessedOptions(const LmdbStoreOptions& options) {
    ProcessedIdsOptions o;
    o.retention = std::max(options.processed_retention, options.processed_min_retention);
    o.prune_slice = std::max<size_t>(options.processed_prune_slice, 1);
    o.expected_per_bucket = options.expected_processed_events / ProcessedIds::kBucketsPerRetention;
    return o;
  }

  Impl(DataDirLock owned, lmdb::EnvPtr opened, const schema::Tables& t, const schema::Counters& counters,
       size_t map_size, const LmdbStoreOptions& options)
      : lock(std::move(owned)),
        env(std::move(opened)),
        max_key(static_cast<size_t>(mdb_env_get_maxkeysize(env.get()))),
        snapshot(env.get(), max_key),
        writer(env.get(), snapshot, map_size, options.max_map_size, max_key),
        records(snapshot, t.customers, t.identities, options.max_cached_customers,
                options.max_cached_identities),
        processed(snapshot, t.processed_ids, t.meta, ProcessedOptions(options)),
        keyed(snapshot, t.keyed),
        outcomes(t.outcomes, t.rule_stats, t.meta, counters.next_outcome_seq),
        timers(snapshot, t.timers, t.meta, counters.next_timer_seq),
        outbox(snapshot, t.outbox, t.meta, counters.next_outbox_seq),
        processed_table(t.processed_ids) {}

  bool BatchEmpty() const {
    return records.BatchEmpty() && processed.BatchEmpty() && keyed.BatchEmpty() && outcomes.BatchEmpty() &&
           timers.BatchEmpty() && outbox.BatchEmpty();
  }

  // Every table's part of the batch, in the order the tables are written.
  Status Write(BatchTxn& txn) {
    PATRON_RETURN_IF_ERROR(records.Write(txn));
    PATRON_RETURN_IF_ERROR(processed.Write(txn));
    PATRON_RETURN_IF_ERROR(keyed.Write(txn));
    PATRON_RETURN_IF_ERROR(outcomes.Write(txn));
    PATRON_RETURN_IF_ERROR(timers.Write(txn));
    return outbox.Write(txn);
  }

  void Committed() {
    records.Committed();
    processed.Committed();
    keyed.Committed();
    outcomes.Committed();
    timers.Committed();
    outbox.Committed();
    ++commits;
  }

  // Declared in the order they must be built (and the reverse of their
  // destruction: the snapshot ends before the environment closes, and the
  // directory's lock is released last).
  DataDirLock lock;
  lmdb::EnvPtr env;
  size_t max_key;
  lmdb::ReadSnapshot snapshot;
  BatchWriter writer;
  RecordCache records;
  ProcessedIds processed;
  KeyedStates keyed;
  OutcomeLog outcomes;
  TimerTable timers;
  OutboxTable outbox;
  MDB_dbi processed_table;
  Status failed;  // ok until a commit fails
  uint64_t commits = 0;
};

namespace {

// Creates `dir` (and its parents) when missing; the directory itself gets
// mode 0700 whatever the umask. An existing directory keeps its mode.
Status CreatePrivateDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return Status::Io("cannot create " + dir + ": " + ec.message());
  return Status::Ok();
}

// Mode 0600 for a file of the store (LMDB creates it under the umask).
Status MakePrivate(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
  if (ec) return Status::Io("cannot restrict " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

LmdbStateStore::LmdbStateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LmdbStateStore::~LmdbStateStore() = default;

Result<std::unique_ptr<LmdbStateStore>> LmdbStateStore::Open(const std::string& dir,
                                                             const LmdbStoreOptions& options) {
  PATRON_RETURN_IF_ERROR(CreatePrivateDir(dir));
  auto locked = DataDirLock::Acquire(dir);  // before LMDB touches anything
  if (!locked.ok()) return locked.status();
  auto created = lmdb::CreateEnv(schema::kMaxDbs);
  if (!created.ok()) return created.status();
  lmdb::EnvPtr env = std::move(created).value();
  size_t initial =
      lmdb::RoundToPage(std::min(options.initial_map_size, std::max(options.max_map_size, size_t{1})));
  int rc = mdb_env_set_mapsize(env.get(), initial);
  if (rc != 0) return lmdb::Error("set_mapsize", rc);
  unsigned flags =
      MDB_NOTLS | (options.sync_on_commit ? 0u : MDB_NOSYNC) | (options.write_map ? MDB_WRITEMAP : 0u);
  if ((rc = mdb_env_open(env.get(), dir.c_str(), flags, 0600)) != 0) return lmdb::Error("open " + dir, rc);
  PATRON_RETURN_IF_ERROR(MakePrivate(dir + "/data.mdb"));
  PATRON_RETURN_IF_ERROR(MakePrivate(dir + "/lock.mdb"));
  MDB_envinfo info;
  if ((rc = mdb_env_info(env.get(), &info)) != 0) return lmdb::Error("env_info", rc);
  size_t map_size = info.me_mapsize;  // larger than asked when the file already is

  schema::Tables tables;
  schema::Counters counters;
  lmdb::Txn txn;
  if ((rc = txn.Begin(env.get(), 0)) != 0) return lmdb::Error("begin", rc);
  PATRON_RETURN_IF_ERROR(schema::Prepare(txn.get(), dir, tables, counters));
  if (tables.has_legacy_processed) {
    // Ids of an older build carry no time: they are kept one retention from now.
    Duration retention = Impl::ProcessedOptions(options).retention;
    TimePoint now = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    PATRON_RETURN_IF_ERROR(
        ProcessedIds::MigrateLegacy(txn.get(), tables.legacy_processed, tables.processed_ids,
                                    ProcessedIds::BucketEnd(now, ProcessedIds::WidthFor(retention))));
  }
  if ((rc = txn.Commit()) != 0) return lmdb::Error("commit", rc);
  auto impl =
      std::make_unique<Impl>(std::move(locked).value(), std::move(env), tables, counters, map_size, options);
  PATRON_RETURN_IF_ERROR(impl->timers.Load());
  PATRON_RETURN_IF_ERROR(impl->processed.Load());
  return std::make_unique<LmdbStateStore>(std::move(impl));
}

Result<CustomerRecord*> LmdbStateStore::FindCustomer(std::string_view customer_id) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->records.Find(customer_id);
}

Result<CustomerRecord*> LmdbStateStore::CreateCustomer(std::string_view customer_id) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->records.Create(customer_id);
}

void LmdbStateStore::MarkDirty(CustomerRecord* record) { impl_->records.MarkDirty(record); }

Status LmdbStateStore::EraseCustomer(std::string_view customer_id) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->records.Erase(customer_id);
}

Result<std::optional<std::string>> LmdbStateStore::FindIdentity(IdentityKind kind, std::string_view value) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->records.FindIdentity(kind, value);
}

Status LmdbStateStore::PutIdentity(IdentityKind kind, std::string_view value, std::string_view customer_id) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->records.PutIdentity(kind, value, customer_id);
}

Result<bool> LmdbStateStore::IsProcessed(std::string_view source, std::string_view id) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->processed.Contains(source, id);
}

Status LmdbStateStore::MarkProcessed(std::string_view source, std::string_view id, TimePoint at) {
  if (!impl_->failed.ok()) return impl_->failed;
  impl_->processed.Add(source, id, at);
  return Status::Ok();
}

Result<std::optional<RuleState>> LmdbStateStore::FindKeyedState(uint64_t rule_key, std::string_view key) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->keyed.Find(rule_key, key);
}

Status LmdbStateStore::PutKeyedState(std::string_view key, const RuleState& state) {
  if (!impl_->failed.ok()) return impl_->failed;
  impl_->keyed.Put(key, state);
  return Status::Ok();
}

Status LmdbStateStore::DeleteKeyedState(uint64_t rule_key, std::string_view key) {
  if (!impl_->failed.ok()) return impl_->failed;
  impl_->keyed.Delete(rule_key, key);
  return Status::Ok();
}

Status LmdbStateStore::RecordOutcome(const Outcome& outcome) {
  if (!impl_->failed.ok()) return impl_->failed;
  impl_->outcomes.Record(outcome);
  return Status::Ok();
}

uint64_t LmdbStateStore::NextTimerSeq() { return impl_->timers.NextSeq(); }

Status LmdbStateStore::PutTimer(const TimerRecord& timer) {
  if (!impl_->failed.ok()) return impl_->failed;
  impl_->timers.Put(timer);
  return Status::Ok();
}

Status LmdbStateStore::DeleteTimer(const TimerKey& key) {
  if (!impl_->failed.ok()) return impl_->failed;
  impl_->timers.Delete(key);
  return Status::Ok();
}

Result<std::optional<TimerRecord>> LmdbStateStore::NextDueTimer(TimePoint up_to) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->timers.NextDue(up_to);
}

Result<std::optional<TimePoint>> LmdbStateStore::EarliestTimerDue() {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->timers.EarliestDue();
}

Result<uint64_t> LmdbStateStore::TimerCount() {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->timers.Count();
}

Result<uint64_t> LmdbStateStore::AppendOutbox(std::string_view bytes) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->outbox.Append(bytes);
}

Status LmdbStateStore::ListOutbox(uint64_t after, size_t max, std::vector<OutboxRow>& out) {
  if (!impl_->failed.ok()) {
    out.clear();
    return impl_->failed;
  }
  return impl_->outbox.List(after, max, out);
}

Status LmdbStateStore::DeleteOutboxUpTo(uint64_t seq) {
  if (!impl_->failed.ok()) return impl_->failed;
  impl_->outbox.DeleteUpTo(seq);
  return Status::Ok();
}

Status LmdbStateStore::MarkOutboxSent(uint64_t seq, TimePoint sent_at) {
  if (!impl_->failed.ok()) return impl_->failed;
  if (sent_at <= 0) return Status::Invalid("MarkOutboxSent: sent_at must be after 1970");
  impl_->outbox.MarkSent(seq, sent_at);
  return Status::Ok();
}

Result<size_t> LmdbStateStore::PruneOutbox(TimePoint sent_before, size_t max_rows) {
  if (!impl_->failed.ok()) return impl_->failed;
  return impl_->outbox.Prune(sent_before, max_rows);
}

Status LmdbStateStore::ListCustomerIds(std::string_view after, size_t max, std::vector<std::string>& out) {
  if (!impl_->failed.ok()) {
    out.clear();
    return impl_->failed;
  }
  return impl_->records.ListIds(after, max, out);
}

Status LmdbStateStore::Commit() {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  s.snapshot.Reset();
  if (!s.BatchEmpty()) {
    Status st = s.writer.Write([&s](BatchTxn& txn) { return s.Write(txn); });
    if (!st.ok()) {
      s.failed = st;
      return s.failed;
    }
  }
  s.Committed();
  return Status::Ok();
}

size_t LmdbStateStore::cached_customers() const { return impl_->records.cached_customers(); }
size_t LmdbStateStore::map_size() const { return impl_->writer.map_size(); }
uint64_t LmdbStateStore::commits() const { return impl_->commits; }
ProcessedIdsStats LmdbStateStore::processed_ids() const { return impl_->processed.stats(); }

Result<uint64_t> LmdbStateStore::StoredProcessedIds() {
  if (!impl_->failed.ok()) return impl_->failed;
  if (int rc = impl_->snapshot.Ensure(); rc != 0) return lmdb::Error("begin read", rc);
  MDB_stat stat;
  if (int rc = mdb_stat(impl_->snapshot.get(), impl_->processed_table, &stat); rc != 0)
    return lmdb::Error("stat processed ids", rc);
  return static_cast<uint64_t>(stat.ms_entries);
}

}  // namespace patron
