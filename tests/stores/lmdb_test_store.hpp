#pragma once
// Helpers of the LMDB store tests: a throwaway LmdbStateStore in a temporary
// directory, and direct writes into the tables of a closed store (to plant
// damage, or to make it look like one written by an older build).

#include <catch2/catch.hpp>

#include <memory>
#include <string_view>

#include "stores/internal/lmdb_env.hpp"
#include "stores/lmdb_state_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {

// The store in `dir` (created when missing), without fsync.
inline std::unique_ptr<LmdbStateStore> OpenStore(const TempDir& dir, LmdbStoreOptions options = {}) {
  options.sync_on_commit = false;  // throwaway data
  auto store = LmdbStateStore::Open(dir.str(), options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

// One write transaction on the closed store in `dir`, bypassing
// LmdbStateStore; nothing is written unless Commit() is called. The store
// must not be open in this process meanwhile.
class RawTables {
 public:
  explicit RawTables(const TempDir& dir) {
    auto env = lmdb::CreateEnv(16);
    REQUIRE(env.ok());
    env_ = std::move(env).value();
    REQUIRE(mdb_env_open(env_.get(), dir.str().c_str(), 0, 0644) == 0);
    REQUIRE(txn_.Begin(env_.get(), 0) == 0);
  }
  // The table `name`; MDB_NOTFOUND fails the test unless `create`.
  MDB_dbi Table(const char* name, bool create = false) {
    MDB_dbi dbi;
    REQUIRE(mdb_dbi_open(txn_.get(), name, create ? MDB_CREATE : 0, &dbi) == 0);
    return dbi;
  }
  // Whether the table `name` exists.
  bool HasTable(const char* name) {
    MDB_dbi dbi;
    return mdb_dbi_open(txn_.get(), name, 0, &dbi) == 0;
  }
  void Put(const char* table, std::string_view key, std::string_view value) {
    MDB_val k = lmdb::ToVal(key), v = lmdb::ToVal(value);
    REQUIRE(mdb_put(txn_.get(), Table(table), &k, &v, 0) == 0);
  }
  void Delete(const char* table, std::string_view key) {
    MDB_val k = lmdb::ToVal(key);
    REQUIRE(mdb_del(txn_.get(), Table(table), &k, nullptr) == 0);
  }
  // Deletes the table itself (as a store from before it existed).
  void Drop(const char* table) { REQUIRE(mdb_drop(txn_.get(), Table(table), 1) == 0); }
  void Commit() { REQUIRE(txn_.Commit() == 0); }

 private:
  lmdb::EnvPtr env_;
  lmdb::Txn txn_;  // declared after env_: ends before the environment closes
};

// Writes `value` under `key` in `table` of the closed store in `dir`.
inline void PutRaw(const TempDir& dir, const char* table, std::string_view key, std::string_view value) {
  RawTables raw(dir);
  raw.Put(table, key, value);
  raw.Commit();
}

}  // namespace patron::testing
