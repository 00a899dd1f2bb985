// `patron replay` through the built binary: the restaurant example against
// its golden actions, determinism, and rejected lines.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>

#include <boost/json.hpp>

#include "tests/integration/json_fields.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

const std::string kExample = PATRON_SOURCE_DIR "/examples/restaurant";
const std::string kEvents = kExample + "/events.jsonl";
const std::string kGolden = PATRON_SOURCE_DIR "/tests/integration/golden/restaurant.actions.jsonl";

TEST_CASE("replay: the restaurant example gives the golden actions", "[integration][replay]") {
  Ran r = RunPatron({"replay", "--rules", kExample, "--events", kEvents});
  INFO(r.described);
  REQUIRE(r.code == 0);
  if (const char* update = std::getenv("PATRON_UPDATE_GOLDEN");
      update != nullptr && std::string(update) == "1") {
    WriteFile(kGolden, r.out);
    WARN("rewrote " << kGolden);
  }
  std::string golden = ReadFile(kGolden);
  REQUIRE_FALSE(golden.empty());
  // Line by line first, for a readable failure.
  auto got = Lines(r.out);
  auto want = Lines(golden);
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    INFO("action line " << i + 1);
    CHECK(got[i] == want[i]);
  }
  CHECK(got.size() == want.size());
  CHECK(r.out == golden);
  // 63 lines: 62 events and a redelivery of one of them; VIP升级 emits
  // customer.became_vip twice.
  CHECK(r.err.find("replay: 63 events read, 62 processed, 1 duplicate, 0 rejected, 2 emitted, 110 actions") !=
        std::string::npos);
}

TEST_CASE("replay: every action line is a CloudEvent whose id is unique", "[integration][replay]") {
  auto lines = Lines(ReadFile(kGolden));
  REQUIRE_FALSE(lines.empty());
  std::set<std::string> ids;
  for (const auto& line : lines) {
    INFO(line);
    boost::json::value v = boost::json::parse(line);
    CHECK(Field(v, "specversion") == "1.0");
    CHECK(Field(v, "source") == "patron");
    CHECK(Field(v, "type") == "patron.action." + Field(v, "data.action"));
    CHECK(Field(v, "data.rule") != "<missing>");
    CHECK(ids.insert(Field(v, "id")).second);
  }
}

TEST_CASE("replay: the same inputs give the same bytes, to stdout or to --out", "[integration][replay]") {
  TempDir dir;
  const std::string out = (dir.path() / "actions.jsonl").string();
  Ran first = RunPatron({"replay", "--rules", kExample, "--events", kEvents});
  Ran second =
      RunPatron({"replay", "--rules", kExample, "--events", kEvents, "--out", out, "--batch-size", "1"});
  INFO(first.described);
  INFO(second.described);
  REQUIRE(first.code == 0);
  REQUIRE(second.code == 0);
  CHECK_FALSE(first.out.empty());
  CHECK(second.out.empty());
  CHECK(ReadFile(out) == first.out);
}

TEST_CASE("replay: bad lines are rejected, counted, written to --dead with their line; the rest go on",
          "[integration][replay]") {
  TempDir dir;
  const std::string events = (dir.path() / "events.jsonl").string();
  const std::string dead = (dir.path() / "dead.jsonl").string();
  // Line 1: good. 2: blank. 3: not JSON. 4: no offset in time. 5: good
  // (CRLF). 6: missing id. 7: duplicate of line 1. 8: spaces only.
  // 9: good, last line without a newline.
  const std::string stock =
      R"({"specversion":"1.0","id":"%s","source":"inventory/s015","type":"stock.low","time":"2026-03-13T09:00:00+08:00","data":{"store":"s015","sku":"niurou","item":"牛肉","qty":%s,"unit":"公斤"}})";
  auto event = [&](const std::string& id, const std::string& qty) {
    std::string s = stock;
    s.replace(s.find("%s"), 2, id);
    s.replace(s.find("%s"), 2, qty);
    return s;
  };
  std::string no_offset = event("inv-2", "1");
  no_offset.replace(no_offset.find("+08:00"), 6, "");
  std::string no_id = event("inv-4", "1");
  no_id.replace(no_id.find(R"("id":"inv-4",)"), 13, "");
  WriteFile(events, event("inv-1", "2") + "\n" +        // 1
                        "\n" +                          // 2
                        "this is not json\n" +          // 3
                        no_offset + "\n" +              // 4
                        event("inv-3", "0") + "\r\n" +  // 5
                        no_id + "\n" +                  // 6
                        event("inv-1", "2") + "\n" +    // 7
                        "   \n" +                       // 8
                        event("inv-5", "3"));           // 9
  Ran r = RunPatron({"replay", "--rules", kExample, "--events", events, "--dead", dead});
  INFO(r.described);
  REQUIRE(r.code == 0);
  CHECK(r.err.find("replay: 7 events read, 3 processed, 1 duplicate, 3 rejected") != std::string::npos);
  // inv-1 and inv-5: a reminder to purchasing each; inv-3 (qty 0): the
  // urgent ticket (priority 1) first, then the reminder.
  auto actions = Lines(r.out);
  REQUIRE(actions.size() == 4);
  auto kind_and_cause = [](const std::string& line) {
    return Field(line, "data.action") + " " + Field(line, "data.cause.event");
  };
  CHECK(kind_and_cause(actions[0]) == "remind inv-1");
  CHECK(kind_and_cause(actions[1]) == "ticket inv-3");
  CHECK(kind_and_cause(actions[2]) == "remind inv-3");
  CHECK(kind_and_cause(actions[3]) == "remind inv-5");

  auto dead_lines = Lines(ReadFile(dead));
  REQUIRE(dead_lines.size() == 3);
  const int expected_line[] = {3, 4, 6};
  const std::string expected_message[] = {"this is not json", no_offset, no_id};
  for (size_t i = 0; i < 3; ++i) {
    INFO(dead_lines[i]);
    boost::json::value v = boost::json::parse(dead_lines[i]);
    CHECK(Field(v, "line") == std::to_string(expected_line[i]));
    CHECK(Field(v, "message") == expected_message[i]);
    CHECK_FALSE(Field(v, "reason").empty());
    CHECK(Field(v, "subject") == "<missing>");
    // Decision 6: reason first, then line, then message.
    CHECK(dead_lines[i].rfind("{\"reason\":", 0) == 0);
  }
}

TEST_CASE("replay: it could not run: unreadable events, rule errors", "[integration][replay]") {
  TempDir dir;
  Ran missing = RunPatron({"replay", "--rules", kExample, "--events", (dir.path() / "nope.jsonl").string()});
  INFO(missing.described);
  CHECK(missing.code == 1);
  CHECK(missing.err.find("nope.jsonl") != std::string::npos);

  const std::string rules = (dir.path() / "bad.rules").string();
  WriteFile(rules, "rule \"x\"\n  when order.completed\n  then frobnicate\nend\n");
  Ran bad = RunPatron({"replay", "--rules", rules, "--events", kEvents});
  INFO(bad.described);
  CHECK(bad.code == 1);
  CHECK(bad.err.find(rules + ":3:") != std::string::npos);
  CHECK(bad.out.empty());
}

TEST_CASE("replay: --data keeps the state, so a second replay finds every event a duplicate",
          "[integration][replay]") {
  TempDir dir;
  const std::string data = (dir.path() / "state").string();
  Ran first = RunPatron({"replay", "--rules", kExample, "--events", kEvents, "--data", data});
  INFO(first.described);
  REQUIRE(first.code == 0);
  Ran second = RunPatron({"replay", "--rules", kExample, "--events", kEvents, "--data", data});
  INFO(second.described);
  REQUIRE(second.code == 0);
  CHECK(second.out.empty());
  CHECK(second.err.find("63 events read, 0 processed, 63 duplicates, 0 rejected, 0 actions") !=
        std::string::npos);
}

}  // namespace
}  // namespace patron::testing
