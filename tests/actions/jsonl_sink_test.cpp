// actions/jsonl_sink: JSON lines to files, dead letters to a second file,
// per-rule counts.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "actions/action_json.hpp"
#include "actions/jsonl_sink.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Action MakeAction(const std::string& rule, const std::string& tag) {
  Action a;
  a.id = "id-" + tag;
  a.kind = ActionKind::kTag;
  a.rule = rule;
  a.time = 0;
  a.tag = tag;
  return a;
}

}  // namespace

TEST_CASE("JsonlSink writes one line per action and per dead letter", "[jsonl_sink]") {
  testing::TempDir dir;
  const std::string out = dir.str() + "/actions.jsonl";
  const std::string dead_path = dir.str() + "/dead.jsonl";
  JsonlSinkOptions options;
  options.buffer_bytes = 64;  // small, so that buffers fill and write on their own
  auto opened = JsonlSink::Open(out, dead_path, options);
  REQUIRE(opened.ok());
  JsonlSink& sink = **opened;

  REQUIRE(sink.Publish(MakeAction("b", "t1")).ok());
  REQUIRE(sink.Publish(MakeAction("a", "t2")).ok());
  REQUIRE(sink.Publish(MakeAction("b", "t3")).ok());
  DeadLetter d;
  d.message = "{bad";
  d.reason = "not valid JSON at offset 4: incomplete JSON";
  d.origin = DeliveryToken::Line(7);
  REQUIRE(sink.PublishDead(d).ok());
  d.origin = {};
  REQUIRE(sink.PublishDead(d).ok());
  REQUIRE(sink.Flush().ok());

  CHECK(
      ReadFile(out) ==
      R"({"specversion":"1.0","id":"id-t1","source":"patron","type":"patron.action.tag","time":"1970-01-01T00:00:00Z","data":{"rule":"b","action":"tag","cause":{},"tag":"t1"}})"
      "\n"
      R"({"specversion":"1.0","id":"id-t2","source":"patron","type":"patron.action.tag","time":"1970-01-01T00:00:00Z","data":{"rule":"a","action":"tag","cause":{},"tag":"t2"}})"
      "\n"
      R"({"specversion":"1.0","id":"id-t3","source":"patron","type":"patron.action.tag","time":"1970-01-01T00:00:00Z","data":{"rule":"b","action":"tag","cause":{},"tag":"t3"}})"
      "\n");
  CHECK(ReadFile(dead_path) ==
        R"({"reason":"not valid JSON at offset 4: incomplete JSON","line":7,"message":"{bad","message_bytes":0,"message_hash":"0000000000000000"})"
        "\n"
        R"({"reason":"not valid JSON at offset 4: incomplete JSON","message":"{bad","message_bytes":0,"message_hash":"0000000000000000"})"
        "\n");
  CHECK(sink.actions_written() == 3);
  CHECK(sink.dead_letters() == 2);
  CHECK(sink.actions_per_rule() == std::map<std::string, uint64_t, std::less<>>{{"a", 1}, {"b", 2}});
}

TEST_CASE("JsonlSink buffers until Flush or destruction", "[jsonl_sink]") {
  testing::TempDir dir;
  const std::string out = dir.str() + "/a.jsonl";
  {
    auto opened = JsonlSink::Open(out, "");
    REQUIRE(opened.ok());
    REQUIRE((*opened)->Publish(MakeAction("r", "x")).ok());
    CHECK(ReadFile(out).empty());  // 1 MiB buffer: nothing written yet
    DeadLetter d;
    d.message = "m";
    d.reason = "r";
    REQUIRE((*opened)->PublishDead(d).ok());  // no dead file: only counted
    CHECK((*opened)->dead_letters() == 1);
  }
  std::string expected;
  AppendActionJson(expected, MakeAction("r", "x"));
  CHECK(ReadFile(out) == expected + "\n");
}

TEST_CASE("JsonlSink reports a file it cannot create", "[jsonl_sink]") {
  testing::TempDir dir;
  auto opened = JsonlSink::Open(dir.str() + "/no/such/dir/a.jsonl", "");
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == StatusCode::kIoError);
  CHECK(opened.status().message().find("no/such/dir/a.jsonl") != std::string::npos);
  auto dead = JsonlSink::Open(dir.str() + "/a.jsonl", dir.str() + "/missing/d.jsonl");
  REQUIRE_FALSE(dead.ok());
  CHECK(dead.status().message().find("missing/d.jsonl") != std::string::npos);
}

}  // namespace patron
