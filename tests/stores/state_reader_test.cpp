// StateReader over directories written by LmdbStateStore (the customer and
// rule look-ups themselves are in lmdb_state_store_test.cpp).

#include "stores/state_reader.hpp"

#include <lmdb.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "stores/lmdb_state_store.hpp"
#include "tests/stores/lmdb_test_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron {
namespace {

using testing::OpenStore;

std::unique_ptr<StateReader> OpenReader(const testing::TempDir& dir) {
  auto reader = StateReader::Open(dir.str());
  INFO(reader.status().ToString());
  REQUIRE(reader.ok());
  return std::move(reader).value();
}

std::string FileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes a store with one customer (phone 13800138000) and one outcome.
void WriteStore(const testing::TempDir& dir) {
  auto store = OpenStore(dir);
  CustomerRecord* c = *store->CreateCustomer("c-1");
  c->profile.orders = 4;
  REQUIRE(store->PutIdentity(IdentityKind::kPhone, "13800138000", "c-1").ok());
  Outcome o;
  o.rule = "welcome";
  o.customer_id = "c-1";
  REQUIRE(store->RecordOutcome(o).ok());
  REQUIRE(store->Commit().ok());
}

TEST_CASE("StateReader: one reader answers many calls and writes nothing") {
  testing::TempDir dir;
  WriteStore(dir);
  const std::string before = FileBytes(dir.path() / "data.mdb");
  {
    auto reader = OpenReader(dir);
    for (int i = 0; i < 3; ++i) {
      auto found = reader->LookupCustomer("13800138000");
      REQUIRE(found.ok());
      REQUIRE(found->has_value());
      CHECK((*found)->profile.orders == 4);
      auto stats = reader->ReadRuleStats();
      REQUIRE(stats.ok());
      CHECK(*stats == RuleStats{{"welcome", {{"fired", 1}}}});
    }
  }
  CHECK(FileBytes(dir.path() / "data.mdb") == before);
  // The writer opens the directory again after the reader closed.
  CHECK(OpenStore(dir)->FindCustomer("c-1").ok());
}

TEST_CASE("StateReader: a directory without a store is NotFound") {
  testing::TempDir dir;
  CHECK(StateReader::Open(dir.str()).status().code() == StatusCode::kNotFound);
  CHECK(StateReader::Open((dir.path() / "missing").string()).status().code() == StatusCode::kNotFound);
}

TEST_CASE("StateReader: a store without tables (another LMDB file) has no customers and no stats") {
  testing::TempDir dir;
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  REQUIRE(mdb_env_open(env, dir.str().c_str(), 0, 0644) == 0);
  mdb_env_close(env);
  auto reader = OpenReader(dir);
  auto found = reader->LookupCustomer("c-1");
  REQUIRE(found.ok());
  CHECK_FALSE(found->has_value());
  auto stats = reader->ReadRuleStats();
  REQUIRE(stats.ok());
  CHECK(stats->empty());
}

TEST_CASE("StateReader: a malformed count or record is Corruption") {
  testing::TempDir dir;
  WriteStore(dir);
  {
    testing::RawTables raw(dir);
    raw.Put("rule_stats", "no-sep!", "abc");
    raw.Put("customers", "c-1", "\x01\x09");  // an id of 9 bytes, none present
    raw.Commit();
  }
  auto reader = OpenReader(dir);
  CHECK(reader->ReadRuleStats().status().code() == StatusCode::kCorruption);
  CHECK(reader->LookupCustomer("c-1").status().code() == StatusCode::kCorruption);
}

TEST_CASE("StateReader: an id too long for an LMDB key is found, directly and by identity") {
  testing::TempDir dir;
  const std::string long_id(1000, 'z');
  {
    auto store = OpenStore(dir);
    (*store->CreateCustomer(long_id))->profile.orders = 2;
    REQUIRE(store->PutIdentity(IdentityKind::kOpenid, "o-long", long_id).ok());
    REQUIRE(store->Commit().ok());
  }
  auto reader = OpenReader(dir);
  for (const std::string& query : {long_id, std::string("o-long")}) {
    auto found = reader->LookupCustomer(query);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->profile.id == long_id);
  }
  auto other = reader->LookupCustomer(long_id + "x");
  REQUIRE(other.ok());
  CHECK_FALSE(other->has_value());
}

}  // namespace
}  // namespace patron
