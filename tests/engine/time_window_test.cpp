// Windowed aggregate triggers through the whole engine (the window function
// itself is unit-tested elsewhere): `over D` is (t - D, t], exact to the
// second; `this month` / `this week` are calendar periods in the rule set's
// timezone (Asia/Shanghai: a month begins at 16:00Z the day before). The
// rule fires on the event that makes the comparison true when it was false
// just before that event.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who, const std::string& amount = "10") {
  return CustomerRef(who) + R"(,"store":"s1","amount":)" + amount;
}

}  // namespace

TEST_CASE("over 30 days: fires on the order that pushes the sum past 500", "[time][window]") {
  TimeHarness h(R"(
rule "spend30"
  when sum(order.completed.amount) over 30 days > 500
  then coupon "VIP30"
end
)");
  std::vector<size_t> counts;
  auto order = [&](const std::string& id, const std::string& who, const std::string& time, const std::string& amount) {
    h.Send(Ev(id, "order.completed", time, Order(who, amount)));
    counts.push_back(h.Count("spend30"));
  };
  order("a1", "alice", "2026-03-01T00:00:00Z", "300");  // 300
  order("a2", "alice", "2026-03-20T00:00:00Z", "250");  // 300 -> 550: fires
  order("a3", "alice", "2026-03-25T00:00:00Z", "10");   // 550 -> 560: no edge
  order("a4", "alice", "2026-04-10T00:00:00Z", "300");  // (03-11, 04-10]: 260 -> 560: fires again
  CHECK(counts == std::vector<size_t>{0, 1, 1, 2});
  CHECK(ActionCauses(h.ActionsOf("spend30")) == Strings{"a2", "a4"});
  CHECK(ActionTimes(h.ActionsOf("spend30")) == Strings{"2026-03-20T00:00:00Z", "2026-04-10T00:00:00Z"});
}

TEST_CASE("over 30 days: an event exactly 30 days old is out of the window", "[time][window]") {
  TimeHarness h(R"(
rule "spend30"
  when sum(order.completed.amount) over 30 days > 500
  then coupon "VIP30"
end
)");
  h.Send(Ev("x1", "order.completed", "2026-03-01T00:00:00Z", Order("out", "300")));
  h.Send(Ev("y1", "order.completed", "2026-03-01T00:00:01Z", Order("in", "300")));
  h.Send(Ev("x2", "order.completed", "2026-03-30T00:00:00Z", Order("out", "150")));  // 450
  h.Send(Ev("y2", "order.completed", "2026-03-30T00:00:01Z", Order("in", "150")));   // 450
  // At 03-31T00:00:00 the window is (03-01T00:00:00, 03-31T00:00:00]:
  // x1 is out (150 -> 210), y1 is in (450 -> 510: fires).
  h.Send(Ev("x3", "order.completed", "2026-03-31T00:00:00Z", Order("out", "60")));
  h.Send(Ev("y3", "order.completed", "2026-03-31T00:00:00Z", Order("in", "60")));
  CHECK(ActionCauses(h.ActionsOf("spend30")) == Strings{"y3"});
}

TEST_CASE("this month: the month boundary is Shanghai's midnight", "[time][window]") {
  TimeHarness h(R"(
rule "third this month"
  when count(order.completed) this month >= 3
  then coupon "M3"
end
)");
  h.Send(Ev("a1", "order.completed", "2026-03-10T00:00:00Z", Order("alice")));
  h.Send(Ev("b1", "order.completed", "2026-03-10T01:00:00Z", Order("bob")));
  h.Send(Ev("a2", "order.completed", "2026-03-20T00:00:00Z", Order("alice")));
  h.Send(Ev("b2", "order.completed", "2026-03-20T01:00:00Z", Order("bob")));
  h.Send(Ev("a3", "order.completed", "2026-03-31T15:59:59Z", Order("alice")));  // 03-31 23:59:59 local: 3rd of March
  h.Send(Ev("b3", "order.completed", "2026-03-31T16:00:00Z", Order("bob")));    // 04-01 00:00 local: 1st of April
  h.Send(Ev("a4", "order.completed", "2026-03-31T16:00:01Z", Order("alice")));  // 1st of April
  h.Send(Ev("b4", "order.completed", "2026-04-05T00:00:00Z", Order("bob")));
  h.Send(Ev("b5", "order.completed", "2026-04-10T00:00:00Z", Order("bob")));    // 3rd of April
  h.Send(Ev("a5", "order.completed", "2026-04-10T01:00:00Z", Order("alice")));
  h.Send(Ev("a6", "order.completed", "2026-04-30T15:59:59Z", Order("alice")));  // 3rd of April
  h.Send(Ev("b6", "order.completed", "2026-04-30T16:00:00Z", Order("bob")));    // 1st of May
  h.Send(Ev("a7", "order.completed", "2026-04-30T16:00:00Z", Order("alice")));  // 1st of May
  CHECK(ActionCauses(h.ActionsOf("third this month")) == Strings{"a3", "b5", "a6"});
  CHECK(ActionCustomers(h.ActionsOf("third this month")) == Strings{"alice", "bob", "alice"});
}

TEST_CASE("this month: a fourth order in the month is no new edge", "[time][window]") {
  TimeHarness h(R"(
rule "third this month"
  when count(order.completed) this month >= 3
  then coupon "M3"
end
)");
  h.Send(Ev("a1", "order.completed", "2026-03-01T00:00:00Z", Order("alice")));
  h.Send(Ev("a2", "order.completed", "2026-03-02T00:00:00Z", Order("alice")));
  h.Send(Ev("a3", "order.completed", "2026-03-03T00:00:00Z", Order("alice")));  // fires
  h.Send(Ev("a4", "order.completed", "2026-03-04T00:00:00Z", Order("alice")));  // 3 -> 4: no edge
  CHECK(ActionCauses(h.ActionsOf("third this month")) == Strings{"a3"});
}

TEST_CASE("this week: weeks begin on Monday, local time", "[time][window]") {
  TimeHarness h(R"(
rule "twice this week"
  when count(visit.checked_in) this week >= 2
  then coupon "W2"
end
)");
  // 2026-03-01 is a Sunday; Monday 03-02 begins at 2026-03-01T16:00:00Z.
  h.Send(Ev("v1", "visit.checked_in", "2026-03-01T15:59:59Z", CustomerRef("alice")));  // Sunday: last week
  h.Send(Ev("v2", "visit.checked_in", "2026-03-01T16:00:00Z", CustomerRef("alice")));  // Monday: 1
  CHECK(h.Count("twice this week") == 0);
  h.Send(Ev("v3", "visit.checked_in", "2026-03-08T15:59:59Z", CustomerRef("alice")));  // Sunday 23:59:59: 2
  CHECK(ActionCauses(h.ActionsOf("twice this week")) == Strings{"v3"});
}

}  // namespace patron::testing
