// The StateStore timer methods, ListCustomerIds and DeleteKeyedState of
// LmdbStateStore, on a real LMDB environment in a temporary directory.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "stores/lmdb_state_store.hpp"
#include "stores/timer_codec.hpp"
#include "tests/stores/lmdb_test_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron {
namespace {

using testing::OpenStore;
using testing::PutRaw;

TimerRecord Timer(TimePoint due, uint64_t seq, std::string customer = "c-1") {
  TimerRecord t;
  t.key = TimerKey{due, seq};
  t.kind = TimerKind::kAbsence;
  t.rule_key = 42;
  t.customer_id = std::move(customer);
  t.cause_deadline = due;
  return t;
}

// The key of the next due timer (up to `up_to`), or nullopt.
std::optional<TimerKey> NextDue(LmdbStateStore& store, TimePoint up_to) {
  auto next = store.NextDueTimer(up_to);
  REQUIRE(next.ok());
  if (!*next) return std::nullopt;
  return (*next)->key;
}

// Fires (reads and deletes) every timer due up to `up_to`, in order.
std::vector<TimerKey> Drain(LmdbStateStore& store, TimePoint up_to) {
  std::vector<TimerKey> fired;
  while (auto key = NextDue(store, up_to)) {
    fired.push_back(*key);
    REQUIRE(store.DeleteTimer(*key).ok());
  }
  return fired;
}

uint64_t Count(LmdbStateStore& store) {
  auto n = store.TimerCount();
  REQUIRE(n.ok());
  return *n;
}

std::optional<TimePoint> Earliest(LmdbStateStore& store) {
  auto due = store.EarliestTimerDue();
  REQUIRE(due.ok());
  return *due;
}

std::vector<std::string> List(LmdbStateStore& store, std::string_view after, size_t max) {
  std::vector<std::string> out = {"stale"};
  REQUIRE(store.ListCustomerIds(after, max, out).ok());
  return out;
}

// The keys in the order they must fire: due first (negative before
// positive), then seq.
const std::vector<TimerKey> kOrdered = {{-86'400'000'000, 5},      {-1, 9}, {0, 2}, {0, 3}, {0, 10}, {7, 1},
                                        {1'767'225'600'000'000, 4}};

TEST_CASE("timers: fired in (due, seq) order from the batch, the table, or both") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  // Put in a scrambled order.
  const std::vector<size_t> order = {4, 0, 6, 2, 5, 1, 3};
  const std::string where = GENERATE("batch", "table", "both");
  for (size_t i : order) {
    REQUIRE(store->PutTimer(Timer(kOrdered[i].due, kOrdered[i].seq)).ok());
    if (where == "both" && i % 2 == 0) REQUIRE(store->Commit().ok());
  }
  if (where == "table") REQUIRE(store->Commit().ok());
  INFO(where);
  CHECK(Count(*store) == 7);
  CHECK(Earliest(*store) == -86'400'000'000);
  CHECK(NextDue(*store, -86'400'000'001) == std::nullopt);
  CHECK(Drain(*store, 0) == std::vector<TimerKey>(kOrdered.begin(), kOrdered.begin() + 5));
  CHECK(Count(*store) == 2);
  CHECK(Earliest(*store) == 7);
  CHECK(Drain(*store, INT64_MAX) == std::vector<TimerKey>(kOrdered.begin() + 5, kOrdered.end()));
  CHECK(Count(*store) == 0);
  CHECK(Earliest(*store) == std::nullopt);
  REQUIRE(store->Commit().ok());
  CHECK(Count(*store) == 0);
  CHECK(NextDue(*store, INT64_MAX) == std::nullopt);
}

TEST_CASE("timers: NextDueTimer sees the batch's puts, replacements and deletes over the table") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->PutTimer(Timer(100, 1, "a")).ok());
  REQUIRE(store->PutTimer(Timer(200, 2, "b")).ok());
  REQUIRE(store->PutTimer(Timer(300, 3, "c")).ok());
  REQUIRE(store->Commit().ok());

  REQUIRE(store->PutTimer(Timer(150, 4, "new")).ok());
  REQUIRE(store->DeleteTimer(TimerKey{100, 1}).ok());
  REQUIRE(store->DeleteTimer(TimerKey{100, 99}).ok());  // absent: not an error
  TimerRecord replaced = Timer(200, 2, "b");
  replaced.correlation = "cursor c-7";
  REQUIRE(store->PutTimer(replaced).ok());

  CHECK(NextDue(*store, 99) == std::nullopt);
  CHECK(NextDue(*store, 149) == std::nullopt);  // the deleted 100 is not seen
  CHECK(NextDue(*store, 150) == TimerKey{150, 4});
  CHECK(Earliest(*store) == 150);
  CHECK(Count(*store) == 3);  // b replaced, a deleted, new added
  REQUIRE(store->DeleteTimer(TimerKey{150, 4}).ok());
  auto next = store->NextDueTimer(1000);
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK((*next)->key == TimerKey{200, 2});
  CHECK((*next)->customer_id == "b");
  CHECK((*next)->correlation == "cursor c-7");  // the batch's version
  CHECK(Count(*store) == 2);

  // A deleted committed key put back in the same batch is there again.
  REQUIRE(store->PutTimer(Timer(100, 1, "a again")).ok());
  CHECK(NextDue(*store, 1000) == TimerKey{100, 1});
  CHECK(Count(*store) == 3);
  REQUIRE(store->Commit().ok());

  auto reopened = (store.reset(), OpenStore(dir));
  CHECK(Count(*reopened) == 3);
  auto first = reopened->NextDueTimer(1000);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->customer_id == "a again");
  CHECK(Drain(*reopened, 1000) == std::vector<TimerKey>{{100, 1}, {200, 2}, {300, 3}});
}

TEST_CASE("timers: a committed timer deleted without reading it stays deleted after commit and reopen") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    REQUIRE(store->PutTimer(Timer(10, 1)).ok());
    REQUIRE(store->PutTimer(Timer(20, 2)).ok());
    REQUIRE(store->Commit().ok());
  }
  {
    auto store = OpenStore(dir);
    REQUIRE(store->DeleteTimer(TimerKey{10, 1}).ok());  // never looked at in this process
    REQUIRE(store->Commit().ok());
    CHECK(Count(*store) == 1);
    CHECK(Earliest(*store) == 20);
  }
  auto store = OpenStore(dir);
  CHECK(Count(*store) == 1);
  CHECK(Earliest(*store) == 20);
  CHECK(Drain(*store, 100) == std::vector<TimerKey>{{20, 2}});
}

TEST_CASE("timers: a timer's contents, stored event included, survive commit and reopen") {
  testing::TempDir dir;
  TimerRecord t;
  t.key = TimerKey{-5, 3};
  t.kind = TimerKind::kSequence;
  t.rule_key = 0xffffffffffffffffULL;
  t.customer_id = "c-9";
  t.correlation = "\"ord-1\"";
  StoredEvent e;
  e.source = "pos/s012";
  e.id = "e-1";
  e.type = "order.completed";
  e.time = -5'000'000;
  e.time_text = "1969-12-31T23:59:55+00:00";
  e.store = "s012";
  e.data_json = R"({"amount":"12.00"})";
  t.event = e;
  {
    auto store = OpenStore(dir);
    REQUIRE(store->PutTimer(t).ok());
    REQUIRE(store->Commit().ok());
  }
  auto store = OpenStore(dir);
  auto next = store->NextDueTimer(-5);
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  const TimerRecord& got = **next;
  CHECK(got.key == t.key);
  CHECK(got.kind == TimerKind::kSequence);
  CHECK(got.rule_key == t.rule_key);
  CHECK(got.customer_id == "c-9");
  CHECK(got.correlation == "\"ord-1\"");
  CHECK_FALSE(got.cause_deadline.has_value());
  REQUIRE(got.event.has_value());
  CHECK(got.event->source == "pos/s012");
  CHECK(got.event->id == "e-1");
  CHECK(got.event->type == "order.completed");
  CHECK(got.event->time == -5'000'000);
  CHECK(got.event->time_text == "1969-12-31T23:59:55+00:00");
  CHECK(got.event->store == "s012");
  CHECK(got.event->data_json == R"({"amount":"12.00"})");
}

TEST_CASE("timers: the arming sequence is strictly increasing across commits and reopens") {
  testing::TempDir dir;
  uint64_t armed = 0, last = 0;
  {
    auto store = OpenStore(dir);
    uint64_t a = store->NextTimerSeq();
    armed = store->NextTimerSeq();
    CHECK(armed > a);
    REQUIRE(store->PutTimer(Timer(1, armed)).ok());
    REQUIRE(store->Commit().ok());
    last = store->NextTimerSeq();
    CHECK(last > armed);
    REQUIRE(store->Commit().ok());  // a batch of nothing but the counter
  }
  {
    auto store = OpenStore(dir);
    CHECK(store->NextTimerSeq() == last + 1);
    (void)store->NextTimerSeq();  // handed out, never committed
  }
  {
    auto store = OpenStore(dir);
    // Numbers of a lost batch come again (whatever used them was lost too).
    CHECK(store->NextTimerSeq() == last + 1);
    // A key armed elsewhere (not from NextTimerSeq) pushes the counter past it.
    REQUIRE(store->PutTimer(Timer(1, 1000)).ok());
    CHECK(store->NextTimerSeq() == 1001);
    REQUIRE(store->Commit().ok());
  }
  auto store = OpenStore(dir);
  CHECK(store->NextTimerSeq() == 1002);
  CHECK(Count(*store) == 2);
  // That timer is committed: deleting it must reach the table.
  REQUIRE(store->DeleteTimer(TimerKey{1, 1000}).ok());
  REQUIRE(store->Commit().ok());
  CHECK(Count(*store) == 1);
  CHECK(Drain(*store, 10) == std::vector<TimerKey>{{1, armed}});
}

TEST_CASE("timers: a timer armed and deleted in one batch leaves nothing behind") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->PutTimer(Timer(50, store->NextTimerSeq())).ok());
  REQUIRE(store->Commit().ok());
  uint64_t seq = store->NextTimerSeq();
  REQUIRE(store->PutTimer(Timer(10, seq)).ok());
  CHECK(Count(*store) == 2);
  REQUIRE(store->DeleteTimer(TimerKey{10, seq}).ok());
  CHECK(Count(*store) == 1);
  CHECK(Earliest(*store) == 50);
  CHECK(NextDue(*store, 49) == std::nullopt);
  REQUIRE(store->Commit().ok());
  CHECK(Count(*store) == 1);
  CHECK(Earliest(*store) == 50);
}

TEST_CASE("timers: an uncommitted batch of puts and deletes is lost at close") {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir);
    REQUIRE(store->PutTimer(Timer(10, store->NextTimerSeq(), "kept")).ok());
    REQUIRE(store->Commit().ok());
    REQUIRE(store->DeleteTimer(TimerKey{10, 1}).ok());
    REQUIRE(store->PutTimer(Timer(5, store->NextTimerSeq(), "lost")).ok());
    TimerRecord changed = Timer(10, 1, "changed");
    REQUIRE(store->PutTimer(changed).ok());
    CHECK(Count(*store) == 2);
  }
  auto store = OpenStore(dir);
  CHECK(Count(*store) == 1);
  CHECK(Earliest(*store) == 10);
  auto next = store->NextDueTimer(100);
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK((*next)->customer_id == "kept");
}

TEST_CASE("timers: firing thousands of committed timers in one batch, arming new ones on the way") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  constexpr int kTimers = 3000;
  for (int i = 0; i < kTimers; ++i)
    REQUIRE(store->PutTimer(Timer(i / 3, store->NextTimerSeq(), "c-" + std::to_string(i))).ok());
  REQUIRE(store->Commit().ok());
  CHECK(Count(*store) == kTimers);

  // Every third one re-arms its customer 10'000 later, as an absence rule would.
  std::vector<TimerKey> fired;
  while (auto key = NextDue(*store, kTimers)) {
    fired.push_back(*key);
    REQUIRE(store->DeleteTimer(*key).ok());
    if (key->seq % 3 == 0) REQUIRE(store->PutTimer(Timer(key->due + 10'000, store->NextTimerSeq())).ok());
  }
  REQUIRE(fired.size() == kTimers);
  for (int i = 0; i < kTimers; ++i) {
    INFO("timer " << i);
    CHECK(fired[i].due == i / 3);
    if (i > 0) CHECK(fired[i - 1] < fired[i]);
  }
  CHECK(Count(*store) == kTimers / 3);
  CHECK(Earliest(*store) == 10'000);
  REQUIRE(store->Commit().ok());
  CHECK(Count(*store) == kTimers / 3);
  CHECK(Earliest(*store) == 10'000);
  CHECK(NextDue(*store, 9'999) == std::nullopt);
  CHECK(Drain(*store, INT64_MAX).size() == kTimers / 3);
}

TEST_CASE("timers: after a failed commit the store refuses timer calls too") {
  testing::TempDir dir;
  LmdbStoreOptions options;
  options.initial_map_size = 64 << 10;
  options.max_map_size = 128 << 10;
  auto store = OpenStore(dir, options);
  TimerRecord big = Timer(1, 1);
  big.correlation = std::string(1000, 'x');
  for (uint64_t seq = 1; seq <= 500; ++seq) {
    big.key.seq = seq;
    REQUIRE(store->PutTimer(big).ok());
  }
  CHECK_FALSE(store->Commit().ok());
  CHECK_FALSE(store->NextDueTimer(INT64_MAX).ok());
  CHECK_FALSE(store->PutTimer(Timer(1, 1)).ok());
  CHECK_FALSE(store->DeleteTimer(TimerKey{1, 1}).ok());
  CHECK_FALSE(store->EarliestTimerDue().ok());
  CHECK_FALSE(store->TimerCount().ok());
  std::vector<std::string> ids = {"stale"};
  CHECK_FALSE(store->ListCustomerIds("", 10, ids).ok());
  CHECK(ids.empty());
}

TEST_CASE("timers: the map grows when the timers of a batch do not fit") {
  testing::TempDir dir;
  LmdbStoreOptions options;
  options.initial_map_size = 64 << 10;
  TimerRecord big = Timer(1, 1);
  big.correlation = std::string(1000, 'x');
  {
    auto store = OpenStore(dir, options);
    for (uint64_t seq = 1; seq <= 500; ++seq) {
      big.key = TimerKey{static_cast<TimePoint>(seq), seq};
      REQUIRE(store->PutTimer(big).ok());
    }
    REQUIRE(store->Commit().ok());
    CHECK(Count(*store) == 500);
    CHECK(Earliest(*store) == 1);
  }
  auto store = OpenStore(dir, options);
  CHECK(Count(*store) == 500);
  CHECK(store->NextTimerSeq() == 501);
}

TEST_CASE("timers: damaged timers are Corruption, not a crash") {
  testing::TempDir dir;
  OpenStore(dir);
  PutRaw(dir, "timers", EncodeTimerKey(TimerKey{5, 1}), "\x01\x09");  // kind 9
  {
    auto store = OpenStore(dir);
    CHECK(Earliest(*store) == 5);  // keys alone are fine
    CHECK(NextDue(*store, 4) == std::nullopt);
    CHECK(store->NextDueTimer(5).status().code() == StatusCode::kCorruption);
    CHECK(store->Commit().ok());  // a read error does not poison the store
  }
  PutRaw(dir, "timers", "short", "");
  auto reopened = LmdbStateStore::Open(dir.str(), {});
  CHECK(reopened.status().code() == StatusCode::kCorruption);  // "short" sorts first: a bad key
  PutRaw(dir, "meta", "next_timer_seq", "1234567");
  CHECK(LmdbStateStore::Open(dir.str(), {}).status().code() == StatusCode::kCorruption);
}

TEST_CASE("ListCustomerIds: pages of committed ids in byte order") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  CHECK(List(*store, "", 10).empty());
  std::vector<std::string> all;
  for (int i = 25; i >= 1; --i) {
    std::string id = (i < 10 ? "c-0" : "c-") + std::to_string(i);
    REQUIRE(store->CreateCustomer(id).ok());
  }
  REQUIRE(store->CreateCustomer("b").ok());
  REQUIRE(store->CreateCustomer("d").ok());
  REQUIRE(store->Commit().ok());
  REQUIRE(store->CreateCustomer("c-10a").ok());  // in the open batch: not listed
  all.push_back("b");
  for (int i = 1; i <= 25; ++i) all.push_back((i < 10 ? "c-0" : "c-") + std::to_string(i));
  all.push_back("d");

  CHECK(List(*store, "", 0).empty());
  CHECK(List(*store, "", 100) == all);
  // Pages of 10 through everything, each `after` the last of the page before.
  std::vector<std::string> paged, page;
  std::string after;
  for (;;) {
    REQUIRE(store->ListCustomerIds(after, 10, page).ok());
    if (page.empty()) break;
    CHECK(page.size() <= 10);
    paged.insert(paged.end(), page.begin(), page.end());
    after = page.back();
  }
  CHECK(paged == all);
  // `after` need not exist; it may be the last element of `out` itself.
  CHECK(List(*store, "c-10", 3) == std::vector<std::string>{"c-11", "c-12", "c-13"});
  CHECK(List(*store, "c-10 ", 2) == std::vector<std::string>{"c-11", "c-12"});
  CHECK(List(*store, "a", 2) == std::vector<std::string>{"b", "c-01"});
  CHECK(List(*store, "d", 5).empty());
  CHECK(List(*store, "zzz", 5).empty());
  page = {"x", "c-24"};
  REQUIRE(store->ListCustomerIds(page.back(), 5, page).ok());
  CHECK(page == std::vector<std::string>{"c-25", "d"});

  REQUIRE(store->EraseCustomer("c-05").ok());  // committed still: listed until Commit()
  CHECK(List(*store, "c-04", 1) == std::vector<std::string>{"c-05"});
  REQUIRE(store->Commit().ok());
  CHECK(List(*store, "c-04", 2) == std::vector<std::string>{"c-06", "c-07"});
  CHECK(List(*store, "c-10", 1) == std::vector<std::string>{"c-10a"});
}

TEST_CASE("ListCustomerIds: an id too long for an LMDB key is listed as itself") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  const std::string long_id = "m-" + std::string(1000, 'x');
  REQUIRE(store->CreateCustomer("a").ok());
  REQUIRE(store->CreateCustomer(long_id).ok());
  REQUIRE(store->CreateCustomer("z").ok());
  REQUIRE(store->Commit().ok());
  CHECK(List(*store, "", 10) == std::vector<std::string>{"a", long_id, "z"});
  CHECK(List(*store, "a", 1) == std::vector<std::string>{long_id});
  CHECK(List(*store, long_id, 5) == std::vector<std::string>{"z"});
  auto found = store->FindCustomer(List(*store, "a", 1)[0]);
  REQUIRE(found.ok());
  CHECK(*found != nullptr);
}

TEST_CASE("DeleteKeyedState: gone in the batch, after commit and after reopen") {
  testing::TempDir dir;
  RuleState state;
  state.rule_key = 5;
  state.open = {{100, 1}};
  {
    auto store = OpenStore(dir);
    REQUIRE(store->PutKeyedState("ord-1", state).ok());
    REQUIRE(store->PutKeyedState("ord-2", state).ok());
    REQUIRE(store->Commit().ok());
    REQUIRE(store->DeleteKeyedState(5, "ord-1").ok());
    REQUIRE(store->DeleteKeyedState(5, "ord-9").ok());  // absent: not an error
    CHECK_FALSE(store->FindKeyedState(5, "ord-1")->has_value());
    REQUIRE(store->FindKeyedState(5, "ord-2")->has_value());
    CHECK((*store->FindKeyedState(5, "ord-2"))->open == state.open);
    // Put after delete in one batch: the put wins.
    REQUIRE(store->PutKeyedState("ord-3", state).ok());
    REQUIRE(store->DeleteKeyedState(5, "ord-3").ok());
    REQUIRE(store->PutKeyedState("ord-3", state).ok());
    REQUIRE(store->Commit().ok());
    CHECK_FALSE(store->FindKeyedState(5, "ord-1")->has_value());
  }
  auto store = OpenStore(dir);
  CHECK_FALSE(store->FindKeyedState(5, "ord-1")->has_value());
  CHECK(store->FindKeyedState(5, "ord-2")->has_value());
  CHECK(store->FindKeyedState(5, "ord-3")->has_value());
}

}  // namespace
}  // namespace patron
