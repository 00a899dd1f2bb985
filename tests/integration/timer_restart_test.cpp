// `patron run --core` killed with SIGKILL around its wall-clock timers: an
// absence deadline armed before the kill fires exactly once after the
// restart, and a kill while timers are firing loses none and fires none
// twice.
//
// The proof of exactly-once is the durable profile: the rule's `points 1`
// is committed in the same LMDB transaction as the firing, so a customer
// whose timer fired twice would show 2 points, and one whose firing was lost
// would keep 0. Actions leave through the durable outbox; core NATS has no
// de-duplication, so a row published just before a kill and not yet marked
// sent goes out again after the restart with the same id and the same bytes
// (at least once on the wire; consumers drop repeated ids). The action
// stream is checked for what must never happen (two different actions with
// one id, a wrong deadline, a customer messaged twice once repeats are
// dropped), and after a graceful stop every action has left.
//
// The deadlines are a few seconds after the wall clock (events stamped one
// day ago for a one-day silence). Nothing here asserts how long anything
// took: the tests wait, bounded, for states (committed orders, points, the
// wall clock past a deadline), and assert only what a correct engine must
// show whatever the timing. Where the timing of a slow machine defeats the
// scenario (the kill lands after the first deadline), a WARN says so.

#include <catch2/catch.hpp>

#include <time.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/json_fields.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

constexpr std::chrono::seconds kBound{30};
constexpr int64_t kDaySeconds = 24 * 60 * 60;

constexpr const char* kRules = R"(rule "Wake"
  when no order.completed for 1 day
  then
    points 1
    tag "woken"
    message sms "we miss you"
end
)";

int64_t WallSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-11-22T11:12:05Z", computed with the C library, not with Patron's code.
std::string Utc(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char text[32];
  strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// One customer of a test: their id and when their silence ends.
struct Sleeper {
  std::string id;
  int64_t deadline = 0;  // seconds since the epoch: their order's time + 1 day
};

// One order per customer, stamped a day before their deadline.
std::string OrderEvents(const std::vector<Sleeper>& sleepers) {
  std::string lines;
  for (const Sleeper& s : sleepers) {
    lines += R"({"specversion":"1.0","id":"o-)" + s.id +
             R"(","source":"pos/s001","type":"order.completed",)" + R"("time":")" +
             Utc(s.deadline - kDaySeconds) + R"(","data":{"customer":{"id":")" + s.id +
             R"("},"store":"s001","amount":10}})" + "\n";
  }
  return lines;
}

// A member of the committed profile, read by `patron inspect` while (or
// after) `patron run` uses the directory; nullopt while the customer is
// unknown.
std::optional<std::string> Profile(const std::string& data, const std::string& id, const char* field) {
  Ran r = RunPatron({"inspect", "--data", data, "customer", id}, kBound);
  if (r.code != 0) return std::nullopt;
  return Field(r.out, field);
}

// How many of `sleepers` have `points` == 1. Fails the test on a value that
// is neither 0 nor 1 (a timer fired twice).
size_t CountWoken(const std::string& data, const std::vector<Sleeper>& sleepers) {
  size_t woken = 0;
  for (const Sleeper& s : sleepers) {
    std::optional<std::string> points = Profile(data, s.id, "points");
    if (!points) continue;
    INFO(s.id << " has " << *points << " points");
    REQUIRE((*points == "0" || *points == "1"));
    if (*points == "1") ++woken;
  }
  return woken;
}

bool AllOrdersCommitted(const std::string& data, const std::vector<Sleeper>& sleepers) {
  for (const Sleeper& s : sleepers) {
    if (Profile(data, s.id, "orders") != std::optional<std::string>("1")) return false;
  }
  return true;
}

// The test's world: a nats-server, a rule set, a data directory, and a
// `patron subscribe` on every action.
class World {
 public:
  void Start() {
    Status started = server_.Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    rules_ = (dir_.path() / "wake.rules").string();
    WriteFile(rules_, kRules);
    data_ = (dir_.path() / "data").string();
    // --timeout-ms: it ends by itself should this test die without its
    // destructors (no test here is silent for that long).
    subscriber_ = std::make_unique<Process>(
        std::vector<std::string>{PatronBinary(), "subscribe", "--nats", server_.url(), "--subject",
                                 "patron.actions.>", "--timeout-ms", "120000"});
    REQUIRE(WaitUntil([&] { return subscriber_->err().find("subscribed to") != std::string::npos; }, kBound));
  }

  // `patron run --core` on the data directory, listening.
  std::unique_ptr<Process> StartEngine() {
    auto engine = std::make_unique<Process>(
        std::vector<std::string>{PatronBinary(), "run", "--core", "--rules", rules_, "--nats", server_.url(),
                                 "--data", data_, "--log-format", "json"});
    REQUIRE(WaitUntil(
        [&] {
          return engine->err().find("listening on patron.events.>") != std::string::npos ||
                 !engine->running();
        },
        kBound));
    INFO(engine->Describe());
    REQUIRE(engine->running());
    return engine;
  }

  void Publish(const std::string& events) {
    const std::string file = (dir_.path() / "events.jsonl").string();
    WriteFile(file, events);
    Ran published = RunPatron({"publish", "--nats", server_.url(), "--events", file}, kBound);
    INFO(published.described);
    REQUIRE(published.code == 0);
  }

  static void Kill(Process& engine) {
    engine.Signal(SIGKILL);
    auto code = engine.Wait(kBound);
    REQUIRE(code.has_value());
    CHECK(*code == 128 + SIGKILL);
  }

  // Every action received so far, one JSON text each.
  std::vector<std::string> Actions() const { return Lines(subscriber_->out()); }
  const std::string& data() const { return data_; }

 private:
  NatsServer server_;
  TempDir dir_;
  std::string rules_;
  std::string data_;
  std::unique_ptr<Process> subscriber_;
};

// Checks the action stream: an id seen again carries the same bytes (an
// outbox row sent again after a kill) and is dropped, as a consumer does;
// every message action of "Wake" is caused by its customer's deadline (not
// by an event) and runs at it. Returns the distinct message actions per
// customer.
std::map<std::string, int> CheckActions(const std::vector<std::string>& actions,
                                        const std::vector<Sleeper>& sleepers) {
  std::map<std::string, int64_t> deadline_of;
  for (const Sleeper& s : sleepers) deadline_of[s.id] = s.deadline;
  std::map<std::string, std::string> seen;  // id -> the action's bytes
  std::map<std::string, int> messages;
  for (const std::string& action : actions) {
    INFO(action);
    auto [it, first] = seen.emplace(Field(action, "id"), action);
    if (!first) {
      CHECK(it->second == action);  // the same action again, never another one
      continue;
    }
    CHECK(Field(action, "data.rule") == "Wake");
    const std::string customer = Field(action, "subject");
    REQUIRE(deadline_of.count(customer) == 1);
    if (Field(action, "data.action") != "message") continue;
    ++messages[customer];
    CHECK(Field(action, "data.cause.deadline") == Utc(deadline_of[customer]));
    CHECK(Field(action, "data.cause.event") == "<missing>");
    CHECK(Field(action, "time") == Utc(deadline_of[customer]));
    CHECK(Field(action, "data.message.template") == "we miss you");
  }
  return messages;
}

TEST_CASE("run: a deadline armed before kill -9 fires once after the restart", "[integration][run][timers]") {
  World world;
  world.Start();
  auto engine = world.StartEngine();

  // Deadlines 4..8 s from now, one per customer.
  const int64_t t0 = WallSeconds();
  std::vector<Sleeper> sleepers;
  for (int k = 0; k < 5; ++k) sleepers.push_back({"armed-" + std::to_string(k), t0 + 4 + k});
  world.Publish(OrderEvents(sleepers));
  // Committed: the orders and, in the same transaction, the armed timers.
  REQUIRE(WaitUntil([&] { return AllOrdersCommitted(world.data(), sleepers); }, kBound));
  World::Kill(*engine);

  const int64_t killed_by = WallSeconds();
  const size_t woken_before = CountWoken(world.data(), sleepers);
  if (killed_by < sleepers.front().deadline) {
    CHECK(woken_before == 0);  // no timer fires before its deadline
  } else {
    WARN("the kill came after the first deadline; " << woken_before << " fired before it");
  }

  // Restart only once every deadline has passed: they fire at start.
  REQUIRE(WaitUntil([&] { return WallSeconds() > sleepers.back().deadline; }, kBound));
  engine = world.StartEngine();
  REQUIRE(WaitUntil([&] { return CountWoken(world.data(), sleepers) == sleepers.size(); }, kBound));
  // Three actions per firing (points, tag, message), or fewer for those
  // that fired, and were published or lost, before the kill.
  const size_t expected = 3 * (sleepers.size() - woken_before);
  REQUIRE(WaitUntil([&] { return world.Actions().size() >= expected; }, kBound));

  engine->Signal(SIGTERM);
  auto code = engine->Wait(kBound);
  INFO(engine->Describe());
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  auto log = Lines(engine->err());
  REQUIRE_FALSE(log.empty());
  CHECK(Field(log.back(), "msg").find(", " + std::to_string(sleepers.size() - woken_before) + " fired") !=
        std::string::npos);

  // The durable proof after a clean stop: one point each, never two.
  CHECK(CountWoken(world.data(), sleepers) == sleepers.size());
  for (const Sleeper& s : sleepers) CHECK(Profile(world.data(), s.id, "tags") == R"(["woken"])");
  auto actions = world.Actions();
  auto messages = CheckActions(actions, sleepers);
  if (woken_before == 0) {
    std::set<std::string> ids;
    for (const std::string& action : actions) ids.insert(Field(action, "id"));
    CHECK(ids.size() == expected);
    for (const Sleeper& s : sleepers) CHECK(messages[s.id] == 1);
  }
}

TEST_CASE("run: kill -9 while timers fire loses none and fires none twice", "[integration][run][timers]") {
  World world;
  world.Start();
  auto engine = world.StartEngine();

  // Two deadlines a second, 3..6 s from now.
  const int64_t t0 = WallSeconds();
  std::vector<Sleeper> sleepers;
  for (int k = 0; k < 8; ++k) sleepers.push_back({"firing-" + std::to_string(k), t0 + 3 + k / 2});
  world.Publish(OrderEvents(sleepers));
  REQUIRE(WaitUntil([&] { return AllOrdersCommitted(world.data(), sleepers); }, kBound));
  // Kill as soon as the first firing is committed.
  REQUIRE(WaitUntil(
      [&] {
        std::vector<Sleeper> first(sleepers.begin(), sleepers.begin() + 2);
        return CountWoken(world.data(), first) > 0;
      },
      kBound));
  World::Kill(*engine);
  const size_t woken_before = CountWoken(world.data(), sleepers);
  if (woken_before == sleepers.size()) WARN("every timer fired before the kill");
  INFO(woken_before << " fired before the kill");

  // Restart at once: the deadlines already past fire at start, the others
  // when the wall clock reaches them.
  engine = world.StartEngine();
  REQUIRE(WaitUntil([&] { return CountWoken(world.data(), sleepers) == sleepers.size(); }, kBound));
  engine->Signal(SIGTERM);
  auto code = engine->Wait(kBound);
  INFO(engine->Describe());
  REQUIRE(code.has_value());
  CHECK(*code == 0);

  CHECK(CountWoken(world.data(), sleepers) == sleepers.size());
  auto messages = CheckActions(world.Actions(), sleepers);
  for (const auto& [customer, n] : messages) CHECK(n == 1);
}

}  // namespace
}  // namespace patron::testing
