// stores/internal/lmdb_env.hpp and stored_key.hpp: the RAII layer over LMDB
// (a real environment in a temporary directory) and the stored form of keys.

#include "stores/internal/lmdb_env.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "stores/internal/stored_key.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron {
namespace {

// An open environment with one named table "t" in `dir`.
struct TestEnv {
  explicit TestEnv(const testing::TempDir& dir) {
    auto created = lmdb::CreateEnv(2);
    REQUIRE(created.ok());
    env = std::move(created).value();
    REQUIRE(mdb_env_open(env.get(), dir.str().c_str(), MDB_NOTLS | MDB_NOSYNC, 0644) == 0);
    lmdb::Txn txn;
    REQUIRE(txn.Begin(env.get(), 0) == 0);
    REQUIRE(mdb_dbi_open(txn.get(), "t", MDB_CREATE, &dbi) == 0);
    REQUIRE(txn.Commit() == 0);
  }
  void Put(lmdb::Txn& txn, std::string_view key, std::string_view value) {
    MDB_val k = lmdb::ToVal(key), v = lmdb::ToVal(value);
    REQUIRE(mdb_put(txn.get(), dbi, &k, &v, 0) == 0);
  }
  lmdb::EnvPtr env;
  MDB_dbi dbi = 0;
};

TEST_CASE("lmdb::Txn: aborts in its destructor unless committed") {
  testing::TempDir dir;
  TestEnv e(dir);
  {
    lmdb::Txn txn;
    REQUIRE(txn.Begin(e.env.get(), 0) == 0);
    e.Put(txn, "dropped", "1");
  }
  {
    lmdb::Txn txn;
    REQUIRE(txn.Begin(e.env.get(), 0) == 0);
    e.Put(txn, "kept", "2");
    REQUIRE(txn.Commit() == 0);
    CHECK(txn.get() == nullptr);
  }
  lmdb::Txn read;
  REQUIRE(read.Begin(e.env.get(), MDB_RDONLY) == 0);
  CHECK(lmdb::Get(read.get(), e.dbi, "dropped")->has_value() == false);
  CHECK(*lmdb::Get(read.get(), e.dbi, "kept") == std::optional<std::string_view>("2"));
  CHECK(lmdb::Get(read.get(), e.dbi, "")->has_value() == false);  // an empty key is never stored
}

TEST_CASE("lmdb::ReadSnapshot: sees the last commit once reset, keeps its view until then") {
  testing::TempDir dir;
  TestEnv e(dir);
  lmdb::ReadSnapshot snapshot(e.env.get(), static_cast<size_t>(mdb_env_get_maxkeysize(e.env.get())));
  CHECK_FALSE(snapshot.Get(e.dbi, "k")->has_value());
  {
    lmdb::Txn txn;
    REQUIRE(txn.Begin(e.env.get(), 0) == 0);
    e.Put(txn, "k", "v1");
    REQUIRE(txn.Commit() == 0);
  }
  CHECK_FALSE(snapshot.Get(e.dbi, "k")->has_value());  // still the old snapshot
  snapshot.Reset();
  CHECK(*snapshot.Get(e.dbi, "k") == std::optional<std::string_view>("v1"));
  snapshot.Drop();
  CHECK(*snapshot.Get(e.dbi, "k") == std::optional<std::string_view>("v1"));  // begins a new one
}

TEST_CASE("lmdb::ReadSnapshot: looks a long key up in its stored form") {
  testing::TempDir dir;
  TestEnv e(dir);
  const size_t max_key = static_cast<size_t>(mdb_env_get_maxkeysize(e.env.get()));
  const std::string long_key(max_key + 1, 'k');
  std::string buf;
  {
    lmdb::Txn txn;
    REQUIRE(txn.Begin(e.env.get(), 0) == 0);
    e.Put(txn, stored_key::Of(long_key, max_key, buf), "long");
    REQUIRE(txn.Commit() == 0);
  }
  lmdb::ReadSnapshot snapshot(e.env.get(), max_key);
  CHECK(*snapshot.Get(e.dbi, long_key) == std::optional<std::string_view>("long"));
}

TEST_CASE("stored_key: short keys stay, long ones become prefix, NUL and hash") {
  std::string buf;
  CHECK(stored_key::Of("abc", 511, buf) == "abc");
  const std::string at_limit(511, 'a');
  CHECK(stored_key::Of(at_limit, 511, buf) == at_limit);
  const std::string long_key(2000, 'a');
  const std::string stored(stored_key::Of(long_key, 511, buf));
  CHECK(stored.size() == stored_key::kLongKeyPrefix + 1 + 16);
  CHECK(stored.substr(0, stored_key::kLongKeyPrefix) == long_key.substr(0, stored_key::kLongKeyPrefix));
  CHECK(stored_key::IsLongForm(stored));
  CHECK_FALSE(stored_key::IsLongForm(at_limit));
  // Another key with the same prefix has another hash.
  CHECK(std::string(stored_key::Of(long_key + "b", 511, buf)) != stored);
  CHECK(std::string(stored_key::Of(long_key, 511, buf)) == stored);  // stable
}

TEST_CASE("lmdb::Error: damage is Corruption, the rest IoError") {
  CHECK(lmdb::Error("get", MDB_CORRUPTED).code() == StatusCode::kCorruption);
  CHECK(lmdb::Error("open", MDB_VERSION_MISMATCH).code() == StatusCode::kCorruption);
  Status full = lmdb::Error("commit", MDB_MAP_FULL);
  CHECK(full.code() == StatusCode::kIoError);
  CHECK(full.message().rfind("lmdb commit: ", 0) == 0);
}

}  // namespace
}  // namespace patron
