// Date triggers (`when D before|after customer.birthday [yearly] at HH:MM`)
// against timelines computed by hand from language.md "Date triggers", in
// Asia/Shanghai (UTC+8, no daylight saving: 10:00 local is 02:00Z).
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Birthday(const std::string& who, const std::string& date) {
  return CustomerRef(who) + R"(,"birthday":")" + date + R"(")";
}

const std::string kBday = R"(
rule "bday"
  when 1 day before customer.birthday yearly at 10:00
  then coupon "BDAY" value 30
end
)";

}  // namespace

TEST_CASE("date: yearly, at 10:00 Shanghai the day before, every year", "[time][date]") {
  TimeHarness h(kBday);
  h.Send(Ev("m1", "member.registered", "2026-03-01T00:00:00Z", Birthday("alice", "1990-05-20")));
  CHECK(h.NextDue() == "2026-05-19T02:00:00Z");
  h.AdvanceTo("2026-05-19T01:59:59Z");
  CHECK(h.Count("bday") == 0);
  h.AdvanceTo("2026-05-19T02:00:00Z");
  auto actions = h.ActionsOf("bday");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].customer_id == "alice");
  CHECK(FormatRfc3339Utc(actions[0].time) == "2026-05-19T02:00:00Z");
  CHECK(actions[0].cause_event.empty());
  REQUIRE(actions[0].cause_deadline.has_value());
  CHECK(FormatRfc3339Utc(*actions[0].cause_deadline) == "2026-05-19T02:00:00Z");
  CHECK(actions[0].id == Hex64(StableHash({"bday", "alice", "", "2026-05-19T02:00:00Z", "0"})));
  // Re-armed for the next year.
  CHECK(h.NextDue() == "2027-05-19T02:00:00Z");
  h.AdvanceTo("2028-12-31T00:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("bday")) ==
        Strings{"2026-05-19T02:00:00Z", "2027-05-19T02:00:00Z", "2028-05-19T02:00:00Z"});
  CHECK(h.NextDue() == "2029-05-19T02:00:00Z");
}

TEST_CASE("date: a changed birthday cancels the occurrence armed from the old one", "[time][date]") {
  TimeHarness h(kBday);
  h.Send(Ev("m1", "member.registered", "2026-03-01T00:00:00Z", Birthday("bob", "1985-04-10")));
  CHECK(h.NextDue() == "2026-04-09T02:00:00Z");
  h.Send(Ev("u1", "customer.updated", "2026-03-15T00:00:00Z", Birthday("bob", "1985-06-01")));
  CHECK(h.NextDue() == "2026-05-31T02:00:00Z");
  h.AdvanceTo("2026-12-31T00:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("bday")) == Strings{"2026-05-31T02:00:00Z"});
  CHECK(h.NextDue() == "2027-05-31T02:00:00Z");
  // Changed on 2027-01-01 (08:00 local) to 1 January: 1 day before is 31
  // December; 2026-12-31 is past, so the next is 2027-12-31 at 10:00 local.
  h.Send(Ev("u2", "customer.updated", "2027-01-01T00:00:00Z", Birthday("bob", "1985-01-01")));
  CHECK(h.NextDue() == "2027-12-31T02:00:00Z");
  h.AdvanceTo("2027-12-31T02:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("bday")) == Strings{"2026-05-31T02:00:00Z", "2027-12-31T02:00:00Z"});
}

TEST_CASE("date: 29 February counts as 28 February in common years", "[time][date]") {
  TimeHarness h(kBday);
  h.Send(Ev("m1", "member.registered", "2026-01-10T00:00:00Z", Birthday("carol", "2000-02-29")));
  // 2026 and 2027 are common years: the day before 28 February; 2028 is a leap year.
  CHECK(h.NextDue() == "2026-02-27T02:00:00Z");
  h.AdvanceTo("2028-03-01T00:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("bday")) ==
        Strings{"2026-02-27T02:00:00Z", "2027-02-27T02:00:00Z", "2028-02-28T02:00:00Z"});
}

TEST_CASE("date: without yearly one moment, never in the past, 0 days after", "[time][date]") {
  TimeHarness h(R"(
rule "birthday once"
  when 0 days after customer.birthday at 09:00
  then message sms "happy_birthday"
end
)");
  // 1990-05-20 09:00 local is long past: never fires.
  h.Send(Ev("m1", "member.registered", "2026-03-01T00:00:00Z", Birthday("alice", "1990-05-20")));
  CHECK(h.NextDue() == "");
  // 2026-03-10 09:00 local = 2026-03-10T01:00Z.
  h.Send(Ev("m2", "member.registered", "2026-03-01T00:00:00Z", Birthday("dave", "2026-03-10")));
  CHECK(h.NextDue() == "2026-03-10T01:00:00Z");
  // Registered at 08:30 local on the day itself: 09:00 local is still ahead.
  h.Send(Ev("m3", "member.registered", "2026-03-01T00:30:00Z", Birthday("frank", "2026-03-01")));
  // Registered at 10:00 local on the day itself: 09:00 local has passed.
  h.Send(Ev("m4", "member.registered", "2026-03-01T02:00:00Z", Birthday("erin", "2026-03-01")));
  h.AdvanceTo("2027-12-31T00:00:00Z");
  auto actions = h.ActionsOf("birthday once");
  CHECK(ActionCustomers(actions) == Strings{"frank", "dave"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-01T01:00:00Z", "2026-03-10T01:00:00Z"});
  CHECK(ActionCauses(actions) == Strings{"deadline 2026-03-01T01:00:00Z", "deadline 2026-03-10T01:00:00Z"});
  CHECK(h.NextDue() == "");
}

TEST_CASE("date: the same birthday again changes nothing", "[time][date]") {
  TimeHarness h(kBday);
  h.Send(Ev("m1", "member.registered", "2026-03-01T00:00:00Z", Birthday("alice", "1990-05-20")));
  h.Send(Ev("u1", "customer.updated", "2026-04-01T00:00:00Z", Birthday("alice", "1990-05-20")));
  CHECK(h.NextDue() == "2026-05-19T02:00:00Z");
  h.AdvanceTo("2026-12-31T00:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("bday")) == Strings{"2026-05-19T02:00:00Z"});
}

TEST_CASE("date: an offset after the date crosses into the next year", "[time][date]") {
  TimeHarness h(R"(
rule "week after"
  when 7 days after customer.birthday yearly at 09:00
  then coupon "LATE_BDAY"
end
)");
  // 28 December + 7 days = 4 January of the next year; 2026-01-04 is past.
  h.Send(Ev("m1", "member.registered", "2026-03-01T00:00:00Z", Birthday("alice", "1990-12-28")));
  CHECK(h.NextDue() == "2027-01-04T01:00:00Z");
  h.AdvanceTo("2028-06-01T00:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("week after")) == Strings{"2027-01-04T01:00:00Z", "2028-01-04T01:00:00Z"});
}

}  // namespace patron::testing
