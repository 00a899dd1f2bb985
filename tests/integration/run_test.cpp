// `patron run --core` against a real nats-server: events in, actions out on
// their subjects, dead letters, shutdown on SIGTERM with everything
// committed, `patron inspect` of the result, and no duplicate actions when
// the same events come again after a restart.

#include <catch2/catch.hpp>

#include <nats/nats.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include <boost/json.hpp>

#include "base/time.hpp"
#include "tests/integration/json_fields.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

const std::string kExample = PATRON_SOURCE_DIR "/examples/restaurant";
const std::string kEvents = kExample + "/events.jsonl";
const std::string kGolden = PATRON_SOURCE_DIR "/tests/integration/golden/restaurant.actions.jsonl";
constexpr std::chrono::seconds kBound{30};

struct Received {
  std::string subject;
  std::string payload;
};

// A plain nats.c subscriber that keeps every message it receives.
class Listener {
 public:
  Listener(const std::string& url, const std::string& subject) {
    natsOptions* opts = nullptr;
    natsOptions_Create(&opts);
    natsOptions_SetURL(opts, url.c_str());
    status_ = natsConnection_Connect(&conn_, opts);
    natsOptions_Destroy(opts);
    if (status_ == NATS_OK)
      status_ = natsConnection_Subscribe(&sub_, conn_, subject.c_str(), &OnMessage, this);
    if (status_ == NATS_OK) status_ = natsConnection_Flush(conn_);
  }
  ~Listener() {
    if (sub_ != nullptr) natsSubscription_Unsubscribe(sub_);
    natsSubscription_Destroy(sub_);
    natsConnection_Destroy(conn_);
  }
  bool ok() const { return status_ == NATS_OK; }
  std::vector<Received> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }
  void Publish(const std::string& subject, const std::string& payload) {
    natsConnection_Publish(conn_, subject.c_str(), payload.data(), static_cast<int>(payload.size()));
    natsConnection_Flush(conn_);
  }

 private:
  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<Listener*>(closure);
    Received r{natsMsg_GetSubject(msg), std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg))};
    natsMsg_Destroy(msg);
    std::lock_guard lock(self->mutex_);
    self->messages_.push_back(std::move(r));
  }

  natsStatus status_ = NATS_ERR;
  natsConnection* conn_ = nullptr;
  natsSubscription* sub_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<Received> messages_;
};

// Whether an action was made by an event at that event's time (not by a
// deadline, a wait or a quiet-hours deferral): `patron run` fires the
// time-driven ones by the wall clock, so only these come in replay's order.
bool EventDriven(const std::string& action, const std::map<std::string, std::string>& event_times) {
  std::string cause = Field(action, "data.cause.event");
  if (cause.rfind("emit-", 0) == 0) return true;
  auto it = event_times.find(cause);
  return it != event_times.end() && ParseRfc3339(it->second) == ParseRfc3339(Field(action, "time"));
}

std::map<std::string, std::string> EventTimes(const std::string& events_file) {
  std::map<std::string, std::string> times;
  for (const std::string& line : Lines(ReadFile(events_file))) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    times[Field(v, "id")] = Field(v, "time");
  }
  return times;
}

std::vector<std::string> RunArgs(const NatsServer& server, const std::string& data) {
  return {PatronBinary(), "run",    "--core", "--rules",      kExample, "--nats",
          server.url(),   "--data", data,     "--log-format", "json"};
}

bool Listening(const Process& engine) {
  return engine.err().find("listening on patron.events.>") != std::string::npos;
}

TEST_CASE("run: actions on their subjects, dead letters, SIGTERM, inspect, no duplicates after restart",
          "[integration][run]") {
  NatsServer server;
  Status started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  TempDir dir;
  const std::string data = (dir.path() / "data").string();  // run creates it

  Listener actions(server.url(), "patron.actions.>");
  Listener dead(server.url(), "patron.dead");
  REQUIRE(actions.ok());
  REQUIRE(dead.ok());
  const std::map<std::string, std::string> event_times = EventTimes(kEvents);
  std::vector<std::string> golden;  // replay's event-driven actions, in order
  for (const std::string& line : Lines(ReadFile(kGolden)))
    if (!line.empty() && EventDriven(line, event_times)) golden.push_back(line);
  REQUIRE(golden.size() > 100);
  auto event_driven = [&] {
    std::vector<Received> out;
    for (Received& r : actions.messages())
      if (EventDriven(r.payload, event_times)) out.push_back(std::move(r));
    return out;
  };

  {
    Process engine(RunArgs(server, data));
    REQUIRE(engine.started());
    REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
    INFO(engine.Describe());
    REQUIRE(Listening(engine));

    Ran published = RunPatron({"publish", "--nats", server.url(), "--events", kEvents});
    INFO(published.described);
    REQUIRE(published.code == 0);
    CHECK(published.out == "published 63 events\n");
    actions.Publish("patron.events.order.completed", "{\"specversion\":\"1.0\", this is not json");

    REQUIRE(WaitUntil([&] { return event_driven().size() >= golden.size() && dead.count() >= 1; }, kBound));
    // The same event-driven actions as `patron replay`, in the same order,
    // each on <prefix>.actions.<kind>.<store or _>. (The time-driven ones
    // fire by the wall clock here: every deadline of March 2026 is past.)
    auto got = event_driven();
    REQUIRE(got.size() == golden.size());
    for (size_t i = 0; i < got.size(); ++i) {
      INFO("action " << i + 1 << ": " << got[i].payload);
      CHECK(got[i].payload == golden[i]);
      std::string store = Field(got[i].payload, "data.store");
      if (store == "<missing>") store = "_";
      CHECK(got[i].subject == "patron.actions." + Field(got[i].payload, "data.action") + "." + store);
    }
    auto dead_letters = dead.messages();
    REQUIRE(dead_letters.size() == 1);
    CHECK(dead_letters[0].subject == "patron.dead");
    const std::string& d = dead_letters[0].payload;
    CHECK(Field(d, "subject") == "patron.events.order.completed");
    CHECK(Field(d, "message") == "{\"specversion\":\"1.0\", this is not json");
    CHECK_FALSE(Field(d, "reason").empty());

    engine.Signal(SIGTERM);
    auto code = engine.Wait(kBound);
    INFO(engine.Describe());
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    // The last log line has the totals.
    auto log = Lines(engine.err());
    REQUIRE_FALSE(log.empty());
    CHECK(Field(log.back(), "level") == "info");
    CHECK(Field(log.back(), "msg")
              .find("64 events read, 62 processed, 1 duplicate, 1 rejected, 2 emitted, ") != std::string::npos);
    // No log line carries a phone number of the example in full.
    CHECK(engine.err().find("13911112222") == std::string::npos);
  }

  // The committed profile of 张伟 (phone 139 1111 2222): registered on
  // 2026-03-01, then his orders in events.jsonl.
  Ran inspect = RunPatron({"inspect", "--data", data, "customer", "13911112222"});
  INFO(inspect.described);
  REQUIRE(inspect.code == 0);
  boost::json::value profile = boost::json::parse(inspect.out);
  CHECK(Field(profile, "name") == "张伟");
  CHECK(Field(profile, "phone") == "139****2222");
  CHECK(Field(profile, "birthday") == "****-05-12");
  CHECK(inspect.out.find("13911112222") == std::string::npos);
  Ran unmasked = RunPatron({"inspect", "--data", data, "customer", "+86 139 1111 2222", "--unmasked"});
  INFO(unmasked.described);
  REQUIRE(unmasked.code == 0);
  CHECK(Field(unmasked.out, "phone") == "13911112222");
  Ran nobody = RunPatron({"inspect", "--data", data, "customer", "13000000000"});
  CHECK(nobody.code == 1);
  CHECK(nobody.err.find("no customer '130****0000'") != std::string::npos);

  // Restart on the same data: the same events again are duplicates and
  // send nothing; a new event afterwards shows that all were processed.
  {
    Process engine(RunArgs(server, data));
    REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
    INFO(engine.Describe());
    REQUIRE(Listening(engine));
    const size_t before = actions.count();
    Ran again = RunPatron({"publish", "--nats", server.url(), "--events", kEvents});
    REQUIRE(again.code == 0);
    actions.Publish(
        "patron.events.stock.low",
        R"({"specversion":"1.0","id":"inv-after-restart","source":"inventory/s015","type":"stock.low",)"
        R"("time":"2026-03-20T09:00:00+08:00","data":{"store":"s015","sku":"douban","item":"郫县豆瓣","qty":1,"unit":"袋"}})");
    // Two rules remind about low stock: purchasing, and the store manager
    // (at most once a day per store).
    REQUIRE(WaitUntil([&] { return actions.count() >= before + 2; }, kBound));
    engine.Signal(SIGTERM);
    auto code = engine.Wait(kBound);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    auto got = actions.messages();
    REQUIRE(got.size() == before + 2);
    for (size_t i = before; i < got.size(); ++i) {
      CHECK(Field(got[i].payload, "data.cause.event") == "inv-after-restart");
      CHECK(got[i].subject == "patron.actions.remind.s015");
    }
    CHECK(Field(Lines(engine.err()).back(), "msg")
              .find("64 events read, 1 processed, 63 duplicates, 0 rejected, 1 late, 2 actions") != std::string::npos);
  }
}

TEST_CASE("run, publish, subscribe: settings from --config, flags win over it", "[integration][run]") {
  NatsServer server;
  Status started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  TempDir dir;
  const std::string config = (dir.path() / "patron.toml").string();
  WriteFile(config, "[nats]\nurl = \"" + server.url() + "\"\nsubject_prefix = \"chain1\"\n" +
                        "[engine]\nrules = \"" + kExample +
                        "\"\ndata = \"state\"\n[log]\nformat = \"json\"\n");
  const std::string events = (dir.path() / "events.jsonl").string();
  WriteFile(
      events,
      R"({"specversion":"1.0","id":"inv-cfg-1","source":"inventory/s015","type":"stock.low",)"
      R"("time":"2026-03-20T09:00:00+08:00","data":{"store":"s015","sku":"douban","item":"郫县豆瓣","qty":1,"unit":"袋"}})"
      "\n");

  // The subject prefix of the file is replaced by the flag everywhere.
  Process listener({PatronBinary(), "subscribe", "--config", config, "--subject", "chain2.actions.>",
                    "--count", "1", "--timeout-ms", "30000", "--with-subject"});
  REQUIRE(WaitUntil(
      [&] { return listener.err().find("subscribed to chain2.actions.>") != std::string::npos; }, kBound));
  Process engine({PatronBinary(), "run", "--core", "--config", config, "--subject-prefix", "chain2"});
  REQUIRE(WaitUntil(
      [&] {
        return engine.err().find("listening on chain2.events.>") != std::string::npos || !engine.running();
      },
      kBound));
  INFO(engine.Describe());
  REQUIRE(engine.running());
  Ran published =
      RunPatron({"publish", "--config", config, "--subject-prefix", "chain2", "--events", events});
  INFO(published.described);
  REQUIRE(published.code == 0);
  CHECK(published.out == "published 1 event\n");

  auto received = listener.Wait(kBound);
  INFO(listener.Describe());
  REQUIRE(received.has_value());
  CHECK(*received == 0);
  auto lines = Lines(listener.out());
  REQUIRE(lines.size() == 1);
  REQUIRE(lines[0].find('\t') != std::string::npos);
  CHECK(lines[0].substr(0, lines[0].find('\t')) == "chain2.actions.remind.s015");
  CHECK(Field(lines[0].substr(lines[0].find('\t') + 1), "data.cause.event") == "inv-cfg-1");

  engine.Signal(SIGINT);
  auto code = engine.Wait(kBound);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  // [log] format = "json" from the file; [engine] data relative to it.
  CHECK(Field(Lines(engine.err()).back(), "msg").find("1 event read, 1 processed") != std::string::npos);
  CHECK(std::filesystem::is_directory(dir.path() / "state"));
}

TEST_CASE("subscribe: --count not reached before the silence timeout exits 1", "[integration][run]") {
  NatsServer server;
  REQUIRE(server.Start().ok());
  Ran r = RunPatron(
      {"subscribe", "--nats", server.url(), "--subject", "nobody.>", "--count", "2", "--timeout-ms", "100"});
  INFO(r.described);
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("received 0 of 2 messages before 100 ms of silence") != std::string::npos);
}

TEST_CASE("run: an unreachable server or data directory is reported and exits 1", "[integration][run]") {
  TempDir dir;
  // A port nobody listens on: the server was started and stopped.
  std::string url;
  {
    NatsServer server;
    REQUIRE(server.Start().ok());
    url = server.url();
  }
  // run waits for a server (forever by default); bounded here.
  Ran r = RunPatron({"run", "--core", "--rules", kExample, "--nats", url, "--data", (dir.path() / "d").string(),
                     "--nats-connect-wait-ms", "300"});
  INFO(r.described);
  CHECK(r.code == 1);
  CHECK(r.err.find(url) != std::string::npos);
  CHECK(r.err.find("not reachable (attempt 1)") != std::string::npos);

  const std::string file = (dir.path() / "a-file").string();
  WriteFile(file, "x");
  Ran bad_dir = RunPatron({"run", "--core", "--rules", kExample, "--nats", url, "--data", file + "/sub"});
  INFO(bad_dir.described);
  CHECK(bad_dir.code == 1);
}

}  // namespace
}  // namespace patron::testing
