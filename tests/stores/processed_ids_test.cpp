// The processed-id table's bounded retention (stores/internal/processed_ids.hpp
// through LmdbStateStore): expired ids are pruned in slices across commits,
// within the commit's transaction (also when the map grows and the batch is
// written again); a duplicate within the retention is refused, also after a
// restart; the retention clock only moves forward per directory; the
// caller's minimum wins over a shorter retention; a reopen reads only the
// unexpired ids, however many were ever pruned; ids of an older build's
// `processed` table are carried over.

#include <catch2/catch.hpp>

#include <string>

#include "base/time.hpp"
#include "stores/lmdb_state_store.hpp"
#include "tests/stores/lmdb_test_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

constexpr Duration kSecond = kMicrosPerSecond;

// Retention 80 s (buckets of 10 s), slices of 100.
LmdbStoreOptions Small() {
  LmdbStoreOptions o;
  o.processed_retention = 80 * kSecond;
  o.processed_prune_slice = 100;
  return o;
}

std::string Id(const std::string& prefix, int i) { return prefix + std::to_string(i); }

// Marks `n` ids "<prefix><i>" at `at`, committing every `per_commit`.
void MarkAll(LmdbStateStore& store, const std::string& prefix, int n, TimePoint at, int per_commit = 500) {
  for (int i = 0; i < n; ++i) {
    REQUIRE(store.MarkProcessed("pos", Id(prefix, i), at).ok());
    if ((i + 1) % per_commit == 0) REQUIRE(store.Commit().ok());
  }
  REQUIRE(store.Commit().ok());
}

uint64_t Stored(LmdbStateStore& store) {
  auto n = store.StoredProcessedIds();
  REQUIRE(n.ok());
  return *n;
}

TEST_CASE("processed ids: expired ids are pruned in slices across commits, recent ones stay") {
  TempDir dir;
  auto store = OpenStore(dir, Small());
  MarkAll(*store, "old-", 1000, 0);
  MarkAll(*store, "recent-", 10, 150 * kSecond);  // clock 150 s: the old bucket (end 10 s) is expired
  // The commit that moved the clock already pruned one slice.
  CHECK(store->processed_ids().pruned == 100);
  CHECK(Stored(*store) == 1000 - 100 + 10);
  for (int commit = 2; commit <= 9; ++commit) {
    REQUIRE(store->MarkProcessed("pos", Id("tick-", commit), 150 * kSecond).ok());
    REQUIRE(store->Commit().ok());
    CHECK(store->processed_ids().pruned == 100u * commit);  // one slice per commit, never more
  }
  CHECK(Stored(*store) == 100 + 10 + 8);
  REQUIRE(store->MarkProcessed("pos", "tick-10", 150 * kSecond).ok());
  REQUIRE(store->Commit().ok());
  CHECK(store->processed_ids().pruned == 1000);
  CHECK(Stored(*store) == 10 + 9);
  CHECK(store->processed_ids().buckets == 1);  // the emptied bucket's filter is gone
  // Pruned ids count as new again; recent ones are still refused.
  CHECK_FALSE(*store->IsProcessed("pos", "old-5"));
  CHECK(*store->IsProcessed("pos", "recent-5"));
  // Another commit with nothing expired deletes nothing.
  REQUIRE(store->MarkProcessed("pos", "tick-11", 150 * kSecond).ok());
  REQUIRE(store->Commit().ok());
  CHECK(store->processed_ids().pruned == 1000);
}

TEST_CASE("processed ids: a duplicate within the retention is refused, also after a restart") {
  TempDir dir;
  {
    auto store = OpenStore(dir, Small());
    MarkAll(*store, "a-", 300, 0);
    MarkAll(*store, "b-", 300, 75 * kSecond);  // a-* are 75 s old: within 80 s
    CHECK(store->processed_ids().pruned == 0);
    CHECK(*store->IsProcessed("pos", "a-7"));
  }
  auto store = OpenStore(dir, Small());
  CHECK(store->processed_ids().clock == 75 * kSecond);  // the retention clock survived
  CHECK(store->processed_ids().read_at_open == 600);
  CHECK(*store->IsProcessed("pos", "a-7"));
  CHECK(*store->IsProcessed("pos", "b-299"));
  CHECK_FALSE(*store->IsProcessed("pos", "c-1"));
}

TEST_CASE("processed ids: the retention clock never goes back, so an old replay prunes nothing at once") {
  TempDir dir;
  auto store = OpenStore(dir, Small());
  MarkAll(*store, "live-", 100, 1000 * kSecond);
  // A replay of an old file into the same directory: its times are far
  // behind the directory's clock; its ids are kept from the clock's time.
  MarkAll(*store, "old-file-", 100, 0);
  CHECK(store->processed_ids().clock == 1000 * kSecond);
  CHECK(store->processed_ids().pruned == 0);
  MarkAll(*store, "later-", 10, 1070 * kSecond);  // 70 s later: both still within the retention
  CHECK(store->processed_ids().pruned == 0);
  CHECK(*store->IsProcessed("pos", "old-file-3"));
  CHECK(*store->IsProcessed("pos", "live-3"));
}

TEST_CASE("processed ids: the caller's minimum retention wins over a shorter one") {
  TempDir dir;
  LmdbStoreOptions options = Small();
  options.processed_retention = 10 * kSecond;
  options.processed_min_retention = 120 * kSecond;  // e.g. the stream's duplicate window
  auto store = OpenStore(dir, options);
  MarkAll(*store, "a-", 50, 0);
  MarkAll(*store, "b-", 50, 100 * kSecond);
  CHECK(store->processed_ids().pruned == 0);
  CHECK(*store->IsProcessed("pos", "a-1"));
  MarkAll(*store, "c-", 50, 200 * kSecond);  // now a-* are older than 120 s (+ one bucket)
  CHECK(store->processed_ids().pruned == 50);
  CHECK_FALSE(*store->IsProcessed("pos", "a-1"));
  CHECK(*store->IsProcessed("pos", "b-1"));
}

TEST_CASE("processed ids: a reopen reads the unexpired ids only, however many were ever seen") {
  // Two directories with the same 20 recent ids; one also saw 5,000 ids that
  // expired (half pruned, half still on disk when it closed).
  TempDir busy, quiet;
  {
    auto store = OpenStore(busy, Small());
    MarkAll(*store, "gone-", 5000, 0);
    MarkAll(*store, "recent-", 20, 500 * kSecond, 1);  // 20 commits: 20 slices of 100 (and 2x the batch)
    CHECK(store->processed_ids().pruned == 2000);
    CHECK(Stored(*store) == 3000 + 20);
  }
  {
    auto store = OpenStore(quiet, Small());
    MarkAll(*store, "recent-", 20, 500 * kSecond, 1);
  }
  auto reopened_busy = OpenStore(busy, Small());
  auto reopened_quiet = OpenStore(quiet, Small());
  CHECK(reopened_busy->processed_ids().read_at_open == 20);
  CHECK(reopened_busy->processed_ids().read_at_open == reopened_quiet->processed_ids().read_at_open);
  CHECK(reopened_busy->processed_ids().in_filters == reopened_quiet->processed_ids().in_filters);
  CHECK(*reopened_busy->IsProcessed("pos", "recent-19"));
  CHECK_FALSE(*reopened_busy->IsProcessed("pos", "gone-4999"));  // expired, not pruned yet: forgotten
  // The expired rest is still pruned, in slices, by the next commits.
  REQUIRE(reopened_busy->MarkProcessed("pos", "next", 500 * kSecond).ok());
  REQUIRE(reopened_busy->Commit().ok());
  CHECK(reopened_busy->processed_ids().pruned == 100);
}

TEST_CASE("processed ids: a slice written again after the map grew is counted once") {
  TempDir dir;
  LmdbStoreOptions options = Small();
  options.initial_map_size = 256 << 10;  // 256 KiB: the big batch below must grow it
  auto store = OpenStore(dir, options);
  MarkAll(*store, "old-", 2000, 0);
  const size_t before = store->map_size();
  for (int i = 0; i < 6000; ++i)
    REQUIRE(store->MarkProcessed("pos", Id("new-with-a-longer-name-", i), 200 * kSecond).ok());
  REQUIRE(store->Commit().ok());  // slice: max(100, 2 x 6000) covers every old id
  CHECK(store->map_size() > before);
  CHECK(store->processed_ids().pruned == 2000);
  CHECK(Stored(*store) == 6000);
}

TEST_CASE("processed ids: ids of an older build's `processed` table are carried over") {
  TempDir dir;
  { auto store = OpenStore(dir); }
  {
    RawTables raw(dir);
    raw.Table("processed", /*create=*/true);
    raw.Put("processed", std::string("pos\x1f") + "legacy-1", "");
    raw.Put("processed", std::string("pos\x1f") + "legacy-2", "");
    raw.Commit();
  }
  {
    auto store = OpenStore(dir);
    CHECK(*store->IsProcessed("pos", "legacy-1"));
    CHECK(*store->IsProcessed("pos", "legacy-2"));
    CHECK_FALSE(*store->IsProcessed("pos", "legacy-3"));
    CHECK(Stored(*store) == 2);
  }
  RawTables raw(dir);
  CHECK_FALSE(raw.HasTable("processed"));
}

}  // namespace
}  // namespace patron::testing
