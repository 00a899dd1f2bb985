// `patron replay` through the built binary: the restaurant example against
// its golden actions (events.jsonl, and time-events.jsonl with --until
// against a hand-computed list), determinism, and rejected lines.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/integration/json_fields.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

const std::string kExample = PATRON_SOURCE_DIR "/examples/restaurant";
const std::string kEvents = kExample + "/events.jsonl";
const std::string kGolden = PATRON_SOURCE_DIR "/tests/integration/golden/restaurant.actions.jsonl";
// The time-driven scenarios: their last event is on 2026-05-08; --until
// moves the clock on to 1 June, when the last silences have ended.
const std::string kTimeEvents = kExample + "/time-events.jsonl";
const std::string kTimeUntil = "2026-06-01T00:00:00+08:00";
const std::string kTimeGolden = PATRON_SOURCE_DIR "/tests/integration/golden/restaurant-time.actions.jsonl";
const std::string kTimeExpected = PATRON_SOURCE_DIR "/tests/integration/golden/restaurant-time.expected.txt";

// Rewrites `path` with `text` when PATRON_UPDATE_GOLDEN=1 (an intended change).
void MaybeUpdateGolden(const std::string& path, const std::string& text) {
  if (const char* update = std::getenv("PATRON_UPDATE_GOLDEN");
      update != nullptr && std::string(update) == "1") {
    WriteFile(path, text);
    WARN("rewrote " << path);
  }
}

// One action line as the hand-computed list writes it:
// time | rule | customer | store | action | content | cause.
// (Numbers are printed by Boost.JSON: the list only has whole ones.)
std::string Summarise(const std::string& line) {
  boost::json::value v = boost::json::parse(line);
  const std::string kind = Field(v, "data.action");
  std::string content;
  if (kind == "coupon") {
    content = Field(v, "data.coupon.code") + " " + Field(v, "data.coupon.value") + " " +
              Field(v, "data.coupon.valid_until");
  } else if (kind == "message") {
    content = Field(v, "data.message.channel") + " " + Field(v, "data.message.template");
  } else if (kind == "remind") {
    content = Field(v, "data.reminder.role") + " " + Field(v, "data.reminder.text");
  } else if (kind == "ticket") {
    content = Field(v, "data.ticket.priority") + " " + Field(v, "data.ticket.role") + " " +
              Field(v, "data.ticket.title");
  } else if (kind == "points") {
    content = Field(v, "data.points.delta") + " " + Field(v, "data.points.balance");
  } else if (kind == "set") {
    const boost::json::value& value = v.as_object().at("data").as_object().at("set").as_object().at("value");
    content = Field(v, "data.set.attr") + "=" + boost::json::serialize(value);
  } else if (kind == "tag" || kind == "untag") {
    content = Field(v, "data.tag");
  } else if (kind == "emit") {
    content = Field(v, "data.emit.type");
  } else if (kind == "webhook") {
    content = Field(v, "data.webhook.endpoint");
  }
  std::string cause = Field(v, "data.cause.event");
  if (cause == "<missing>") {
    cause = "deadline " + Field(v, "data.cause.deadline");
  } else if (cause.rfind("emit-", 0) == 0) {
    cause = "emitted";
  } else {
    cause = "event " + cause;
  }
  auto or_dash = [](std::string s) { return s == "<missing>" ? std::string("-") : s; };
  return Field(v, "time") + " | " + Field(v, "data.rule") + " | " + or_dash(Field(v, "data.customer.id")) +
         " | " + or_dash(Field(v, "data.store")) + " | " + kind + " | " + content + " | " + cause;
}

// The lines of the hand-computed list, without its comments.
std::vector<std::string> ExpectedSummaries(const std::string& path) {
  std::vector<std::string> out;
  for (const std::string& line : Lines(ReadFile(path))) {
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

TEST_CASE("replay: the restaurant example gives the golden actions", "[integration][replay]") {
  Ran r = RunPatron({"replay", "--rules", kExample, "--events", kEvents});
  INFO(r.described);
  REQUIRE(r.code == 0);
  MaybeUpdateGolden(kGolden, r.out);
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
  // customer.became_vip twice. 141 actions (README.md): the 110 of the
  // event-triggered rules, and 31 of the rules added with the time issue
  // (16 second-order coupons after their wait, 6 review thanks, one of them
  // held until 09:00, 5 store-manager stock reminders, 2 x 2 for the 30-day
  // spend).
  CHECK(r.err.find("replay: 63 events read, 62 processed, 1 duplicate, 0 rejected, 2 emitted, 141 actions") !=
        std::string::npos);
}

TEST_CASE("replay --until: the time-driven scenarios give the hand-computed actions",
          "[integration][replay]") {
  Ran r = RunPatron({"replay", "--rules", kExample, "--events", kTimeEvents, "--until", kTimeUntil});
  INFO(r.described);
  REQUIRE(r.code == 0);
  MaybeUpdateGolden(kTimeGolden, r.out);
  // Against the list computed by hand from the spec, action by action.
  auto got = Lines(r.out);
  auto want = ExpectedSummaries(kTimeExpected);
  REQUIRE(want.size() == 66);
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    INFO("action line " << i + 1 << ": " << got[i]);
    CHECK(Summarise(got[i]) == want[i]);
  }
  CHECK(got.size() == want.size());
  // And byte for byte against the golden file (ids, phones, key order).
  CHECK(r.out == ReadFile(kTimeGolden));
  // Deadline firings carry the deadline and no cause event (decision 11).
  for (const auto& line : got) {
    if (Field(line, "data.cause.deadline") == "<missing>") continue;
    INFO(line);
    CHECK(Field(line, "data.cause.event") == "<missing>");
    CHECK(Field(line, "data.cause.deadline") == Field(line, "time"));
  }
  // 33 events; VIP升级 emits once (吕方).
  CHECK(r.err.find("replay: 33 events read, 33 processed, 0 duplicates, 0 rejected, 1 emitted, 66 actions") !=
        std::string::npos);
}

TEST_CASE("replay: without --until, nothing due after the last event fires", "[integration][replay]") {
  Ran with = RunPatron({"replay", "--rules", kExample, "--events", kTimeEvents, "--until", kTimeUntil});
  Ran without = RunPatron({"replay", "--rules", kExample, "--events", kTimeEvents});
  INFO(with.described);
  INFO(without.described);
  REQUIRE(with.code == 0);
  REQUIRE(without.code == 0);
  // The last event is 吕方's order of 2026-05-08 12:00 (+08:00): the 60
  // actions up to it, and not the 6 of the silences that end on 20 and 25
  // May.
  auto all = Lines(with.out);
  auto head = Lines(without.out);
  REQUIRE(all.size() == 66);
  REQUIRE(head.size() == 60);
  for (size_t i = 0; i < head.size(); ++i) CHECK(head[i] == all[i]);
  // An --until before the last event changes nothing.
  Ran early = RunPatron(
      {"replay", "--rules", kExample, "--events", kTimeEvents, "--until", "2026-04-01T00:00:00+08:00"});
  INFO(early.described);
  CHECK(early.out == without.out);
}

TEST_CASE("replay: every action line is a CloudEvent whose id is unique", "[integration][replay]") {
  auto lines = Lines(ReadFile(kGolden));
  auto time_lines = Lines(ReadFile(kTimeGolden));
  REQUIRE_FALSE(lines.empty());
  REQUIRE_FALSE(time_lines.empty());
  lines.insert(lines.end(), time_lines.begin(), time_lines.end());
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

TEST_CASE("replay: bad lines are rejected, counted, written to --dead with their line, the rest go on",
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
  // Every stock.low reminds purchasing; inv-3 (qty 0) also opens the urgent
  // ticket (priority 1, first). The store manager is reminded once per
  // store in 24 hours (库存预警告知店长): on inv-1 only, since inv-3 and
  // inv-5 are of the same store and the same time.
  auto actions = Lines(r.out);
  REQUIRE(actions.size() == 5);
  auto kind_and_cause = [](const std::string& line) {
    std::string role = Field(line, "data.reminder.role");
    return Field(line, "data.action") + (role == "<missing>" ? "" : " " + role) + " " +
           Field(line, "data.cause.event");
  };
  CHECK(kind_and_cause(actions[0]) == "remind purchasing inv-1");
  CHECK(kind_and_cause(actions[1]) == "remind store_manager inv-1");
  CHECK(kind_and_cause(actions[2]) == "ticket inv-3");
  CHECK(kind_and_cause(actions[3]) == "remind purchasing inv-3");
  CHECK(kind_and_cause(actions[4]) == "remind purchasing inv-5");

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
  // The file spans 27 days of event time: a retention of 30 days keeps every id.
  const std::vector<std::string> args = {
      "replay", "--rules", kExample, "--events", kEvents, "--data", data, "--processed-retention", "30d"};
  Ran first = RunPatron(args);
  INFO(first.described);
  REQUIRE(first.code == 0);
  Ran second = RunPatron(args);
  INFO(second.described);
  REQUIRE(second.code == 0);
  CHECK(second.out.empty());
  CHECK(second.err.find("63 events read, 0 processed, 63 duplicates, 0 rejected, 0 actions") !=
        std::string::npos);
}

TEST_CASE(
    "replay: ids older than the retention in event time are forgotten, so a second replay counts those again",
    "[integration][replay]") {
  TempDir dir;
  const std::string data = (dir.path() / "state").string();
  const std::vector<std::string> args = {"replay", "--rules", kExample, "--events", kEvents, "--data", data};
  Ran first = RunPatron(args);
  INFO(first.described);
  REQUIRE(first.code == 0);
  Ran second = RunPatron(args);  // the default retention, 7 days
  INFO(second.described);
  REQUIRE(second.code == 0);
  // The 12 events of the file's last 7 days, and the 2 of the 21 h (one
  // bucket, an eighth of the retention) before those, are duplicates; the
  // 49 before them were pruned as the first replay's clock moved on, and
  // are processed again.
  CHECK_THAT(second.err, Catch::Contains("63 events read, 49 processed, 14 duplicates, 0 rejected"));
}

}  // namespace
}  // namespace patron::testing
