// Schedules (`every day at`, `every <weekday> at`, `on <date> at`) against
// timelines computed by hand from language.md and decision 15, in
// Asia/Shanghai (09:00 local is 01:00Z): each customer for whom `where`
// holds gets one firing per occurrence, with data.cause.deadline; restarts
// between arming and firing, and in the middle of a broadcast, fire nobody
// twice. 2026-03-01 is a Sunday.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who, const std::string& store = "s1") {
  return CustomerRef(who) + R"(,"store":")" + store + R"(","amount":10)";
}

TimeHarnessOptions StartAt(const std::string& start, EngineOptions engine = {}) {
  TimeHarnessOptions o;
  o.start = start;
  o.engine = engine;
  return o;
}

// Alice and dave are active (two orders), bob is new (one), carol a prospect.
void SeedCustomers(TimeHarness& h, const std::string& day) {
  h.Send(Ev("o1", "order.completed", day + "T00:10:00Z", Order("alice")));
  h.Send(Ev("o2", "order.completed", day + "T00:20:00Z", Order("alice")));
  h.Send(Ev("o3", "order.completed", day + "T00:30:00Z", Order("bob")));
  h.Send(Ev("m1", "member.registered", day + "T00:40:00Z", CustomerRef("carol")));
  h.Send(Ev("o4", "order.completed", day + "T00:50:00Z", Order("dave", "s2")));
  h.Send(Ev("o5", "order.completed", day + "T00:55:00Z", Order("dave", "s2")));
}

const std::string kDaily = R"(
rule "daily"
  when every day at 09:00
  where customer.lifecycle == "active"
  then message sms "daily_deal"
end
)";

}  // namespace

TEST_CASE("every day at 09:00: each matching customer once a day", "[time][schedule]") {
  TimeHarness h(kDaily, StartAt("2026-03-01T00:00:00Z"));
  SeedCustomers(h, "2026-03-01");
  CHECK(h.NextDue() == "2026-03-01T01:00:00Z");
  h.AdvanceTo("2026-03-01T00:59:59Z");
  CHECK(h.Count("daily") == 0);
  h.AdvanceTo("2026-03-01T01:00:00Z");
  auto actions = h.ActionsOf("daily");
  CHECK(ActionCustomers(actions) == Strings{"alice", "dave"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-01T01:00:00Z", "2026-03-01T01:00:00Z"});
  CHECK(ActionCauses(actions) == Strings{"deadline 2026-03-01T01:00:00Z", "deadline 2026-03-01T01:00:00Z"});
  REQUIRE(actions.size() == 2);
  CHECK(actions[0].id == Hex64(StableHash({"daily", "alice", "", "2026-03-01T01:00:00Z", "0"})));
  CHECK(actions[0].store == "s1");
  CHECK(actions[1].store == "s2");
  CHECK(actions[0].template_name == "daily_deal");
  CHECK(h.NextDue() == "2026-03-02T01:00:00Z");

  // Bob becomes active after the second day's broadcast.
  h.AdvanceTo("2026-03-02T01:00:00Z");
  h.Send(Ev("o6", "order.completed", "2026-03-02T05:00:00Z", Order("bob")));
  h.AdvanceTo("2026-03-03T01:00:00Z");
  actions = h.ActionsOf("daily");
  CHECK(ActionCustomers(actions) == Strings{"alice", "dave", "alice", "dave", "alice", "bob", "dave"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-01T01:00:00Z", "2026-03-01T01:00:00Z", "2026-03-02T01:00:00Z",
                                        "2026-03-02T01:00:00Z", "2026-03-03T01:00:00Z", "2026-03-03T01:00:00Z",
                                        "2026-03-03T01:00:00Z"});
}

TEST_CASE("every monday at 09:00", "[time][schedule]") {
  TimeHarness h(R"(
rule "monday"
  when every monday at 09:00
  where customer.lifecycle == "active"
  then coupon "MONDAY"
end
)",
                StartAt("2026-03-01T00:00:00Z"));
  SeedCustomers(h, "2026-03-01");
  CHECK(h.NextDue() == "2026-03-02T01:00:00Z");
  h.AdvanceTo("2026-03-09T00:59:59Z");
  CHECK(ActionTimes(h.ActionsOf("monday")) == Strings{"2026-03-02T01:00:00Z", "2026-03-02T01:00:00Z"});
  h.AdvanceTo("2026-03-09T01:00:00Z");
  auto actions = h.ActionsOf("monday");
  CHECK(ActionCustomers(actions) == Strings{"alice", "dave", "alice", "dave"});
  CHECK(ActionCauses(actions) == Strings{"deadline 2026-03-02T01:00:00Z", "deadline 2026-03-02T01:00:00Z",
                                         "deadline 2026-03-09T01:00:00Z", "deadline 2026-03-09T01:00:00Z"});
  CHECK(h.NextDue() == "2026-03-16T01:00:00Z");
}

TEST_CASE("on <date> at: once, a date already past when armed never fires", "[time][schedule]") {
  const std::string rules = R"(
rule "national day"
  when on 2026-10-01 at 09:00
  where customer.lifecycle == "active"
  then coupon "NATIONAL"
end
)";
  {
    TimeHarness h(rules, StartAt("2026-09-30T00:00:00Z"));
    SeedCustomers(h, "2026-09-30");
    CHECK(h.NextDue() == "2026-10-01T01:00:00Z");
    h.AdvanceTo("2027-12-31T00:00:00Z");
    auto actions = h.ActionsOf("national day");
    CHECK(ActionCustomers(actions) == Strings{"alice", "dave"});
    CHECK(ActionCauses(actions) == Strings{"deadline 2026-10-01T01:00:00Z", "deadline 2026-10-01T01:00:00Z"});
    CHECK(h.NextDue() == "");
  }
  {
    TimeHarness h(rules, StartAt("2026-10-02T00:00:00Z"));
    SeedCustomers(h, "2026-10-02");
    CHECK(h.NextDue() == "");
    h.AdvanceTo("2027-12-31T00:00:00Z");
    CHECK(h.Count("national day") == 0);
  }
}

TEST_CASE("schedule: a restart between arming and firing fires once", "[time][schedule]") {
  TimeHarness h(kDaily, StartAt("2026-03-01T00:00:00Z"));
  SeedCustomers(h, "2026-03-01");
  CHECK(h.NextDue() == "2026-03-01T01:00:00Z");
  h.Open();
  CHECK(h.NextDue() == "2026-03-01T01:00:00Z");
  h.AdvanceTo("2026-03-01T01:00:00Z");
  CHECK(ActionCustomers(h.ActionsOf("daily")) == Strings{"alice", "dave"});
  h.Open();
  h.AdvanceTo("2026-03-01T12:00:00Z");
  CHECK(h.Count("daily") == 2);
  CHECK(h.NextDue() == "2026-03-02T01:00:00Z");
  h.AdvanceTo("2026-03-02T01:00:00Z");
  CHECK(ActionCustomers(h.ActionsOf("daily")) == Strings{"alice", "dave", "alice", "dave"});
}

TEST_CASE("schedule: a restart in the middle of a broadcast fires nobody twice", "[time][schedule]") {
  EngineOptions engine;
  engine.broadcast_slice = 2;
  engine.max_slices_per_fire = 1;
  TimeHarness h(kDaily, StartAt("2026-03-01T00:00:00Z", engine));
  for (int i = 1; i <= 5; ++i) {
    std::string who = "c" + std::to_string(i);
    h.Send(Ev(who + "a", "order.completed", "2026-03-01T00:0" + std::to_string(i) + ":00Z", Order(who)));
    h.Send(Ev(who + "b", "order.completed", "2026-03-01T00:0" + std::to_string(i) + ":30Z", Order(who)));
  }
  h.clock().Set(TimeOf("2026-03-01T01:00:00Z"));
  CHECK(h.FireOnce());  // one slice of two customers, then back for events
  CHECK(ActionCustomers(h.ActionsOf("daily")) == Strings{"c1", "c2"});
  h.Open();
  CHECK(h.FireOnce());
  CHECK(ActionCustomers(h.ActionsOf("daily")) == Strings{"c1", "c2", "c3", "c4"});
  h.Open();
  h.AdvanceTo("2026-03-01T01:00:00Z");
  CHECK(ActionCustomers(h.ActionsOf("daily")) == Strings{"c1", "c2", "c3", "c4", "c5"});
  CHECK(ActionCauses(h.ActionsOf("daily")) == Strings(5, "deadline 2026-03-01T01:00:00Z"));
  h.Open();
  h.AdvanceTo("2026-03-01T12:00:00Z");
  CHECK(h.Count("daily") == 5);
  CHECK(h.NextDue() == "2026-03-02T01:00:00Z");
}

TEST_CASE("schedule: a customer who joined after the due time is skipped", "[time][schedule]") {
  EngineOptions engine;
  engine.broadcast_slice = 1;
  engine.max_slices_per_fire = 1;
  TimeHarness h(R"(
rule "everyone"
  when every day at 09:00
  where customer.orders >= 1
  then coupon "SEEN"
end
)",
                StartAt("2026-03-01T00:00:00Z", engine));
  h.Send(Ev("o1", "order.completed", "2026-03-01T00:10:00Z", Order("a1")));
  h.Send(Ev("o2", "order.completed", "2026-03-01T00:20:00Z", Order("a2")));
  h.clock().Set(TimeOf("2026-03-01T01:00:00Z"));
  CHECK(h.FireOnce());
  CHECK(ActionCustomers(h.ActionsOf("everyone")) == Strings{"a1"});
  // a3 joins at 01:30, after the 01:00 broadcast began; accepting its event
  // runs one more slice (a2) first.
  h.Send(Ev("o3", "order.completed", "2026-03-01T01:30:00Z", Order("a3")));
  h.AdvanceTo("2026-03-01T01:30:00Z");
  CHECK(ActionCustomers(h.ActionsOf("everyone")) == Strings{"a1", "a2"});
  h.AdvanceTo("2026-03-02T01:00:00Z");
  CHECK(ActionCustomers(h.ActionsOf("everyone")) == Strings{"a1", "a2", "a1", "a2", "a3"});
}

}  // namespace patron::testing
