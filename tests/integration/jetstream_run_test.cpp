// A real `patron run` on JetStream (the default) against a real nats-server
// with its store on disk: events published while the engine is down are
// processed when it starts; a kill -9 and a restart send no action twice and
// lose none (the action ids equal a clean replay's, each once in the actions
// stream); a connection closed for good (a reconnect budget of 0 and a
// server restart) is built again and the engine goes on by itself.

#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/json_fields.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/message_collector.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/jetstream_streams.hpp"

namespace patron::testing {
namespace {

const std::string kEvents = PATRON_SOURCE_DIR "/examples/restaurant/events.jsonl";
constexpr std::chrono::seconds kBound{60};

// Event-driven rules only, so that run and replay must give the same ids
// whatever the wall clock says.
constexpr const char* kRules = R"(
rule "welcome"
  when first order.completed
  then coupon "WELCOME" value 10
end
rule "big spender"
  when sum(order.completed.amount) > 200
  then tag "big"
end
rule "bad review"
  when review.posted where event.rating <= 2
  then ticket "bad review" priority high
end
)";

std::string WriteRules(const TempDir& dir) {
  const std::string path = (dir.path() / "test.rules").string();
  std::ofstream(path) << kRules;
  return path;
}

std::vector<std::string> RunArgs(const NatsServer& server, const std::string& rules, const std::string& data,
                                 std::vector<std::string> more = {}) {
  std::vector<std::string> args = {PatronBinary(), "run", "--rules", rules, "--nats", server.url(), "--data", data};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

bool Listening(const Process& engine) { return engine.err().find("listening on patron.events.>") != std::string::npos; }

// The ids of a replay's actions (stdout, one JSON line each).
std::multiset<std::string> ReplayIds(const std::string& rules) {
  Ran replay = RunPatron({"replay", "--rules", rules, "--events", kEvents});
  INFO(replay.described);
  REQUIRE(replay.code == 0);
  std::multiset<std::string> ids;
  for (const std::string& line : Lines(replay.out)) ids.insert(Field(line, "id"));
  return ids;
}

// The distinct ids of the actions a subscriber saw (JetStream publishes
// reach core subscribers too, a republished one also when the stream drops
// it as a duplicate: count the stream's messages for that).
std::set<std::string> ActionIds(MessageCollector& actions) {
  std::set<std::string> ids;
  for (const ReceivedMessage& m : actions.messages())
    if (m.subject.rfind("patron.actions.", 0) == 0) ids.insert(Field(m.data, "id"));
  return ids;
}

// A nats-server with JetStream on disk, the rules in a temp dir, a data
// directory, and the ids a clean replay gives.
struct Live {
  Live() : server([] {
    NatsServerOptions so;
    so.jetstream = true;
    return so;
  }()) {
    RequireStarted(server);
    rules = WriteRules(dir);
    data = (dir.path() / "data").string();
    expected = ReplayIds(rules);
  }
  std::set<std::string> ExpectedSet() const { return {expected.begin(), expected.end()}; }

  NatsServer server;
  TempDir dir;
  std::string rules, data;
  std::multiset<std::string> expected;
};

void Stop(Process& engine) {
  engine.Signal(SIGTERM);
  auto code = engine.Wait(kBound);
  INFO(engine.Describe());
  REQUIRE(code.has_value());
  CHECK(*code == 0);
}

TEST_CASE("run on JetStream: events from while it was down are taken, and a kill -9 loses and repeats nothing",
          "[integration][run][jetstream]") {
  Live live;
  NatsServer& server = live.server;
  const std::string& rules = live.rules;
  const std::string& data = live.data;
  const std::multiset<std::string>& expected = live.expected;
  REQUIRE(expected.size() > 20);
  REQUIRE(std::set<std::string>(expected.begin(), expected.end()).size() == expected.size());

  NatsConnection client = RequireConnect(server.url());
  MessageCollector actions;
  auto sub = client.Subscribe("patron.actions.>", actions.Handler());
  REQUIRE(sub.ok());
  REQUIRE(client.Flush(std::chrono::seconds(5)).ok());
  {
    // A first start creates the streams; then the engine is down while the
    // first half of the events is published.
    Process engine(RunArgs(server, rules, data));
    REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
    INFO(engine.Describe());
    REQUIRE(Listening(engine));
    Stop(engine);
  }
  Ran published = RunPatron({"publish", "--nats", server.url(), "--events", kEvents});
  INFO(published.described);
  REQUIRE(published.code == 0);
  {
    // Killed as soon as it started taking them: some committed, some not,
    // some published and not marked sent.
    Process engine(RunArgs(server, rules, data, {"--batch-size", "4"}));
    REQUIRE(WaitUntil([&] { return actions.messages().size() >= 3 || !engine.running(); }, kBound));
    engine.Signal(SIGKILL);
    REQUIRE(engine.Wait(kBound) == 128 + SIGKILL);
  }
  Process engine(RunArgs(server, rules, data));
  REQUIRE(WaitUntil([&] { return ActionIds(actions).size() >= expected.size() || !engine.running(); }, kBound));
  Stop(engine);  // drains, commits and settles the outbox: the stream is final

  // Every action once in the stream: the subscriber may see a republished
  // one twice (the stream dropped it), the stream holds it once.
  CHECK(ActionIds(actions) == live.ExpectedSet());
  NatsConnection reader = RequireConnect(server.url());
  auto stream = EnsureStream(reader, ActionsStreamSettings("patron"));
  REQUIRE(stream.ok());
  CHECK(stream->messages == expected.size());
}

TEST_CASE("run on JetStream: a connection closed for good is built again, and the engine goes on by itself",
          "[integration][run][jetstream]") {
  Live live;
  NatsServer& server = live.server;
  const std::string& rules = live.rules;
  const std::string& data = live.data;
  const std::multiset<std::string>& expected = live.expected;

  Process engine(RunArgs(server, rules, data, {"--nats-max-reconnect", "0"}));
  REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
  INFO(engine.Describe());
  REQUIRE(Listening(engine));
  server.Kill();  // with no reconnect allowed, libnats closes the connection
  REQUIRE(WaitUntil([&] { return engine.err().find("connecting again") != std::string::npos; }, kBound));
  RequireStarted(server);  // the same port and store
  NatsConnection client = RequireConnect(server.url());
  MessageCollector actions;
  auto sub = client.Subscribe("patron.actions.>", actions.Handler());
  REQUIRE(sub.ok());
  REQUIRE(client.Flush(std::chrono::seconds(5)).ok());
  // The engine connects again on its own (it waits for the server forever).
  REQUIRE(WaitUntil([&] { return engine.err().find("NATS connected") != std::string::npos || !engine.running(); },
                    kBound));
  Ran published = RunPatron({"publish", "--nats", server.url(), "--events", kEvents});
  REQUIRE(published.code == 0);
  REQUIRE(WaitUntil([&] { return ActionIds(actions).size() >= expected.size() || !engine.running(); }, kBound));
  CHECK(engine.running());
  Stop(engine);
  CHECK(ActionIds(actions) == live.ExpectedSet());
}

}  // namespace
}  // namespace patron::testing
