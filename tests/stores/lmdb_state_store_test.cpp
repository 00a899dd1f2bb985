#include "stores/lmdb_state_store.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "base/stable_hash.hpp"
#include "stores/outcome_codec.hpp"
#include "stores/state_reader.hpp"
#include "tests/stores/lmdb_test_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron {
namespace {

using testing::OpenStore;
using testing::PutRaw;

CustomerRecord* Create(LmdbStateStore& store, std::string_view id) {
  auto r = store.CreateCustomer(id);
  REQUIRE(r.ok());
  REQUIRE(*r != nullptr);
  return *r;
}

CustomerRecord* Find(LmdbStateStore& store, std::string_view id) {
  auto r = store.FindCustomer(id);
  REQUIRE(r.ok());
  return *r;
}

// The look-ups of a StateReader opened for the call (the reader closes
// before the store in `dir` may open again).
Result<std::optional<CustomerRecord>> LookupCustomer(const testing::TempDir& dir, std::string_view query) {
  auto reader = StateReader::Open(dir.str());
  if (!reader.ok()) return reader.status();
  return (*reader)->LookupCustomer(query);
}

Result<RuleStats> ReadRuleStats(const testing::TempDir& dir) {
  auto reader = StateReader::Open(dir.str());
  if (!reader.ok()) return reader.status();
  return (*reader)->ReadRuleStats();
}

TEST_CASE("LmdbStateStore: a committed customer persists across reopen") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    CustomerRecord* c = Create(*store, "c-1");
    c->profile.name = "Li Lei";
    c->profile.orders = 3;
    c->profile.spent = Decimal::FromInt(500);
    c->profile.tags = {"vip"};
    c->StateOf(42).count = 7;
    store->MarkDirty(c);
    REQUIRE(store->PutIdentity(IdentityKind::kPhone, "13800138000", "c-1").ok());
    REQUIRE(store->MarkProcessed("pos/s012", "e-1", 0).ok());
    REQUIRE(store->Commit().ok());
  }
  auto store = OpenStore(dir);
  CustomerRecord* c = Find(*store, "c-1");
  REQUIRE(c != nullptr);
  CHECK(c->profile.id == "c-1");
  CHECK(c->profile.name == "Li Lei");
  CHECK(c->profile.orders == 3);
  CHECK(c->profile.spent == Decimal::FromInt(500));
  CHECK(c->profile.tags == std::vector<std::string>{"vip"});
  REQUIRE(c->FindState(42) != nullptr);
  CHECK(c->FindState(42)->count == 7);
  auto id = store->FindIdentity(IdentityKind::kPhone, "13800138000");
  REQUIRE(id.ok());
  CHECK(*id == std::optional<std::string>("c-1"));
  auto processed = store->IsProcessed("pos/s012", "e-1");
  REQUIRE(processed.ok());
  CHECK(*processed);
  CHECK_FALSE(*store->IsProcessed("pos/s012", "e-2"));
  CHECK_FALSE(*store->IsProcessed("pos/s01", "2e-1"));
}

TEST_CASE("LmdbStateStore: an uncommitted batch is gone after reopen") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    Create(*store, "c-1");
    REQUIRE(store->PutIdentity(IdentityKind::kOpenid, "oAbc", "c-1").ok());
    REQUIRE(store->MarkProcessed("pos", "e-1", 0).ok());
    RuleState keyed;
    keyed.rule_key = 9;
    keyed.count = 1;
    REQUIRE(store->PutKeyedState("sku-1", keyed).ok());
  }
  auto store = OpenStore(dir);
  CHECK(Find(*store, "c-1") == nullptr);
  CHECK_FALSE(store->FindIdentity(IdentityKind::kOpenid, "oAbc")->has_value());
  CHECK_FALSE(*store->IsProcessed("pos", "e-1"));
  CHECK_FALSE(store->FindKeyedState(9, "sku-1")->has_value());
}

TEST_CASE("LmdbStateStore: lookups see the open batch") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  CustomerRecord* c = Create(*store, "c-1");
  CHECK(Find(*store, "c-1") == c);  // one cached record, same pointer
  CHECK_FALSE(store->CreateCustomer("c-1").ok());

  REQUIRE(store->PutIdentity(IdentityKind::kPhone, "13800138000", "c-1").ok());
  CHECK(*store->FindIdentity(IdentityKind::kPhone, "13800138000") == std::optional<std::string>("c-1"));
  CHECK_FALSE(store->FindIdentity(IdentityKind::kOpenid, "13800138000")->has_value());
  REQUIRE(store->PutIdentity(IdentityKind::kPhone, "13800138000", "c-2").ok());  // re-pointed by a merge
  CHECK(*store->FindIdentity(IdentityKind::kPhone, "13800138000") == std::optional<std::string>("c-2"));

  CHECK_FALSE(*store->IsProcessed("pos", "e-1"));
  REQUIRE(store->MarkProcessed("pos", "e-1", 0).ok());
  CHECK(*store->IsProcessed("pos", "e-1"));

  RuleState keyed;
  keyed.rule_key = 77;
  keyed.firings = {10, 20};
  REQUIRE(store->PutKeyedState("sku-1", keyed).ok());
  auto found = store->FindKeyedState(77, "sku-1");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->firings == std::vector<TimePoint>{10, 20});
  CHECK_FALSE(store->FindKeyedState(78, "sku-1")->has_value());

  REQUIRE(store->Commit().ok());
  CHECK(*store->FindIdentity(IdentityKind::kPhone, "13800138000") == std::optional<std::string>("c-2"));
  CHECK(*store->IsProcessed("pos", "e-1"));
  CHECK((*store->FindKeyedState(77, "sku-1"))->firings == std::vector<TimePoint>{10, 20});
}

TEST_CASE("LmdbStateStore: erase removes the customer from cache and disk") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    Create(*store, "c-1");
    Create(*store, "c-2");
    REQUIRE(store->Commit().ok());
    REQUIRE(store->EraseCustomer("c-2").ok());
    CHECK(Find(*store, "c-2") == nullptr);
    CHECK(Find(*store, "c-1") != nullptr);
    REQUIRE(store->Commit().ok());
    CHECK(Find(*store, "c-2") == nullptr);
    // Erase then create again in one batch: the new record wins.
    REQUIRE(store->EraseCustomer("c-1").ok());
    CustomerRecord* again = Create(*store, "c-1");
    again->profile.name = "new";
    REQUIRE(store->Commit().ok());
  }
  auto store = OpenStore(dir);
  CHECK(Find(*store, "c-2") == nullptr);
  REQUIRE(Find(*store, "c-1") != nullptr);
  CHECK(Find(*store, "c-1")->profile.name == "new");
}

TEST_CASE("LmdbStateStore: changes without MarkDirty of a loaded record are not written") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    Create(*store, "c-1");
    REQUIRE(store->Commit().ok());
  }
  {
    auto store = OpenStore(dir);
    CustomerRecord* c = Find(*store, "c-1");
    c->profile.orders = 5;  // forgotten MarkDirty
    REQUIRE(store->Commit().ok());
    CustomerRecord* d = Find(*store, "c-1");
    d->profile.orders = 6;
    store->MarkDirty(d);
    store->MarkDirty(d);  // twice is harmless
    REQUIRE(store->Commit().ok());
  }
  auto store = OpenStore(dir);
  CHECK(Find(*store, "c-1")->profile.orders == 6);
}

TEST_CASE("LmdbStateStore: MarkDirty of a record other than the last one handed out") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    Create(*store, "c-1");
    Create(*store, "c-2");
    REQUIRE(store->Commit().ok());
    CustomerRecord* a = Find(*store, "c-1");
    CustomerRecord* b = Find(*store, "c-2");
    a->profile.orders = 1;
    b->profile.orders = 2;
    store->MarkDirty(a);
    store->MarkDirty(b);
    CustomerRecord stranger;  // not from the store: ignored
    stranger.profile.id = "c-1";
    store->MarkDirty(&stranger);
    store->MarkDirty(nullptr);
    REQUIRE(store->Commit().ok());
  }
  auto store = OpenStore(dir);
  CHECK(Find(*store, "c-1")->profile.orders == 1);
  CHECK(Find(*store, "c-2")->profile.orders == 2);
}

TEST_CASE("LmdbStateStore: the map grows when a batch does not fit") {
  testing::TempDir dir;
  LmdbStoreOptions options;
  options.initial_map_size = 64 << 10;
  options.write_map = GENERATE(false, true);
  constexpr int kCustomers = 5000;
  {
    auto store = OpenStore(dir, options);
    size_t initial = store->map_size();
    for (int i = 0; i < kCustomers; ++i) {
      std::string id = "c-" + std::to_string(i);
      CustomerRecord* c = Create(*store, id);
      c->profile.name = "customer number " + std::to_string(i);
      c->profile.orders = i;
      REQUIRE(store->PutIdentity(IdentityKind::kPhone, "138" + std::to_string(10000000 + i), id).ok());
    }
    REQUIRE(store->Commit().ok());
    CHECK(store->map_size() > initial);
  }
  auto store = OpenStore(dir, options);
  for (int i = 0; i < kCustomers; i += 499) {
    CustomerRecord* c = Find(*store, "c-" + std::to_string(i));
    REQUIRE(c != nullptr);
    CHECK(c->profile.orders == i);
    CHECK(*store->FindIdentity(IdentityKind::kPhone, "138" + std::to_string(10000000 + i)) ==
          std::optional<std::string>("c-" + std::to_string(i)));
  }
}

TEST_CASE("LmdbStateStore: a batch beyond max_map_size fails and the store refuses further use") {
  testing::TempDir dir;
  LmdbStoreOptions options;
  options.initial_map_size = 64 << 10;
  options.max_map_size = 128 << 10;
  auto store = OpenStore(dir, options);
  for (int i = 0; i < 5000; ++i) {
    CustomerRecord* c = Create(*store, "c-" + std::to_string(i));
    c->profile.name = std::string(100, 'x');
  }
  Status st = store->Commit();
  CHECK_FALSE(st.ok());
  CHECK_FALSE(store->FindCustomer("c-1").ok());
  CHECK_FALSE(store->Commit().ok());
}

TEST_CASE("LmdbStateStore: eviction keeps the data correct") {
  testing::TempDir dir;
  LmdbStoreOptions options;
  options.max_cached_customers = 100;
  auto store = OpenStore(dir, options);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 1000; ++i) {
      std::string id = "c-" + std::to_string(i);
      CustomerRecord* c = Find(*store, id);
      if (c == nullptr) c = Create(*store, id);
      c->profile.orders += i;
      store->MarkDirty(c);
      if (i % 250 == 249) {
        REQUIRE(store->Commit().ok());
        CHECK(store->cached_customers() <= 100);
      }
    }
  }
  for (int i = 0; i < 1000; ++i) CHECK(Find(*store, "c-" + std::to_string(i))->profile.orders == 3 * i);
}

TEST_CASE("LmdbStateStore: LookupCustomer by id, phone and other identifiers") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    CustomerRecord* c = Create(*store, "c-1");
    c->profile.phone = "13800138000";
    REQUIRE(store->PutIdentity(IdentityKind::kPhone, "13800138000", "c-1").ok());
    REQUIRE(store->PutIdentity(IdentityKind::kOpenid, "oAbc", "c-1").ok());
    REQUIRE(store->PutIdentity(IdentityKind::kId, "old-id", "c-1").ok());
    REQUIRE(store->Commit().ok());
  }
  for (std::string_view query : {"c-1", "13800138000", "+86 138-0013-8000", "oAbc", "old-id"}) {
    INFO(query);
    auto found = LookupCustomer(dir, query);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->profile.id == "c-1");
  }
  auto missing = LookupCustomer(dir, "13900000000");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
  testing::TempDir empty;
  CHECK(LookupCustomer(empty, "c-1").status().code() == StatusCode::kNotFound);
}

TEST_CASE("LmdbStateStore: outcomes are counted per rule and kind") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    Outcome o;
    o.rule = "Wake";
    o.customer_id = "c-1";
    REQUIRE(store->RecordOutcome(o).ok());
    o.kind = OutcomeKind::kHeldOut;
    REQUIRE(store->RecordOutcome(o).ok());
    REQUIRE(store->Commit().ok());
    o.kind = OutcomeKind::kFired;
    REQUIRE(store->RecordOutcome(o).ok());
    o.rule = "Other";
    o.kind = OutcomeKind::kConverted;
    REQUIRE(store->RecordOutcome(o).ok());
    REQUIRE(store->Commit().ok());
    o.rule = "Uncommitted";
    REQUIRE(store->RecordOutcome(o).ok());
  }
  auto stats = ReadRuleStats(dir);
  REQUIRE(stats.ok());
  std::map<std::string, std::map<std::string, uint64_t>> expected = {
      {"Wake", {{"fired", 2}, {"held_out", 1}}}, {"Other", {{"converted", 1}}}};
  CHECK(*stats == expected);
}

TEST_CASE("LmdbStateStore: processed ids stay known past the filter's capacity and across reopen") {
  testing::TempDir dir;
  LmdbStoreOptions options;
  options.expected_processed_events = 100;  // the filter (at least 1024 keys) must grow
  constexpr int kEvents = 5000;
  {
    auto store = OpenStore(dir, options);
    for (int i = 0; i < kEvents; ++i) {
      std::string id = "e-" + std::to_string(i);
      REQUIRE_FALSE(*store->IsProcessed("pos", id));
      REQUIRE(store->MarkProcessed("pos", id, 0).ok());
      REQUIRE(*store->IsProcessed("pos", id));
      if (i % 1000 == 999) REQUIRE(store->Commit().ok());
    }
    REQUIRE(store->Commit().ok());
    for (int i = 0; i < kEvents; ++i) REQUIRE(*store->IsProcessed("pos", "e-" + std::to_string(i)));
  }
  auto store = OpenStore(dir, options);
  int unknown_found = 0;
  for (int i = 0; i < kEvents; ++i) {
    REQUIRE(*store->IsProcessed("pos", "e-" + std::to_string(i)));
    unknown_found += *store->IsProcessed("pos", "x-" + std::to_string(i));
  }
  CHECK(unknown_found == 0);
}

TEST_CASE("LmdbStateStore: identity lookups stay right through the identity cache and its eviction") {
  testing::TempDir dir;
  LmdbStoreOptions options;
  options.max_cached_identities = 50;
  auto store = OpenStore(dir, options);
  for (int i = 0; i < 300; ++i)
    REQUIRE(
        store->PutIdentity(IdentityKind::kOpenid, "o" + std::to_string(i), "c-" + std::to_string(i)).ok());
  REQUIRE(store->Commit().ok());
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 300; ++i)
      REQUIRE(*store->FindIdentity(IdentityKind::kOpenid, "o" + std::to_string(i)) ==
              std::optional<std::string>("c-" + std::to_string(i)));
    REQUIRE(store->Commit().ok());
  }
  // Re-pointing a cached identity (a merge) is seen before and after Commit.
  REQUIRE(store->PutIdentity(IdentityKind::kOpenid, "o299", "c-0").ok());
  CHECK(*store->FindIdentity(IdentityKind::kOpenid, "o299") == std::optional<std::string>("c-0"));
  REQUIRE(store->Commit().ok());
  CHECK(*store->FindIdentity(IdentityKind::kOpenid, "o299") == std::optional<std::string>("c-0"));
}

TEST_CASE("LmdbStateStore: damaged stored data is reported as Corruption") {
  testing::TempDir dir;
  OpenStore(dir);
  PutRaw(dir, "customers", "c-bad",
         "\x01\x05"
         "ab");  // an id of 5 bytes, 2 present
  PutRaw(dir, "keyed", std::string(7, '\0') + "\x01" + "k", "junk");
  {
    auto store = OpenStore(dir);
    auto found = store->FindCustomer("c-bad");
    CHECK(found.status().code() == StatusCode::kCorruption);
    CHECK(store->FindKeyedState(1, "k").status().code() == StatusCode::kCorruption);
    CHECK_FALSE(store->CreateCustomer("c-bad").ok());  // it exists, even if damaged
    CHECK(store->Commit().ok());                       // a read error does not poison the store
  }
  PutRaw(dir, "meta", "schema_version", "2");
  auto reopened = LmdbStateStore::Open(dir.str(), {});
  CHECK(reopened.status().code() == StatusCode::kCorruption);
}

TEST_CASE("LmdbStateStore: ids longer than LMDB's key limit work") {
  testing::TempDir dir;
  std::string long_id(2000, 'a');
  std::string other_long_id = long_id + "b";
  {
    auto store = OpenStore(dir);
    Create(*store, long_id)->profile.orders = 1;
    Create(*store, other_long_id)->profile.orders = 2;
    REQUIRE(store->PutIdentity(IdentityKind::kMemberNo, long_id, long_id).ok());
    REQUIRE(store->MarkProcessed(long_id, long_id, 0).ok());
    REQUIRE(store->Commit().ok());
    CHECK(*store->IsProcessed(long_id, long_id));
    CHECK_FALSE(*store->IsProcessed(long_id, other_long_id));
  }
  auto store = OpenStore(dir);
  CHECK(Find(*store, long_id)->profile.orders == 1);
  CHECK(Find(*store, other_long_id)->profile.orders == 2);
  CHECK(*store->FindIdentity(IdentityKind::kMemberNo, long_id) == std::optional<std::string>(long_id));
  CHECK(*store->IsProcessed(long_id, long_id));
}

}  // namespace
}  // namespace patron
