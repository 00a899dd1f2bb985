// A real `patron run --core` and the data directory it owns, and its
// signals: a second `run` (or `replay --data`) on the same directory is
// refused, naming the owner's PID, and the first goes on unaffected
// (`inspect` still reads it: readers take no lock); SIGHUP is logged and
// ignored; SIGTERM after it drains and exits 0 with no warning or error in
// the log; a run killed with SIGKILL leaves a LOCK file that does not block
// the next start.

#include <catch2/catch.hpp>

#include <signal.h>

#include <string>
#include <vector>

#include "tests/integration/json_fields.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/message_collector.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

const std::string kExample = PATRON_SOURCE_DIR "/examples/restaurant";
const std::string kEvents = kExample + "/events.jsonl";
constexpr std::chrono::seconds kBound{30};

std::vector<std::string> RunArgs(const NatsServer& server, const std::string& data) {
  return {PatronBinary(), "run", "--core",       "--rules", kExample,      "--nats", server.url(),
          "--data",       data,  "--log-format", "json",    "--log-level", "info"};
}

bool Logged(const Process& engine, const std::string& text) {
  return engine.err().find(text) != std::string::npos;
}

bool Listening(const Process& engine) { return Logged(engine, "listening on patron.events.>"); }

TEST_CASE("run: one owner per data directory, SIGHUP ignored, a clean SIGTERM logs no warning",
          "[integration][run]") {
  NatsServer server;
  RequireStarted(server);
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  NatsConnection client = RequireConnect(server.url());
  MessageCollector dead;
  auto subscribed = client.Subscribe("patron.dead", dead.Handler());
  REQUIRE(subscribed.ok());
  REQUIRE(client.Flush(std::chrono::seconds(5)).ok());

  Process engine(RunArgs(server, data));
  REQUIRE(engine.started());
  REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
  INFO(engine.Describe());
  REQUIRE(Listening(engine));
  const std::string owner = std::to_string(engine.pid());
  CHECK(ReadFile(data + "/LOCK") == owner + "\n");

  // A second writer of the directory is refused and changes nothing.
  Ran second = RunPatron({"run", "--core", "--rules", kExample, "--nats", server.url(), "--data", data});
  INFO(second.described);
  CHECK(second.code == 1);
  CHECK_THAT(second.err, Catch::Contains("data directory " + data + " is in use by process " + owner));
  Ran replay = RunPatron({"replay", "--rules", kExample, "--events", kEvents, "--data", data});
  INFO(replay.described);
  CHECK(replay.code == 1);
  CHECK_THAT(replay.err, Catch::Contains("in use by process " + owner));
  CHECK(replay.out.empty());
  CHECK(ReadFile(data + "/LOCK") == owner + "\n");

  // SIGHUP: logged, and the engine goes on serving.
  engine.Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return Logged(engine, "received SIGHUP: ignored") || !engine.running(); }, kBound));
  REQUIRE(engine.running());
  Ran published = RunPatron({"publish", "--nats", server.url(), "--events", kEvents});
  INFO(published.described);
  REQUIRE(published.code == 0);
  // A malformed message last: its dead letter means everything before it was taken.
  REQUIRE(client.Publish("patron.events.order.completed", "not json").ok());
  REQUIRE(client.Flush(std::chrono::seconds(5)).ok());
  REQUIRE(dead.WaitForCount(1, kBound));
  CHECK(engine.running());

  // Readers take no lock: inspect reads the directory while run owns it.
  Ran inspect = RunPatron({"inspect", "--data", data, "customer", "13911112222"});
  INFO(inspect.described);
  CHECK(inspect.code == 0);

  engine.Signal(SIGTERM);
  auto code = engine.Wait(kBound);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  std::vector<std::string> log = Lines(engine.err());
  REQUIRE_FALSE(log.empty());
  for (const std::string& line : log) {
    INFO(line);
    std::string level = Field(line, "level");
    CHECK(level != "warning");
    CHECK(level != "warn");
    CHECK(level != "error");
    CHECK(level != "critical");
  }
  CHECK_THAT(Field(log.back(), "msg"), Catch::Contains("64 events read, 62 processed"));
}

TEST_CASE("run: a LOCK left by a run killed with SIGKILL does not block the next start",
          "[integration][run]") {
  NatsServer server;
  RequireStarted(server);
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  std::string killed_pid;
  {
    Process engine(RunArgs(server, data));
    REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
    INFO(engine.Describe());
    REQUIRE(Listening(engine));
    killed_pid = std::to_string(engine.pid());
    engine.Signal(SIGKILL);
    REQUIRE(engine.Wait(kBound) == 128 + SIGKILL);
  }
  CHECK(ReadFile(data + "/LOCK") == killed_pid + "\n");  // left behind
  Process next(RunArgs(server, data));
  REQUIRE(WaitUntil([&] { return Listening(next) || !next.running(); }, kBound));
  INFO(next.Describe());
  CHECK(Listening(next));
  CHECK(ReadFile(data + "/LOCK") == std::to_string(next.pid()) + "\n");
  next.Signal(SIGTERM);
  CHECK(next.Wait(kBound) == 0);
}

}  // namespace
}  // namespace patron::testing
