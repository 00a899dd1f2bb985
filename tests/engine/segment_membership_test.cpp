// Entering and leaving a segment (language.md "Entering and leaving a
// segment") against timelines computed by hand (Asia/Shanghai, UTC+8):
// membership is evaluated after all rules of each of the customer's events,
// and for segments time alone can change once a day at the refresh time
// (default 04:00 local), over every customer in slices; a first evaluation
// counts as entering if the condition holds; a refresh firing has the
// refresh time as its time; membership is durable.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who, const std::string& amount) {
  return CustomerRef(who) + R"(,"store":"s1","amount":)" + amount;
}

const char* kBigRules = R"(
measure spend_7d = sum(order.completed.amount) over 7 days
segment big = customer.spend_7d >= 100
rule "entered big"
  when customer enters big
  then message sms "welcome_big"
end
rule "left big"
  when customer leaves big
  then tag "was_big"
end
)";

}  // namespace

TEST_CASE("segment entered by an event, left by the daily refresh", "[segments]") {
  TimeHarness h(kBigRules);
  REQUIRE(h.rules().tracked_segments.size() == 1);
  CHECK(h.rules().tracked_segments[0].time_dependent);
  // 10:00 local on 1 March: 60, not yet in; the first evaluation is "not in".
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice", "60")));
  CHECK(h.Count("entered big") == 0);
  // 2 March 10:00 local: 60 + 40 = 100, in: entered, at the event's time, caused by it.
  h.Send(Ev("o2", "order.completed", "2026-03-02T02:00:00Z", Order("alice", "40")));
  auto entered = h.ActionsOf("entered big");
  REQUIRE(entered.size() == 1);
  CHECK(ActionTimes(entered) == Strings{"2026-03-02T02:00:00Z"});
  CHECK(ActionCauses(entered) == Strings{"o2"});
  // A later event while still in fires nothing.
  h.Send(Ev("v1", "visit", "2026-03-03T02:00:00Z", CustomerRef("alice")));
  CHECK(h.Count("entered big") == 1);
  // The refresh runs at 04:00 local (20:00 UTC the day before). o1 leaves
  // the window on 8 March 02:00 UTC; the refresh of 9 March 04:00 local
  // (8 March 20:00 UTC) finds alice out of the segment.
  CHECK(h.NextDue() == "2026-03-03T20:00:00Z");
  h.AdvanceTo("2026-03-08T19:59:59Z");
  CHECK(h.Count("left big") == 0);
  h.AdvanceTo("2026-03-08T20:00:00Z");
  auto left = h.ActionsOf("left big");
  REQUIRE(left.size() == 1);
  CHECK(ActionTimes(left) == Strings{"2026-03-08T20:00:00Z"});
  CHECK(ActionCauses(left) == Strings{"deadline 2026-03-08T20:00:00Z"});
  CHECK(left[0].tag == "was_big");
  CHECK(h.NextDue() == "2026-03-09T20:00:00Z");  // the next day's refresh
  // Another order brings her back in: entered again.
  h.Send(Ev("o3", "order.completed", "2026-03-10T02:00:00Z", Order("alice", "100")));
  CHECK(ActionCauses(h.ActionsOf("entered big")) == Strings{"o2", "o3"});
}

TEST_CASE("segments refresh at: its own time, and each customer once a day", "[segments]") {
  TimeHarness h(std::string(kBigRules) + "segments refresh at 06:30\n");
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice", "100")));
  h.Send(Ev("o2", "order.completed", "2026-03-01T03:00:00Z", Order("bob", "150")));
  CHECK(ActionCustomers(h.ActionsOf("entered big")) == Strings{"alice", "bob"});
  CHECK(h.NextDue() == "2026-03-01T22:30:00Z");  // 2 March 06:30 local
  // Both orders left on 8 March (02:00 and 03:00 UTC); the refresh of
  // 9 March 06:30 local (8 March 22:30 UTC) finds both out.
  h.AdvanceTo("2026-03-08T22:30:00Z");
  auto left = h.ActionsOf("left big");
  CHECK(ActionCustomers(left) == Strings{"alice", "bob"});
  CHECK(ActionTimes(left) == Strings(2, "2026-03-08T22:30:00Z"));
}

TEST_CASE("segment refresh goes in slices and a restart in the middle repeats nobody",
          "[segments][restart]") {
  TimeHarnessOptions options;
  options.engine.broadcast_slice = 2;
  options.engine.max_slices_per_fire = 1;
  TimeHarness h(kBigRules, options);
  for (const char* who : {"a1", "a2", "a3", "a4", "a5"})
    h.Send(Ev(std::string("o-") + who, "order.completed", "2026-03-01T02:00:00Z", Order(who, "100")));
  CHECK(h.Count("entered big") == 5);
  h.clock().Set(TimeOf("2026-03-08T20:00:00Z"));
  CHECK(h.FireOnce());  // the refreshes before the 8th found nobody changed; slices go on
  for (int i = 0; i < 40 && h.Count("left big") < 2; ++i) REQUIRE(h.FireOnce());
  CHECK(ActionCustomers(h.ActionsOf("left big")) == Strings{"a1", "a2"});
  h.Open();  // restart between two slices: the cursor was committed with the slice
  h.AdvanceTo("2026-03-08T20:00:00Z");
  auto left = h.ActionsOf("left big");
  CHECK(ActionCustomers(left) == Strings{"a1", "a2", "a3", "a4", "a5"});
  CHECK(ActionTimes(left) == Strings(5, "2026-03-08T20:00:00Z"));
}

TEST_CASE("a customer's first evaluation counts as entering if the condition holds", "[segments]") {
  TimeHarness h(R"(
segment anyone = customer.orders >= 0
segment gold = customer.tier == "gold"
rule "welcome"
  when customer enters anyone
  then message sms "hello"
end
rule "not gold"
  when customer leaves gold
  then tag "not_gold"
end
)");
  CHECK_FALSE(h.rules().tracked_segments[0].time_dependent);
  CHECK_FALSE(h.rules().tracked_segments[1].time_dependent);
  h.Send(Ev("v1", "visit", "2026-03-01T02:00:00Z", CustomerRef("alice")));
  h.Send(Ev("v2", "visit", "2026-03-01T03:00:00Z", CustomerRef("alice")));
  CHECK(ActionCauses(h.ActionsOf("welcome")) == Strings{"v1"});
  CHECK(h.Count("not gold") == 0);  // a first "not in" is no leaving
  // No segment here changes with time alone: no refresh is armed.
  CHECK(h.rules().refresh_key == 0);
  CHECK(h.NextDue() == "");
}

TEST_CASE("membership is evaluated after all rules of the event, profile changes included", "[segments]") {
  TimeHarness h(R"(
segment gold = customer.tier == "gold"
segment tagged = "vip" in customer.tags
rule "welcome gold"
  when customer enters gold
  then message sms "gold"
end
rule "lost vip"
  when customer leaves tagged
  then message sms "bye"
end
rule "upgrade"
  when order.completed
  where event.amount >= 1000
  then
    set customer.tier = "gold"
    tag "vip"
end
rule "drop"
  when refund.issued
  then untag "vip"
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice", "10")));
  CHECK(h.Count("welcome gold") == 0);
  h.Send(Ev("o2", "order.completed", "2026-03-01T03:00:00Z", Order("alice", "1000")));
  CHECK(ActionCauses(h.ActionsOf("welcome gold")) == Strings{"o2"});
  h.Send(Ev("r1", "refund.issued", "2026-03-02T03:00:00Z", CustomerRef("alice")));
  CHECK(ActionCauses(h.ActionsOf("lost vip")) == Strings{"r1"});
  CHECK(h.Count("welcome gold") == 1);
}

TEST_CASE("time dependence goes through referenced segments", "[segments]") {
  TimeHarness h(R"(
segment recent = days_since(customer.last_order_at) <= 2
segment recent_gold = customer in recent and customer.tier == "regular"
rule "cooled"
  when customer leaves recent_gold
  then tag "cooled"
end
)");
  REQUIRE(h.rules().tracked_segments.size() == 1);
  CHECK(h.rules().tracked_segments[0].time_dependent);
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice", "5")));  // 10:00 local
  // days_since > 2 from 3 March 02:00 UTC on; the refresh of 4 March 04:00
  // local (3 March 20:00 UTC) finds it.
  h.AdvanceTo("2026-03-02T20:00:00Z");
  CHECK(h.Count("cooled") == 0);
  h.AdvanceTo("2026-03-03T20:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("cooled")) == Strings{"2026-03-03T20:00:00Z"});
}

TEST_CASE("membership survives a restart", "[segments][restart]") {
  TimeHarness h(kBigRules);
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice", "100")));
  CHECK(h.Count("entered big") == 1);
  h.Open();
  h.Send(Ev("o2", "order.completed", "2026-03-02T02:00:00Z", Order("alice", "10")));
  CHECK(h.Count("entered big") == 1);  // still in: no second entering
  h.Open();
  h.AdvanceTo("2026-03-09T20:00:00Z");  // o1 left the window: 10 < 100
  CHECK(ActionTimes(h.ActionsOf("left big")) == Strings{"2026-03-08T20:00:00Z"});
}

TEST_CASE("enters and leaves rules keep their options: where, wait and limit", "[segments]") {
  TimeHarness h(R"(
measure spend_7d = sum(order.completed.amount) over 7 days
segment big = customer.spend_7d >= 100
rule "later"
  when customer enters big
  where customer.orders >= 1
  wait 1 hour
  then coupon "BIG"
  limit 1 per customer per 30 days
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice", "100")));
  CHECK(h.Count("later") == 0);
  h.AdvanceTo("2026-03-01T03:00:00Z");
  auto coupons = h.ActionsOf("later");
  REQUIRE(coupons.size() == 1);
  CHECK(ActionTimes(coupons) == Strings{"2026-03-01T03:00:00Z"});
  CHECK(ActionCauses(coupons) == Strings{"o1"});
  // Out at the refresh of 9 March 04:00 local, in again on 10 March: the limit holds it.
  h.AdvanceTo("2026-03-09T20:00:00Z");
  h.Send(Ev("o2", "order.completed", "2026-03-10T02:00:00Z", Order("alice", "100")));
  h.AdvanceTo("2026-03-10T03:00:00Z");
  CHECK(h.Count("later") == 1);
  CHECK(h.engine().stats().skipped_limit == 1);
}

}  // namespace patron::testing
