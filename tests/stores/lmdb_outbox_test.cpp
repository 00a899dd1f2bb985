// The StateStore outbox methods of LmdbStateStore (AppendOutbox, ListOutbox,
// DeleteOutboxUpTo), on a real LMDB environment in a temporary directory.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "stores/lmdb_state_store.hpp"
#include "tests/stores/lmdb_test_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron {
namespace {

using testing::OpenStore;

uint64_t Append(LmdbStateStore& store, std::string_view bytes) {
  auto seq = store.AppendOutbox(bytes);
  REQUIRE(seq.ok());
  return *seq;
}

std::vector<OutboxRow> List(LmdbStateStore& store, uint64_t after = 0,
                            size_t max = std::numeric_limits<size_t>::max()) {
  std::vector<OutboxRow> out = {OutboxRow{99, "stale"}};
  Status st = store.ListOutbox(after, max, out);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return out;
}

using Rows = std::vector<OutboxRow>;

TEST_CASE("outbox: rows appended to the batch are listed in seq order, before and after commit") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  CHECK(List(*store).empty());
  CHECK(Append(*store, "a1") == 1);
  CHECK(Append(*store, "a2") == 2);
  CHECK(List(*store) == Rows{{1, "a1"}, {2, "a2"}});
  REQUIRE(store->Commit().ok());
  CHECK(List(*store) == Rows{{1, "a1"}, {2, "a2"}});
  // Committed rows first, then the batch's.
  CHECK(Append(*store, std::string("b\0inary", 7)) == 3);
  CHECK(List(*store) == Rows{{1, "a1"}, {2, "a2"}, {3, std::string("b\0inary", 7)}});
  // `after` and `max` page through both.
  CHECK(List(*store, 1) == Rows{{2, "a2"}, {3, std::string("b\0inary", 7)}});
  CHECK(List(*store, 0, 2) == Rows{{1, "a1"}, {2, "a2"}});
  CHECK(List(*store, 2, 1) == Rows{{3, std::string("b\0inary", 7)}});
  CHECK(List(*store, 3).empty());
  CHECK(List(*store, 0, 0).empty());
  CHECK(List(*store, std::numeric_limits<uint64_t>::max()).empty());
}

TEST_CASE("outbox: DeleteOutboxUpTo hides rows at once and removes them at commit") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    for (int i = 1; i <= 4; ++i) Append(*store, "r" + std::to_string(i));
    REQUIRE(store->Commit().ok());
    Append(*store, "r5");
    Append(*store, "r6");
    // Deletes committed rows 1..2 and nothing else.
    REQUIRE(store->DeleteOutboxUpTo(2).ok());
    CHECK(List(*store) == Rows{{3, "r3"}, {4, "r4"}, {5, "r5"}, {6, "r6"}});
    // Reaches into the batch's rows too.
    REQUIRE(store->DeleteOutboxUpTo(5).ok());
    CHECK(List(*store) == Rows{{6, "r6"}});
    CHECK(List(*store, 1) == Rows{{6, "r6"}});
    // A smaller bound later does not bring rows back.
    REQUIRE(store->DeleteOutboxUpTo(1).ok());
    CHECK(List(*store) == Rows{{6, "r6"}});
    // Rows appended after a delete are not affected by it, even below its bound.
    REQUIRE(store->DeleteOutboxUpTo(100).ok());
    CHECK(List(*store).empty());
    CHECK(Append(*store, "r7") == 7);
    CHECK(List(*store) == Rows{{7, "r7"}});
    REQUIRE(store->Commit().ok());
    CHECK(List(*store) == Rows{{7, "r7"}});
  }
  auto store = OpenStore(dir);
  CHECK(List(*store) == Rows{{7, "r7"}});
  CHECK(Append(*store, "r8") == 8);
}

TEST_CASE("outbox: rows and the sequence persist across reopen, an uncommitted batch does not") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    Append(*store, "kept-1");
    Append(*store, "kept-2");
    REQUIRE(store->Commit().ok());
    Append(*store, "lost");  // seq 3, never committed
    REQUIRE(store->DeleteOutboxUpTo(1).ok());
  }
  {
    auto store = OpenStore(dir);
    CHECK(List(*store) == Rows{{1, "kept-1"}, {2, "kept-2"}});
    CHECK(Append(*store, "next") == 3);  // seq 3 was never committed
    // Appended and deleted in one batch: nothing to write but the counter.
    REQUIRE(store->DeleteOutboxUpTo(3).ok());
    CHECK(List(*store) == Rows{});
    REQUIRE(store->Commit().ok());
  }
  auto store = OpenStore(dir);
  CHECK(List(*store).empty());
  CHECK(Append(*store, "after") == 4);  // strictly above every seq handed out and committed
}

TEST_CASE("outbox: rows commit in the same transaction as the state, a failed commit leaves nothing") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    Append(*store, "committed");
    REQUIRE(store->Commit().ok());
  }
  LmdbStoreOptions options;
  options.initial_map_size = 64 << 10;
  options.max_map_size = 128 << 10;
  {
    auto store = OpenStore(dir, options);
    REQUIRE(store->DeleteOutboxUpTo(1).ok());
    for (int i = 0; i < 100; ++i) Append(*store, std::string(2000, 'x'));
    REQUIRE(store->CreateCustomer("c-1").ok());
    CHECK_FALSE(store->Commit().ok());  // the map cannot hold it
    CHECK_FALSE(store->AppendOutbox("refused").ok());
    std::vector<OutboxRow> out = {OutboxRow{1, "stale"}};
    CHECK_FALSE(store->ListOutbox(0, 10, out).ok());
    CHECK(out.empty());
    CHECK_FALSE(store->DeleteOutboxUpTo(1).ok());
  }
  auto store = OpenStore(dir, options);
  CHECK(List(*store) == Rows{{1, "committed"}});
  CHECK(*store->FindCustomer("c-1") == nullptr);
  CHECK(Append(*store, "next") == 2);
}

TEST_CASE("outbox: a batch of rows larger than the map grows it") {
  testing::TempDir dir;
  LmdbStoreOptions options;
  options.initial_map_size = 64 << 10;
  auto store = OpenStore(dir, options);
  size_t initial = store->map_size();
  for (int i = 0; i < 200; ++i) Append(*store, std::string(2000, static_cast<char>('a' + i % 26)));
  REQUIRE(store->Commit().ok());
  CHECK(store->map_size() > initial);
  auto rows = List(*store);
  REQUIRE(rows.size() == 200);
  CHECK(rows[199].seq == 200);
  CHECK(rows[199].bytes == std::string(2000, static_cast<char>('a' + 199 % 26)));
}

// Removes the `outbox` table and the meta counter from the closed store in
// `dir`, as a store written before the outbox existed looks.
void DropOutboxTable(const testing::TempDir& dir) {
  testing::RawTables raw(dir);
  raw.Drop("outbox");
  raw.Delete("meta", "next_outbox_seq");
  REQUIRE_FALSE(raw.HasTable("outbox"));
  raw.Commit();
}

TEST_CASE("outbox: a store written before the outbox table existed gains it at the next Open") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    REQUIRE(store->CreateCustomer("c-1").ok());
    Append(*store, "old");
    REQUIRE(store->Commit().ok());
  }
  DropOutboxTable(dir);
  {
    auto store = OpenStore(dir);
    CHECK(*store->FindCustomer("c-1") != nullptr);
    CHECK(List(*store).empty());
    CHECK(Append(*store, "first") == 1);
    REQUIRE(store->Commit().ok());
  }
  auto store = OpenStore(dir);
  CHECK(List(*store) == Rows{{1, "first"}});
}

}  // namespace
}  // namespace patron

namespace patron {
namespace {

TEST_CASE("outbox: rows marked sent become tombstones that survive a restart, until pruned") {
  testing::TempDir dir;
  {
    auto store = testing::OpenStore(dir);
    for (const char* bytes : {"r1", "r2", "r3", "r4"}) Append(*store, bytes);
    REQUIRE(store->Commit().ok());
    REQUIRE(store->MarkOutboxSent(1, 100).ok());
    REQUIRE(store->MarkOutboxSent(3, 300).ok());
    REQUIRE(store->MarkOutboxSent(77, 300).ok());  // not there: ignored
    // Seen in the batch at once ...
    CHECK(List(*store) == Rows{{1, "r1", 100}, {2, "r2", 0}, {3, "r3", 300}, {4, "r4", 0}});
    // ... and a row appended and marked in the same batch keeps its mark.
    CHECK(Append(*store, "r5") == 5);
    REQUIRE(store->MarkOutboxSent(5, 50).ok());
    REQUIRE(store->Commit().ok());
  }
  auto store = testing::OpenStore(dir);
  CHECK(List(*store) == Rows{{1, "r1", 100}, {2, "r2", 0}, {3, "r3", 300}, {4, "r4", 0}, {5, "r5", 50}});
  // A slice looks at no more rows than asked: the first two hold one old tombstone.
  auto pruned = store->PruneOutbox(200, 2);
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(List(*store) == Rows{{2, "r2", 0}, {3, "r3", 300}, {4, "r4", 0}, {5, "r5", 50}});
  // The next slice goes on past the rows not yet sent; a young tombstone stays.
  pruned = store->PruneOutbox(200, 10);
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(List(*store) == Rows{{2, "r2", 0}, {3, "r3", 300}, {4, "r4", 0}});
  REQUIRE(store->Commit().ok());
  store.reset();
  store = testing::OpenStore(dir);
  CHECK(List(*store) == Rows{{2, "r2", 0}, {3, "r3", 300}, {4, "r4", 0}});
  CHECK_FALSE(store->MarkOutboxSent(2, 0).ok());  // a sent time must be given
}

}  // namespace
}  // namespace patron
