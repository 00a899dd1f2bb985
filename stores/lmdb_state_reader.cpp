// StateReader over LMDB: the environment opened with MDB_RDONLY once, and one
// read transaction per call.

#include <utility>

#include "base/phone.hpp"
#include "stores/byte_codec.hpp"
#include "stores/customer_codec.hpp"
#include "stores/internal/lmdb_env.hpp"
#include "stores/internal/schema.hpp"
#include "stores/internal/store_keys.hpp"
#include "stores/internal/stored_key.hpp"
#include "stores/state_reader.hpp"

namespace patron {

namespace {

class LmdbStateReader final : public StateReader {
 public:
  explicit LmdbStateReader(lmdb::EnvPtr env)
      : env_(std::move(env)), max_key_(static_cast<size_t>(mdb_env_get_maxkeysize(env_.get()))) {}

  Result<std::optional<CustomerRecord>> LookupCustomer(std::string_view phone_or_id) override {
    using Found = std::optional<CustomerRecord>;
    lmdb::Txn txn;
    int rc = BeginRead(txn);
    if (rc != 0) return lmdb::Error("begin read", rc);
    schema::Tables t;
    if ((rc = schema::OpenTables(txn.get(), 0, t)) != 0) {
      if (rc == MDB_NOTFOUND) return Found();
      return lmdb::Error("open tables", rc);
    }
    auto load = [&](std::string_view id) -> Result<Found> {
      auto bytes = lmdb::Get(txn.get(), t.customers, stored_key::Of(id, max_key_, long_buf_));
      if (!bytes.ok()) return bytes.status();
      if (!*bytes) return Found();
      CustomerRecord record;
      Status st = DecodeCustomer(**bytes, record);
      if (!st.ok()) return st;
      if (record.profile.id != id) return Found();  // a long id whose hashed key collided
      return Found(std::move(record));
    };
    auto via_identity = [&](IdentityKind kind, std::string_view value) -> Result<Found> {
      if (value.empty()) return Found();
      std::string_view key = store_keys::Identity(key_buf_, kind, value);
      auto id = lmdb::Get(txn.get(), t.identities, stored_key::Of(key, max_key_, long_buf_));
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

  Result<RuleStats> ReadRuleStats() override {
    RuleStats stats;
    lmdb::Txn txn;
    int rc = BeginRead(txn);
    if (rc != 0) return lmdb::Error("begin read", rc);
    MDB_dbi dbi;
    if ((rc = mdb_dbi_open(txn.get(), "rule_stats", 0, &dbi)) != 0) {
      if (rc == MDB_NOTFOUND) return stats;
      return lmdb::Error("open rule_stats", rc);
    }
    lmdb::CursorPtr cursor;
    if ((rc = lmdb::OpenCursor(txn.get(), dbi, cursor)) != 0) return lmdb::Error("cursor", rc);
    MDB_val k, v;
    for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
      std::string_view key = lmdb::FromVal(k);
      size_t sep = key.rfind(store_keys::kFieldSeparator);
      if (sep == std::string_view::npos || v.mv_size != 8)
        return Status::Corruption("rule_stats: malformed entry");
      stats[std::string(key.substr(0, sep))][std::string(key.substr(sep + 1))] =
          codec::GetFixed64BigEndian(lmdb::FromVal(v));
    }
    if (rc != MDB_NOTFOUND) return lmdb::Error("scan rule_stats", rc);
    return stats;
  }

 private:
  // Begins a read transaction of the last commit. A writer may have grown
  // the map since the environment was opened: adopt its size and retry.
  int BeginRead(lmdb::Txn& txn) {
    int rc = txn.Begin(env_.get(), MDB_RDONLY);
    if (rc != MDB_MAP_RESIZED) return rc;
    if ((rc = mdb_env_set_mapsize(env_.get(), 0)) != 0) return rc;
    return txn.Begin(env_.get(), MDB_RDONLY);
  }

  lmdb::EnvPtr env_;
  size_t max_key_;
  std::string key_buf_;   // scratch for identity keys
  std::string long_buf_;  // scratch for long-key forms
};

}  // namespace

Result<std::unique_ptr<StateReader>> StateReader::Open(const std::string& dir) {
  auto env = lmdb::OpenReadOnlyEnv(dir, schema::kMaxDbs);
  if (!env.ok()) return env.status();
  return std::unique_ptr<StateReader>(std::make_unique<LmdbStateReader>(std::move(env).value()));
}

}  // namespace patron
