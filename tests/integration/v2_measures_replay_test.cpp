// `patron replay` through the built binary with the version 2 constructs of
// language.md: a measure read in a text, a segment entered after an event
// and left at the daily refresh (--until), and a default policy whose limit
// counts across rules and whose `between` holds back only the message.
// Against a list computed by hand from the spec (times in +08:00 noted).

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/integration/json_fields.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

const char* kRules = R"(
measure spend_7d = sum(order.completed.amount) over 7 days
segment big = customer.spend_7d >= 200

policy marketing default
  limit 2 per customer per 1 day
  between 09:00 and 21:00
end

rule "thank you"
  when order.completed
  then
    tag "buyer"
    message sms "thanks {customer.spend_7d}"
end

rule "welcome big"
  when customer enters big
  then coupon "BIG20" value 20
end

rule "no longer big"
  when customer leaves big
  then remind store_manager "spends less"
  policy none
end
)";

std::string Order(const std::string& id, const std::string& time, const std::string& who,
                  const std::string& amount) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"pos","type":"order.completed","time":")" +
         time + R"(","data":{"customer":{"id":")" + who + R"("},"store":"s1","amount":)" + amount + "}}\n";
}

// time | rule | customer | action | content | cause
std::string Summary(const std::string& line) {
  const std::string kind = Field(line, "data.action");
  std::string content;
  if (kind == "message") content = Field(line, "data.message.template");
  if (kind == "coupon") content = Field(line, "data.coupon.code") + " " + Field(line, "data.coupon.value");
  if (kind == "tag") content = Field(line, "data.tag");
  if (kind == "remind") content = Field(line, "data.reminder.text");
  std::string cause = Field(line, "data.cause.event");
  if (cause == "<missing>") cause = "deadline " + Field(line, "data.cause.deadline");
  return Field(line, "time") + " | " + Field(line, "data.rule") + " | " + Field(line, "data.customer.id") +
         " | " + kind + " | " + content + " | " + cause;
}

}  // namespace

TEST_CASE("replay: measures, entering and leaving a segment, and a default policy",
          "[integration][replay][v2]") {
  TempDir dir;
  const std::string rules = (dir.path() / "v2.rules").string();
  const std::string events = (dir.path() / "events.jsonl").string();
  WriteFile(rules, kRules);
  WriteFile(events, Order("e1", "2026-03-01T10:00:00+08:00", "alice", "150") +
                        Order("e2", "2026-03-01T22:00:00+08:00", "alice", "100") +
                        Order("e3", "2026-03-02T12:00:00+08:00", "alice", "10") +
                        Order("e4", "2026-03-02T15:00:00+08:00", "bob", "300"));
  Ran r = RunPatron({"replay", "--rules", rules, "--events", events, "--until", "2026-03-10T05:00:00+08:00"});
  INFO(r.described);
  REQUIRE(r.code == 0);
  std::vector<std::string> got;
  for (const std::string& line : Lines(r.out)) got.push_back(Summary(line));
  const std::vector<std::string> want = {
      // e1, 10:00: 150; the policy counts 1 of 2 for alice.
      "2026-03-01T02:00:00Z | thank you | alice | tag | buyer | e1",
      "2026-03-01T02:00:00Z | thank you | alice | message | thanks 150 | e1",
      // e2, 22:00: 250, alice enters big. The policy counts the thanks (2
      // of 2), whose message waits for 09:00 (the tag is held already:
      // nothing); the coupon of "welcome big" is over the limit: skipped.
      // e3, 12:00 the next day: the message of e2 ran first, at 09:00, with
      // the spend then; e1 left the day window (t - 1 day, t]: 1 of 2 again.
      "2026-03-02T01:00:00Z | thank you | alice | message | thanks 250 | e2",
      "2026-03-02T04:00:00Z | thank you | alice | message | thanks 260 | e3",
      // e4, 15:00: bob's thanks and, entering big, his coupon (2 of 2).
      "2026-03-02T07:00:00Z | thank you | bob | tag | buyer | e4",
      "2026-03-02T07:00:00Z | thank you | bob | message | thanks 300 | e4",
      "2026-03-02T07:00:00Z | welcome big | bob | coupon | BIG20 20 | e4",
      // e1 leaves the 7-day window on 8 March 10:00: alice's spend is 110;
      // the refresh of 9 March 04:00 finds her out. Bob's order leaves on
      // 9 March 15:00; the refresh of 10 March 04:00 finds him out.
      "2026-03-08T20:00:00Z | no longer big | alice | remind | spends less | deadline 2026-03-08T20:00:00Z",
      "2026-03-09T20:00:00Z | no longer big | bob | remind | spends less | deadline 2026-03-09T20:00:00Z",
  };
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    INFO("action line " << i + 1);
    CHECK(got[i] == want[i]);
  }
  CHECK(got.size() == want.size());
  // The same inputs give the same bytes.
  Ran again =
      RunPatron({"replay", "--rules", rules, "--events", events, "--until", "2026-03-10T05:00:00+08:00"});
  CHECK(again.out == r.out);
}

TEST_CASE("check: the version 2 constructs load, and their errors have positions",
          "[integration][check][v2]") {
  TempDir dir;
  const std::string rules = (dir.path() / "v2.rules").string();
  WriteFile(rules, kRules);
  Ran ok = RunPatron({"check", rules});
  INFO(ok.described);
  CHECK(ok.code == 0);
  const std::string bad = (dir.path() / "bad.rules").string();
  WriteFile(bad, "measure spent = count(order.completed)\n");
  Ran r = RunPatron({"check", bad});
  INFO(r.described);
  CHECK(r.code == 1);
  CHECK(r.err.find(bad + ":1:9: error: measure name 'spent' is a built-in customer attribute") !=
        std::string::npos);
}

}  // namespace patron::testing
