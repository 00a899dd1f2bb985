#include "stores/lmdb_state_store.hpp"

#include <lmdb.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#include "base/phone.hpp"
#include "base/stable_hash.hpp"
#include "stores/bloom_filter.hpp"
#include "stores/byte_codec.hpp"
#include "stores/customer_codec.hpp"
#include "stores/outcome_codec.hpp"
#include "stores/store_keys.hpp"
#include "stores/timer_codec.hpp"

namespace patron {

namespace {

constexpr unsigned kMaxDbs = 12;  // eight tables now, room for a few more
constexpr std::string_view kSchemaVersion = "1";
constexpr std::string_view kSchemaVersionKey = "schema_version";
constexpr std::string_view kNextOutcomeSeqKey = "next_outcome_seq";
constexpr std::string_view kNextTimerSeqKey = "next_timer_seq";
// The first key of the timers table in an empty batch: every key is at or after it.
constexpr TimerKey kFirstTimerKey{std::numeric_limits<TimePoint>::min(), 0};
// A long key keeps this many leading bytes before its hash (see the header).
constexpr size_t kLongKeyPrefix = 256;
using store_keys::kFieldSeparator;
using store_keys::StringMap;
using store_keys::StringSet;

Status LmdbError(std::string_view what, int rc) {
  std::string message = "lmdb " + std::string(what) + ": " + mdb_strerror(rc);
  if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
    return Status::Corruption(std::move(message));
  return Status::Io(std::move(message));
}

MDB_val ToVal(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view FromVal(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

struct EnvCloser {
  void operator()(MDB_env* env) const { mdb_env_close(env); }
};
using EnvPtr = std::unique_ptr<MDB_env, EnvCloser>;

// A transaction that aborts in its destructor unless committed.
class Txn {
 public:
  Txn() = default;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  int Begin(MDB_env* env, unsigned flags) { return mdb_txn_begin(env, nullptr, flags, &txn_); }
  MDB_txn* get() const { return txn_; }
  // LMDB frees the handle whatever the outcome.
  int Commit() { return mdb_txn_commit(std::exchange(txn_, nullptr)); }

 private:
  MDB_txn* txn_ = nullptr;
};

// The long-lived read transaction of the store: reset at each commit,
// renewed at the next read, so it always sees the last committed state.
class ReadSnapshot {
 public:
  ReadSnapshot() = default;
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() { Drop(); }

  int Ensure(MDB_env* env) {
    if (active_) return 0;
    int rc = txn_ == nullptr ? mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn_) : mdb_txn_renew(txn_);
    if (rc == 0) active_ = true;
    return rc;
  }
  void Reset() {
    if (active_) mdb_txn_reset(txn_);
    active_ = false;
  }
  void Drop() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    txn_ = nullptr;
    active_ = false;
  }
  MDB_txn* get() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
  bool active_ = false;
};

struct Tables {
  MDB_dbi customers = 0, identities = 0, processed = 0, keyed = 0, outcomes = 0, rule_stats = 0, meta = 0,
          timers = 0;
  bool has_timers = false;  // false in a read-only look at a store written before timers existed
};

int OpenTables(MDB_txn* txn, unsigned flags, Tables& t) {
  std::pair<const char*, MDB_dbi*> all[] = {{"customers", &t.customers},
                                            {"identities", &t.identities},
                                            {"processed", &t.processed},
                                            {"keyed", &t.keyed},
                                            {"outcomes", &t.outcomes},
                                            {"rule_stats", &t.rule_stats},
                                            {"meta", &t.meta}};
  for (auto& [name, dbi] : all) {
    int rc = mdb_dbi_open(txn, name, flags, dbi);
    if (rc != 0) return rc;
  }
  int rc = mdb_dbi_open(txn, "timers", flags, &t.timers);
  if (rc == MDB_NOTFOUND && (flags & MDB_CREATE) == 0) return 0;
  if (rc == 0) t.has_timers = true;
  return rc;
}

// Whether `key` is the long-key form StoreKey builds (prefix, NUL, 16 hex digits).
bool IsLongKeyForm(std::string_view key) {
  return key.size() == kLongKeyPrefix + 1 + 16 && key[kLongKeyPrefix] == '\0';
}

using CursorPtr = std::unique_ptr<MDB_cursor, void (*)(MDB_cursor*)>;

int OpenCursor(MDB_txn* txn, MDB_dbi dbi, CursorPtr& out) {
  MDB_cursor* raw = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &raw);
  if (rc == 0) out.reset(raw);
  return rc;
}

// What Commit() learns about the timers table, in its write transaction.
struct TimerTableState {
  uint64_t count = 0;
  std::optional<TimePoint> min_due;
};

// The entry count and the earliest due of the timers table as `txn` sees it.
Status ReadTimerTableState(MDB_txn* txn, MDB_dbi dbi, TimerTableState& out) {
  MDB_stat stat;
  int rc = mdb_stat(txn, dbi, &stat);
  if (rc != 0) return LmdbError("stat timers", rc);
  out.count = stat.ms_entries;
  out.min_due.reset();
  CursorPtr cursor(nullptr, mdb_cursor_close);
  if ((rc = OpenCursor(txn, dbi, cursor)) != 0) return LmdbError("cursor", rc);
  MDB_val k, v;
  rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  if (rc == MDB_NOTFOUND) return Status::Ok();
  if (rc != 0) return LmdbError("first timer", rc);
  TimerKey first;
  if (!DecodeTimerKey(FromVal(k), first).ok()) return Status::Corruption("timers: malformed key");
  out.min_due = first.due;
  return Status::Ok();
}

// `raw` when LMDB accepts it as a key, else its long-key form built in `buf`.
std::string_view StoreKey(std::string_view raw, size_t max_key, std::string& buf) {
  if (raw.size() <= max_key) return raw;
  buf.assign(raw.substr(0, kLongKeyPrefix));
  buf.push_back('\0');
  buf.append(Hex64(StableHash({raw})));
  return buf;
}

size_t RoundToPage(size_t size) {
  long page = sysconf(_SC_PAGESIZE);
  size_t p = page > 0 ? static_cast<size_t>(page) : 4096;
  return std::max(p, (size + p - 1) / p * p);
}

Result<EnvPtr> OpenReadOnlyEnv(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "data.mdb", ec))
    return Status::NotFound("no Patron store in " + dir);
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != 0) return LmdbError("env_create", rc);
  EnvPtr env(raw);
  if ((rc = mdb_env_set_maxdbs(env.get(), kMaxDbs)) != 0) return LmdbError("set_maxdbs", rc);
  if ((rc = mdb_env_open(env.get(), dir.c_str(), MDB_RDONLY | MDB_NOTLS, 0644)) != 0)
    return LmdbError("open " + dir, rc);
  return env;
}

// Get from a read-only transaction: nullopt when absent.
Result<std::optional<std::string_view>> GetIn(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
  if (key.empty()) return std::optional<std::string_view>();
  MDB_val k = ToVal(key), v;
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return LmdbError("get", rc);
  return std::optional<std::string_view>(FromVal(v));
}

}  // namespace

struct LmdbStateStore::Impl {
  struct CacheEntry {
    CustomerRecord record;   // in the map's node: its address is stable
    uint64_t last_used = 0;  // commit epoch of the last access, for eviction
    bool dirty = false;
  };
  using Cache = StringMap<CacheEntry>;
  using CacheNode = Cache::value_type;
  struct IdentityEntry {
    std::string customer_id;
    uint64_t last_used = 0;
  };

  LmdbStoreOptions options;
  EnvPtr env;
  Tables tables;
  size_t map_size = 0;
  size_t max_key = 0;
  ReadSnapshot snapshot;
  Status failed;  // ok until a commit fails
  uint64_t epoch = 0;
  uint64_t next_outcome_seq = 0;

  Cache cache;                                    // node addresses are stable across rehashing
  CacheNode* last = nullptr;                      // the last record handed out: MarkDirty's fast path
  std::vector<CacheNode*> dirty;                  // records to write at Commit()
  StringSet erased;                               // customer ids to delete at Commit()
  StringMap<std::string> identities;              // the batch's "<kind>:<value>" -> customer id
  StringMap<IdentityEntry> committed_identities;  // cache of the identities table
  StringSet processed;                            // the batch's "<source>\x1f<id>"
  BloomFilter processed_filter;                   // every processed key, committed or not
  StringMap<std::optional<RuleState>> keyed;      // big-endian rule_key + key; nullopt: deleted
  std::vector<Outcome> outcomes;
  StringMap<uint64_t> stats;  // "<rule>\x1f<kind>" -> increment

  // Timers. The batch keeps its puts, and the deletes of keys that may be
  // committed, apart, so that the earliest put is the first node.
  std::map<TimerKey, TimerRecord> timer_puts;
  std::set<TimerKey> timer_deletes;
  uint64_t next_timer_seq = 1;       // what NextTimerSeq hands out next
  uint64_t committed_timer_seq = 1;  // meta next_timer_seq: above the seq of every committed timer
  uint64_t committed_timers = 0;     // entries of the timers table
  // A lower bound of the due time of every committed timer the batch neither
  // replaces nor deletes; nullopt when there is none. It is what makes
  // "nothing due" cost no LMDB access.
  std::optional<TimePoint> committed_min_due;
  // Whether committed_min_due is that timer's due exactly (not just a bound):
  // then EarliestTimerDue() needs no read either.
  bool committed_min_exact = true;
  // Every committed timer key below this one is replaced or deleted by the
  // batch, so scans of the table start here (firing many due timers in one
  // batch then costs one step each, not a walk over those already done).
  TimerKey committed_scan_from = kFirstTimerKey;
  std::string timer_key_buf;  // scratch for encoded timer keys

  std::string key_buf;    // scratch for composed keys
  std::string long_buf;   // scratch for long-key forms
  std::string value_buf;  // scratch for encoded values

  Result<std::optional<std::string_view>> Get(MDB_dbi dbi, std::string_view raw_key) {
    int rc = snapshot.Ensure(env.get());
    if (rc != 0) return LmdbError("begin read", rc);
    return GetIn(snapshot.get(), dbi, StoreKey(raw_key, max_key, long_buf));
  }

  static uint64_t FilterHash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  // A filter for `capacity` keys holding every committed processed key (and
  // the batch's). Runs at open and whenever the filter fills up: the cost
  // of a scan is spread over as many MarkProcessed calls as the scan reads.
  Status RebuildProcessedFilter(size_t capacity) {
    int rc = snapshot.Ensure(env.get());
    if (rc != 0) return LmdbError("begin read", rc);
    MDB_stat stat;
    if ((rc = mdb_stat(snapshot.get(), tables.processed, &stat)) != 0) return LmdbError("stat processed", rc);
    BloomFilter filter(std::max<size_t>(capacity, 2 * (stat.ms_entries + processed.size())));
    MDB_cursor* raw_cursor = nullptr;
    if ((rc = mdb_cursor_open(snapshot.get(), tables.processed, &raw_cursor)) != 0)
      return LmdbError("cursor", rc);
    std::unique_ptr<MDB_cursor, void (*)(MDB_cursor*)> cursor(raw_cursor, mdb_cursor_close);
    MDB_val k, v;
    for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT))
      filter.Add(FilterHash(FromVal(k)));
    if (rc != MDB_NOTFOUND) return LmdbError("scan processed", rc);
    // A long key is filed under its hashed form; the filter holds raw keys.
    // Those few are looked up in the table whatever the filter says.
    for (const auto& key : processed) filter.Add(FilterHash(key));
    processed_filter = std::move(filter);
    return Status::Ok();
  }

  bool BatchEmpty() const {
    return dirty.empty() && erased.empty() && identities.empty() && processed.empty() && keyed.empty() &&
           outcomes.empty() && !TimersChanged() && next_timer_seq == committed_timer_seq;
  }

  bool TimersChanged() const { return !timer_puts.empty() || !timer_deletes.empty(); }

  // Whether a timer at `key` may be in the table. Timers armed since the
  // last commit have a seq at or above the committed counter, so they are
  // not: deleting them needs no tombstone and no read.
  bool MaybeCommitted(const TimerKey& key) const {
    return key.seq < committed_timer_seq || key.seq == std::numeric_limits<uint64_t>::max();
  }

  // The batch now replaces or deletes `key`, which may be committed.
  void Shadow(const TimerKey& key) {
    if (committed_min_due && key.due <= *committed_min_due) committed_min_exact = false;
  }

  bool Shadowed(const TimerKey& key) const {
    return timer_puts.find(key) != timer_puts.end() || timer_deletes.find(key) != timer_deletes.end();
  }

  // The first committed timer that the batch neither replaces nor deletes
  // (`key` nullopt when there is none), its value bytes in `value` (valid
  // until the snapshot is reset). Tightens committed_min_due on the way.
  Status FirstCommittedTimer(std::optional<TimerKey>& key, std::string_view& value) {
    key.reset();
    if (!committed_min_due) return Status::Ok();
    int rc = snapshot.Ensure(env.get());
    if (rc != 0) return LmdbError("begin read", rc);
    CursorPtr cursor(nullptr, mdb_cursor_close);
    if ((rc = OpenCursor(snapshot.get(), tables.timers, cursor)) != 0) return LmdbError("cursor", rc);
    timer_key_buf.clear();
    AppendTimerKey(timer_key_buf, committed_scan_from);
    MDB_val k = ToVal(timer_key_buf), v;
    for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
      TimerKey found;
      if (!DecodeTimerKey(FromVal(k), found).ok()) return Status::Corruption("timers: malformed key");
      if (Shadowed(found)) continue;
      committed_scan_from = found;
      committed_min_due = found.due;
      committed_min_exact = true;
      key = found;
      value = FromVal(v);
      return Status::Ok();
    }
    if (rc != MDB_NOTFOUND) return LmdbError("scan timers", rc);
    committed_min_due.reset();
    return Status::Ok();
  }

  // Whether the committed table holds `key` (for TimerCount only).
  Result<bool> TimerCommitted(const TimerKey& key) {
    int rc = snapshot.Ensure(env.get());
    if (rc != 0) return LmdbError("begin read", rc);
    timer_key_buf.clear();
    AppendTimerKey(timer_key_buf, key);
    auto found = GetIn(snapshot.get(), tables.timers, timer_key_buf);
    if (!found.ok()) return found.status();
    return found->has_value();
  }

  // The batch's keys in byte order: B-tree writes in key order touch each
  // page once, while it is hot.
  struct SortedBatch {
    std::vector<const std::string*> erased, processed;
    std::vector<const std::pair<const std::string, std::string>*> identities;
    std::vector<const std::pair<const std::string, std::optional<RuleState>>*> keyed;
  };
  SortedBatch SortBatch() {
    auto by_key = [](const auto* a, const auto* b) { return a->first < b->first; };
    auto by_value = [](const std::string* a, const std::string* b) { return *a < *b; };
    std::sort(dirty.begin(), dirty.end(), by_key);
    SortedBatch b;
    b.erased.reserve(erased.size());
    for (const auto& id : erased) b.erased.push_back(&id);
    std::sort(b.erased.begin(), b.erased.end(), by_value);
    b.processed.reserve(processed.size());
    for (const auto& key : processed) b.processed.push_back(&key);
    std::sort(b.processed.begin(), b.processed.end(), by_value);
    b.identities.reserve(identities.size());
    for (const auto& entry : identities) b.identities.push_back(&entry);
    std::sort(b.identities.begin(), b.identities.end(), by_key);
    b.keyed.reserve(keyed.size());
    for (const auto& entry : keyed) b.keyed.push_back(&entry);
    std::sort(b.keyed.begin(), b.keyed.end(), by_key);
    return b;
  }

  // One attempt at writing the whole batch. Returns the LMDB code; a
  // non-LMDB failure (corrupt stored stats) comes back in `error`.
  int WriteBatch(const SortedBatch& batch, Status& error) {
    Txn txn;
    int rc = txn.Begin(env.get(), 0);
    if (rc != 0) return rc;
    MDB_txn* t = txn.get();
    auto put = [&](MDB_dbi dbi, std::string_view raw_key, std::string_view value) {
      MDB_val k = ToVal(StoreKey(raw_key, max_key, long_buf)), v = ToVal(value);
      return mdb_put(t, dbi, &k, &v, 0);
    };
    for (const std::string* id : batch.erased) {
      MDB_val k = ToVal(StoreKey(*id, max_key, long_buf));
      rc = mdb_del(t, tables.customers, &k, nullptr);
      if (rc != 0 && rc != MDB_NOTFOUND) return rc;
    }
    for (CacheNode* node : dirty) {
      value_buf.clear();
      AppendEncodedCustomer(value_buf, node->second.record);
      if ((rc = put(tables.customers, node->first, value_buf)) != 0) return rc;
    }
    for (const auto* entry : batch.identities)
      if ((rc = put(tables.identities, entry->first, entry->second)) != 0) return rc;
    for (const std::string* key : batch.processed)
      if ((rc = put(tables.processed, *key, {})) != 0) return rc;
    for (const auto* entry : batch.keyed) {
      if (entry->second) {
        rc = put(tables.keyed, entry->first, EncodeRuleState(*entry->second));
      } else {
        MDB_val k = ToVal(StoreKey(entry->first, max_key, long_buf));
        rc = mdb_del(t, tables.keyed, &k, nullptr);
        if (rc == MDB_NOTFOUND) rc = 0;
      }
      if (rc != 0) return rc;
    }
    uint64_t seq = next_outcome_seq;
    for (const auto& outcome : outcomes) {
      key_buf.clear();
      codec::PutFixed64BigEndian(key_buf, seq++);
      if ((rc = put(tables.outcomes, key_buf, EncodeOutcome(outcome))) != 0) return rc;
    }
    for (const auto& [key, increment] : stats) {
      auto old = GetIn(t, tables.rule_stats, StoreKey(key, max_key, long_buf));
      if (!old.ok()) {
        error = old.status();
        return MDB_INCOMPATIBLE;
      }
      if (*old && (*old)->size() != 8) {
        error = Status::Corruption("rule_stats: malformed count");
        return MDB_INCOMPATIBLE;
      }
      uint64_t count = *old ? codec::GetFixed64BigEndian(**old) : 0;
      value_buf.clear();
      codec::PutFixed64BigEndian(value_buf, count + increment);
      if ((rc = put(tables.rule_stats, key, value_buf)) != 0) return rc;
    }
    if (!outcomes.empty()) {
      value_buf.clear();
      codec::PutFixed64BigEndian(value_buf, seq);
      if ((rc = put(tables.meta, kNextOutcomeSeqKey, value_buf)) != 0) return rc;
    }
    TimerTableState timer_state{committed_timers, committed_min_due};
    if (TimersChanged()) {
      if ((rc = WriteTimers(t)) != 0) return rc;
      if (Status st = ReadTimerTableState(t, tables.timers, timer_state); !st.ok()) {
        error = st;
        return MDB_INCOMPATIBLE;
      }
    }
    if (next_timer_seq != committed_timer_seq) {
      value_buf.clear();
      codec::PutFixed64BigEndian(value_buf, next_timer_seq);
      if ((rc = put(tables.meta, kNextTimerSeqKey, value_buf)) != 0) return rc;
    }
    if ((rc = txn.Commit()) != 0) return rc;
    next_outcome_seq = seq;
    committed_timer_seq = next_timer_seq;
    committed_timers = timer_state.count;
    committed_min_due = timer_state.min_due;
    committed_min_exact = true;  // no batch shadows the table any more
    return 0;
  }

  // The batch's timer deletes and puts, merged in key order.
  int WriteTimers(MDB_txn* t) {
    auto put = timer_puts.begin();
    auto del = timer_deletes.begin();
    while (put != timer_puts.end() || del != timer_deletes.end()) {
      bool take_put = del == timer_deletes.end() || (put != timer_puts.end() && put->first < *del);
      timer_key_buf.clear();
      AppendTimerKey(timer_key_buf, take_put ? put->first : *del);
      MDB_val k = ToVal(timer_key_buf);
      int rc;
      if (take_put) {
        value_buf = EncodeTimer(put->second);
        MDB_val v = ToVal(value_buf);
        rc = mdb_put(t, tables.timers, &k, &v, 0);
        ++put;
      } else {
        rc = mdb_del(t, tables.timers, &k, nullptr);
        if (rc == MDB_NOTFOUND) rc = 0;
        ++del;
      }
      if (rc != 0) return rc;
    }
    return 0;
  }

  // After a successful write: the batch becomes the committed state.
  void ClearBatch() {
    for (CacheNode* node : dirty) node->second.dirty = false;
    dirty.clear();
    last = nullptr;
    erased.clear();
    for (auto& [key, id] : identities) {
      IdentityEntry& entry = committed_identities[key];
      entry.customer_id = std::move(id);
      entry.last_used = epoch;
    }
    identities.clear();
    processed.clear();
    keyed.clear();
    outcomes.clear();
    stats.clear();
    timer_puts.clear();
    timer_deletes.clear();
    committed_scan_from = kFirstTimerKey;
  }

  // Drops the least recently used entries of `map` down to 3/4 of `limit`.
  template <typename Map>
  static void Evict(Map& map, size_t limit) {
    if (map.size() <= limit) return;
    size_t target = limit / 4 * 3;
    std::vector<std::pair<uint64_t, typename Map::iterator>> entries;
    entries.reserve(map.size());
    for (auto it = map.begin(); it != map.end(); ++it) entries.emplace_back(it->second.last_used, it);
    size_t drop = map.size() - target;
    std::nth_element(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(drop - 1), entries.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < drop; ++i) map.erase(entries[i].second);
  }
};

LmdbStateStore::LmdbStateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LmdbStateStore::~LmdbStateStore() = default;

Result<std::unique_ptr<LmdbStateStore>> LmdbStateStore::Open(const std::string& dir,
                                                             const LmdbStoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Io("cannot create " + dir + ": " + ec.message());
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != 0) return LmdbError("env_create", rc);
  impl->env.reset(raw);
  MDB_env* env = impl->env.get();
  size_t initial = RoundToPage(std::min(options.initial_map_size, std::max(options.max_map_size, size_t{1})));
  if ((rc = mdb_env_set_maxdbs(env, kMaxDbs)) != 0) return LmdbError("set_maxdbs", rc);
  if ((rc = mdb_env_set_mapsize(env, initial)) != 0) return LmdbError("set_mapsize", rc);
  unsigned flags =
      MDB_NOTLS | (options.sync_on_commit ? 0u : MDB_NOSYNC) | (options.write_map ? MDB_WRITEMAP : 0u);
  if ((rc = mdb_env_open(env, dir.c_str(), flags, 0644)) != 0) return LmdbError("open " + dir, rc);
  MDB_envinfo info;
  if ((rc = mdb_env_info(env, &info)) != 0) return LmdbError("env_info", rc);
  impl->map_size = info.me_mapsize;  // larger than asked when the file already is
  impl->max_key = static_cast<size_t>(mdb_env_get_maxkeysize(env));

  Txn txn;
  if ((rc = txn.Begin(env, 0)) != 0) return LmdbError("begin", rc);
  if ((rc = OpenTables(txn.get(), MDB_CREATE, impl->tables)) != 0) return LmdbError("open tables", rc);
  auto version = GetIn(txn.get(), impl->tables.meta, kSchemaVersionKey);
  if (!version.ok()) return version.status();
  if (!*version) {
    MDB_val k = ToVal(kSchemaVersionKey), v = ToVal(kSchemaVersion);
    if ((rc = mdb_put(txn.get(), impl->tables.meta, &k, &v, 0)) != 0) return LmdbError("put schema", rc);
  } else if (**version != kSchemaVersion) {
    return Status::Corruption("store in " + dir + " has schema version '" + std::string(**version) +
                              "', this build reads '" + std::string(kSchemaVersion) + "'");
  }
  auto seq = GetIn(txn.get(), impl->tables.meta, kNextOutcomeSeqKey);
  if (!seq.ok()) return seq.status();
  if (*seq) {
    if ((*seq)->size() != 8) return Status::Corruption("store in " + dir + ": bad next_outcome_seq");
    impl->next_outcome_seq = codec::GetFixed64BigEndian(**seq);
  }
  auto timer_seq = GetIn(txn.get(), impl->tables.meta, kNextTimerSeqKey);
  if (!timer_seq.ok()) return timer_seq.status();
  if (*timer_seq) {
    if ((*timer_seq)->size() != 8) return Status::Corruption("store in " + dir + ": bad next_timer_seq");
    impl->next_timer_seq = impl->committed_timer_seq = codec::GetFixed64BigEndian(**timer_seq);
  }
  TimerTableState timer_state;
  PATRON_RETURN_IF_ERROR(ReadTimerTableState(txn.get(), impl->tables.timers, timer_state));
  impl->committed_timers = timer_state.count;
  impl->committed_min_due = timer_state.min_due;
  if ((rc = txn.Commit()) != 0) return LmdbError("commit", rc);
  PATRON_RETURN_IF_ERROR(impl->RebuildProcessedFilter(options.expected_processed_events));
  return std::make_unique<LmdbStateStore>(std::move(impl));
}

Result<CustomerRecord*> LmdbStateStore::FindCustomer(std::string_view customer_id) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  if (auto it = s.cache.find(customer_id); it != s.cache.end()) {
    it->second.last_used = s.epoch;
    s.last = &*it;
    return &it->second.record;
  }
  CustomerRecord* none = nullptr;
  if (customer_id.empty() || (!s.erased.empty() && s.erased.find(customer_id) != s.erased.end())) return none;
  auto bytes = s.Get(s.tables.customers, customer_id);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) return none;
  auto [it, inserted] = s.cache.try_emplace(std::string(customer_id));
  Status st = DecodeCustomer(**bytes, it->second.record);
  if (!st.ok() || it->second.record.profile.id != customer_id) {
    s.cache.erase(it);
    if (!st.ok()) return Status::Corruption("customer " + std::string(customer_id) + ": " + st.message());
    return none;  // a long id whose hashed key collided
  }
  it->second.last_used = s.epoch;
  s.last = &*it;
  return &it->second.record;
}

Result<CustomerRecord*> LmdbStateStore::CreateCustomer(std::string_view customer_id) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  if (customer_id.empty()) return Status::Invalid("CreateCustomer: empty customer id");
  if (s.cache.find(customer_id) != s.cache.end())
    return Status::Invalid("CreateCustomer: customer " + std::string(customer_id) + " exists");
  if (auto e = s.erased.find(customer_id); e != s.erased.end()) {
    s.erased.erase(e);  // the new record overwrites the old row at Commit()
  } else {
    auto bytes = s.Get(s.tables.customers, customer_id);
    if (!bytes.ok()) return bytes.status();
    if (*bytes) return Status::Invalid("CreateCustomer: customer " + std::string(customer_id) + " exists");
  }
  auto [it, inserted] = s.cache.try_emplace(std::string(customer_id));
  it->second.record.profile.id = it->first;
  it->second.last_used = s.epoch;
  it->second.dirty = true;
  s.dirty.push_back(&*it);
  s.last = &*it;
  return &it->second.record;
}

void LmdbStateStore::MarkDirty(CustomerRecord* record) {
  Impl& s = *impl_;
  if (record == nullptr) return;
  Impl::CacheNode* node = s.last;
  if (node == nullptr || &node->second.record != record) {
    auto it = s.cache.find(record->profile.id);
    if (it == s.cache.end() || &it->second.record != record) return;
    node = &*it;
  }
  if (node->second.dirty) return;
  node->second.dirty = true;
  s.dirty.push_back(node);
}

Status LmdbStateStore::EraseCustomer(std::string_view customer_id) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  if (customer_id.empty()) return Status::Invalid("EraseCustomer: empty customer id");
  if (auto it = s.cache.find(customer_id); it != s.cache.end()) {
    if (it->second.dirty) std::erase(s.dirty, &*it);
    if (s.last == &*it) s.last = nullptr;
    s.cache.erase(it);
  }
  s.erased.emplace(customer_id);
  return Status::Ok();
}

Result<std::optional<std::string>> LmdbStateStore::FindIdentity(IdentityKind kind, std::string_view value) {
  Impl& s = *impl_;
  using Found = std::optional<std::string>;
  if (!s.failed.ok()) return s.failed;
  std::string_view key = store_keys::Identity(s.key_buf, kind, value);
  if (auto it = s.identities.find(key); it != s.identities.end()) return Found(it->second);
  if (auto it = s.committed_identities.find(key); it != s.committed_identities.end()) {
    it->second.last_used = s.epoch;
    return Found(it->second.customer_id);
  }
  auto id = s.Get(s.tables.identities, key);
  if (!id.ok()) return id.status();
  if (!*id) return Found();
  auto [it, inserted] = s.committed_identities.try_emplace(std::string(key));
  it->second.customer_id.assign(**id);
  it->second.last_used = s.epoch;
  return Found(it->second.customer_id);
}

Status LmdbStateStore::PutIdentity(IdentityKind kind, std::string_view value, std::string_view customer_id) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  if (value.empty() || customer_id.empty())
    return Status::Invalid("PutIdentity: empty identifier or customer id");
  store_keys::Upsert(s.identities, store_keys::Identity(s.key_buf, kind, value), customer_id);
  return Status::Ok();
}

Result<bool> LmdbStateStore::IsProcessed(std::string_view source, std::string_view id) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  std::string_view key = store_keys::Processed(s.key_buf, source, id);
  // Keys too long for LMDB are filed hashed; the filter does not vouch for them.
  if (key.size() <= s.max_key && !s.processed_filter.MayContain(Impl::FilterHash(key))) return false;
  if (s.processed.find(key) != s.processed.end()) return true;
  auto found = s.Get(s.tables.processed, key);
  if (!found.ok()) return found.status();
  return found->has_value();
}

Status LmdbStateStore::MarkProcessed(std::string_view source, std::string_view id) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  std::string_view key = store_keys::Processed(s.key_buf, source, id);
  if (!s.processed.emplace(key).second) return Status::Ok();
  s.processed_filter.Add(Impl::FilterHash(key));
  return Status::Ok();
}

Result<std::optional<RuleState>> LmdbStateStore::FindKeyedState(uint64_t rule_key, std::string_view key) {
  Impl& s = *impl_;
  using Found = std::optional<RuleState>;
  if (!s.failed.ok()) return s.failed;
  std::string_view full = store_keys::Keyed(s.key_buf, rule_key, key);
  if (auto it = s.keyed.find(full); it != s.keyed.end()) return Found(it->second);
  auto bytes = s.Get(s.tables.keyed, full);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) return Found();
  RuleState state;
  Status st = DecodeRuleState(**bytes, state);
  if (!st.ok()) return st;
  return Found(std::move(state));
}

Status LmdbStateStore::PutKeyedState(std::string_view key, const RuleState& state) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  store_keys::Upsert(s.keyed, store_keys::Keyed(s.key_buf, state.rule_key, key), state);
  return Status::Ok();
}

Status LmdbStateStore::DeleteKeyedState(uint64_t rule_key, std::string_view key) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  store_keys::Upsert(s.keyed, store_keys::Keyed(s.key_buf, rule_key, key), std::optional<RuleState>());
  return Status::Ok();
}

Status LmdbStateStore::RecordOutcome(const Outcome& outcome) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  s.outcomes.push_back(outcome);
  std::string_view key = store_keys::RuleStat(s.key_buf, outcome.rule, outcome.kind);
  if (auto it = s.stats.find(key); it != s.stats.end()) {
    ++it->second;
  } else {
    s.stats.emplace(std::string(key), 1);
  }
  return Status::Ok();
}

uint64_t LmdbStateStore::NextTimerSeq() {
  Impl& s = *impl_;
  // 2^64 armings do not happen; the counter saturates rather than wraps.
  if (s.next_timer_seq == std::numeric_limits<uint64_t>::max()) return s.next_timer_seq;
  return s.next_timer_seq++;
}

Status LmdbStateStore::PutTimer(const TimerRecord& timer) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  // Keep "every stored seq is below the counter" even for keys not from NextTimerSeq.
  if (timer.key.seq >= s.next_timer_seq)
    s.next_timer_seq =
        timer.key.seq == std::numeric_limits<uint64_t>::max() ? timer.key.seq : timer.key.seq + 1;
  if (s.MaybeCommitted(timer.key)) s.Shadow(timer.key);
  s.timer_deletes.erase(timer.key);
  s.timer_puts.insert_or_assign(timer.key, timer);
  return Status::Ok();
}

Status LmdbStateStore::DeleteTimer(const TimerKey& key) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  s.timer_puts.erase(key);
  if (s.MaybeCommitted(key)) {
    s.Shadow(key);
    s.timer_deletes.insert(key);
  }
  return Status::Ok();
}

Result<std::optional<TimerRecord>> LmdbStateStore::NextDueTimer(TimePoint up_to) {
  Impl& s = *impl_;
  using Found = std::optional<TimerRecord>;
  if (!s.failed.ok()) return s.failed;
  const TimerRecord* put = nullptr;
  if (!s.timer_puts.empty() && s.timer_puts.begin()->first.due <= up_to) put = &s.timer_puts.begin()->second;
  if (s.committed_min_due && *s.committed_min_due <= up_to) {
    std::optional<TimerKey> key;
    std::string_view value;
    PATRON_RETURN_IF_ERROR(s.FirstCommittedTimer(key, value));
    if (key && key->due <= up_to && (put == nullptr || *key < put->key)) {
      TimerRecord timer;
      Status st = DecodeTimer(value, *key, timer);
      if (!st.ok()) return st;
      return Found(std::move(timer));
    }
  }
  if (put != nullptr) return Found(*put);
  return Found();
}

Result<std::optional<TimePoint>> LmdbStateStore::EarliestTimerDue() {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  std::optional<TimePoint> earliest;
  if (!s.timer_puts.empty()) earliest = s.timer_puts.begin()->first.due;
  if (s.committed_min_due && (!earliest || *s.committed_min_due < *earliest)) {
    if (s.committed_min_exact) return s.committed_min_due;
    std::optional<TimerKey> key;
    std::string_view value;
    PATRON_RETURN_IF_ERROR(s.FirstCommittedTimer(key, value));
    if (key && (!earliest || key->due < *earliest)) earliest = key->due;
  }
  return earliest;
}

Result<uint64_t> LmdbStateStore::TimerCount() {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  uint64_t count = s.committed_timers;
  for (const auto& [key, timer] : s.timer_puts) {
    bool committed = false;
    if (s.MaybeCommitted(key)) {
      auto found = s.TimerCommitted(key);
      if (!found.ok()) return found.status();
      committed = *found;
    }
    if (!committed) ++count;
  }
  for (const TimerKey& key : s.timer_deletes) {
    auto found = s.TimerCommitted(key);
    if (!found.ok()) return found.status();
    if (*found) --count;
  }
  return count;
}

Status LmdbStateStore::ListCustomerIds(std::string_view after, size_t max, std::vector<std::string>& out) {
  Impl& s = *impl_;
  if (!s.failed.ok()) {
    out.clear();
    return s.failed;
  }
  int rc = s.snapshot.Ensure(s.env.get());
  if (rc != 0) {
    out.clear();
    return LmdbError("begin read", rc);
  }
  CursorPtr cursor(nullptr, mdb_cursor_close);
  if ((rc = OpenCursor(s.snapshot.get(), s.tables.customers, cursor)) != 0) {
    out.clear();
    return LmdbError("cursor", rc);
  }
  MDB_val k, v;
  if (after.empty()) {
    rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  } else {
    // `after` may live in `out`: position the cursor before clearing it.
    std::string_view stored_after = StoreKey(after, s.max_key, s.long_buf);
    k = ToVal(stored_after);
    rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE);
    if (rc == 0 && FromVal(k) == stored_after) rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT);
  }
  out.clear();
  for (; rc == 0 && out.size() < max; rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = FromVal(k);
    if (!IsLongKeyForm(key)) {
      out.emplace_back(key);
      continue;
    }
    // A long id is filed hashed: the record (version byte, then the id) has it.
    codec::ByteReader r(FromVal(v));
    uint8_t version;
    if (!r.GetByte(version) || !r.GetString(out.emplace_back()))
      return Status::Corruption("customers: malformed record under a long key");
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("scan customers", rc);
  return Status::Ok();
}

Status LmdbStateStore::Commit() {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  s.snapshot.Reset();
  if (!s.BatchEmpty()) {
    const Impl::SortedBatch batch = s.SortBatch();
    for (;;) {
      Status error;
      int rc = s.WriteBatch(batch, error);
      if (rc == 0) break;
      if (rc == MDB_MAP_FULL && s.map_size < s.options.max_map_size) {
        // Grow the map and retry the whole batch; no transaction may be open.
        s.snapshot.Drop();
        size_t grown = std::min(s.options.max_map_size, s.map_size * 2);
        int set_rc = mdb_env_set_mapsize(s.env.get(), grown);
        if (set_rc != 0) {
          s.failed = LmdbError("grow map", set_rc);
          return s.failed;
        }
        s.map_size = grown;
        continue;
      }
      s.failed = error.ok() ? LmdbError("commit", rc) : error;
      return s.failed;
    }
  }
  s.ClearBatch();
  ++s.epoch;
  Impl::Evict(s.cache, s.options.max_cached_customers);
  Impl::Evict(s.committed_identities, s.options.max_cached_identities);
  if (s.processed_filter.count() > s.processed_filter.capacity()) {
    // The batch is durable already; if the scan fails, the full filter is
    // still correct (only less selective), so it is kept.
    (void)s.RebuildProcessedFilter(2 * s.processed_filter.capacity());
  }
  return Status::Ok();
}

size_t LmdbStateStore::cached_customers() const { return impl_->cache.size(); }
size_t LmdbStateStore::map_size() const { return impl_->map_size; }
uint64_t LmdbStateStore::commits() const { return impl_->epoch; }

Result<std::optional<CustomerRecord>> LmdbStateStore::LookupCustomer(const std::string& dir,
                                                                     std::string_view phone_or_id) {
  using Found = std::optional<CustomerRecord>;
  auto env = OpenReadOnlyEnv(dir);
  if (!env.ok()) return env.status();
  Txn txn;
  int rc = txn.Begin(env->get(), MDB_RDONLY);
  if (rc != 0) return LmdbError("begin read", rc);
  Tables t;
  if ((rc = OpenTables(txn.get(), 0, t)) != 0) {
    if (rc == MDB_NOTFOUND) return Found();
    return LmdbError("open tables", rc);
  }
  size_t max_key = static_cast<size_t>(mdb_env_get_maxkeysize(env->get()));
  std::string long_buf;
  auto load = [&](std::string_view id) -> Result<Found> {
    auto bytes = GetIn(txn.get(), t.customers, StoreKey(id, max_key, long_buf));
    if (!bytes.ok()) return bytes.status();
    if (!*bytes) return Found();
    CustomerRecord record;
    Status st = DecodeCustomer(**bytes, record);
    if (!st.ok()) return st;
    if (record.profile.id != id) return Found();
    return Found(std::move(record));
  };
  auto via_identity = [&](IdentityKind kind, std::string_view value) -> Result<Found> {
    if (value.empty()) return Found();
    std::string key = std::string(IdentityKindName(kind)) + ":" + std::string(value);
    auto id = GetIn(txn.get(), t.identities, StoreKey(key, max_key, long_buf));
    if (!id.ok()) return id.status();
    if (!*id) return Found();
    return load(std::string(**id));
  };

  auto direct = load(phone_or_id);
  if (!direct.ok() || *direct) return direct;
  auto by_phone = via_identity(IdentityKind::kPhone, NormalisePhone(phone_or_id));
  if (!by_phone.ok() || *by_phone) return by_phone;
  for (size_t k = 0; k < kIdentityKindCount; ++k) {
    auto kind = static_cast<IdentityKind>(k);
    if (kind == IdentityKind::kPhone) continue;
    auto found = via_identity(kind, phone_or_id);
    if (!found.ok() || *found) return found;
  }
  return Found();
}

Result<std::map<std::string, std::map<std::string, uint64_t>>> LmdbStateStore::ReadRuleStats(
    const std::string& dir) {
  std::map<std::string, std::map<std::string, uint64_t>> stats;
  auto env = OpenReadOnlyEnv(dir);
  if (!env.ok()) return env.status();
  Txn txn;
  int rc = txn.Begin(env->get(), MDB_RDONLY);
  if (rc != 0) return LmdbError("begin read", rc);
  MDB_dbi dbi;
  if ((rc = mdb_dbi_open(txn.get(), "rule_stats", 0, &dbi)) != 0) {
    if (rc == MDB_NOTFOUND) return stats;
    return LmdbError("open rule_stats", rc);
  }
  MDB_cursor* raw_cursor = nullptr;
  if ((rc = mdb_cursor_open(txn.get(), dbi, &raw_cursor)) != 0) return LmdbError("cursor", rc);
  std::unique_ptr<MDB_cursor, void (*)(MDB_cursor*)> cursor(raw_cursor, mdb_cursor_close);
  MDB_val k, v;
  for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    std::string_view key = FromVal(k);
    size_t sep = key.rfind(kFieldSeparator);
    if (sep == std::string_view::npos || v.mv_size != 8)
      return Status::Corruption("rule_stats: malformed entry");
    stats[std::string(key.substr(0, sep))][std::string(key.substr(sep + 1))] =
        codec::GetFixed64BigEndian(FromVal(v));
  }
  if (rc != MDB_NOTFOUND) return LmdbError("scan rule_stats", rc);
  return stats;
}

}  // namespace patron
