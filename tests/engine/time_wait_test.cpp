// `wait D` against timelines computed by hand from language.md: `where` and
// the actions run D after the trigger against the customer as they are then;
// the action time is trigger + D; an opt-out arriving during the wait
// suppresses a message (events.md); a restart does not lose the wait.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who, const std::string& amount = "10", const std::string& order_id = "") {
  std::string data = CustomerRef(who) + R"(,"store":"s1","amount":)" + amount;
  if (!order_id.empty()) data += R"(,"order_id":")" + order_id + R"(")";
  return data;
}

const std::string kSecondOrder = R"(
rule "second order"
  when first order.completed
  wait 24 hours
  where customer.orders == 1
  then
    coupon "SECOND" value 15
    message sms "second_order"
end
)";

}  // namespace

TEST_CASE("wait: where runs against the profile at the wait's end", "[time][wait]") {
  TimeHarness h(kSecondOrder);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice")));  // ends 03-02T10:00
  CHECK(h.NextDue() == "2026-03-02T10:00:00Z");
  h.Send(Ev("o2", "order.completed", "2026-03-01T10:30:00Z", Order("bob")));    // ends 03-02T10:30
  h.Send(Ev("o5", "order.completed", "2026-03-01T11:00:00Z", Order("dave")));   // ends 03-02T11:00
  h.Send(Ev("o4", "order.completed", "2026-03-01T12:00:00Z", Order("carol")));  // ends 03-02T12:00
  // Carol opts out of sms during her wait.
  h.Send(Ev("x1", "customer.opted_out", "2026-03-01T18:00:00Z", CustomerRef("carol") + R"(,"channel":"sms")"));
  // Bob's second order inside his 24 hours: at 03-02T10:30 he has 2 orders.
  h.Send(Ev("o3", "order.completed", "2026-03-01T20:00:00Z", Order("bob")));
  CHECK(h.Count("second order") == 0);

  h.AdvanceTo("2026-03-02T09:59:59Z");
  CHECK(h.Count("second order") == 0);
  h.AdvanceTo("2026-03-02T10:00:00Z");
  auto alice = h.ActionsOf("second order");
  REQUIRE(alice.size() == 2);
  CHECK(alice[0].kind == ActionKind::kCoupon);
  CHECK(alice[1].kind == ActionKind::kMessage);
  for (const Action& a : alice) {
    CHECK(a.customer_id == "alice");
    CHECK(FormatRfc3339Utc(a.time) == "2026-03-02T10:00:00Z");  // trigger + 24 hours
    CHECK(a.cause_event == "o1");
    CHECK_FALSE(a.cause_deadline.has_value());
  }
  CHECK(alice[0].id == Hex64(StableHash({"second order", "alice", "test", "o1", "0"})));
  CHECK(alice[1].id == Hex64(StableHash({"second order", "alice", "test", "o1", "1"})));

  // Dave's second order comes exactly at his wait's end: the timer fires
  // first, while he still has one order.
  h.Send(Ev("o6", "order.completed", "2026-03-02T11:00:00Z", Order("dave")));
  h.AdvanceTo("2026-03-02T12:00:00Z");
  auto actions = h.ActionsOf("second order");
  CHECK(ActionCustomers(actions) == Strings{"alice", "alice", "dave", "dave", "carol"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z",
                                        "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z"});
  REQUIRE(actions.size() == 5);
  // Carol: the coupon runs, the sms is suppressed by her opt-out.
  CHECK(actions[4].kind == ActionKind::kCoupon);
  CHECK(h.engine().stats().suppressed == 1);
  CHECK(h.NextDue() == "");
}

TEST_CASE("wait: a where before wait filters at the trigger, the one after at the end", "[time][wait]") {
  TimeHarness h(R"(
rule "big first"
  when order.completed where event.amount >= 100
  wait 1 hour
  where customer.orders == 1
  then ticket "big first order {event.order_id}: {event.amount}" priority high
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice", "150", "X1")));
  h.Send(Ev("o2", "order.completed", "2026-03-01T10:00:00Z", Order("bob", "50", "X2")));  // trigger where fails
  CHECK(h.NextDue() == "2026-03-01T11:00:00Z");
  h.Send(Ev("o3", "order.completed", "2026-03-01T10:10:00Z", Order("carol", "200", "X3")));
  h.Send(Ev("o4", "order.completed", "2026-03-01T10:20:00Z", Order("carol", "10", "X4")));  // carol: 2 orders
  h.AdvanceTo("2026-03-01T12:00:00Z");
  auto actions = h.ActionsOf("big first");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].customer_id == "alice");
  CHECK(actions[0].cause_event == "o1");
  CHECK(FormatRfc3339Utc(actions[0].time) == "2026-03-01T11:00:00Z");
  // `event.*` after the wait is still the triggering event.
  CHECK(actions[0].title == "big first order X1: 150");
  CHECK(actions[0].store == "s1");
}

TEST_CASE("wait: a restart during the wait still runs it once", "[time][wait]") {
  TimeHarness h(kSecondOrder);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice")));
  h.Open();
  CHECK(h.NextDue() == "2026-03-02T10:00:00Z");
  h.AdvanceTo("2026-03-02T10:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("second order")) == Strings{"2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z"});
  h.Open();
  h.AdvanceTo("2026-03-10T00:00:00Z");
  CHECK(h.Count("second order") == 2);
}

TEST_CASE("wait: a customer merged into another while waiting is followed to the survivor", "[time][wait]") {
  TimeHarness h(kSecondOrder);
  // 张 joins first, known by his openid only.
  h.Send(Ev("r1", "member.registered", "2026-03-01T08:00:00Z", R"("customer":{"openid":"oZhang"})"));
  // An order from a phone nobody knows yet: a second customer, whose first
  // order arms the 24-hour wait.
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z",
            R"("customer":{"phone":"13800138000"},"store":"s1","amount":30)"));
  const std::string zhang = "c-" + Hex64(StableHash({"openid:oZhang"}));
  const std::string phone_customer = "c-" + Hex64(StableHash({"phone:13800138000"}));
  REQUIRE(h.Customer(phone_customer) != nullptr);
  // The mini program sends both identifiers: the phone's customer merges
  // into 张, who joined first.
  h.Send(Ev("v1", "page.viewed", "2026-03-01T12:00:00Z",
            R"("customer":{"openid":"oZhang","phone":"13800138000"})"));
  REQUIRE(h.Customer(phone_customer) == nullptr);

  h.AdvanceTo("2026-03-02T10:00:00Z");
  auto actions = h.ActionsOf("second order");
  REQUIRE(actions.size() == 2);  // 张 has the merged history: 1 order
  for (const Action& a : actions) {
    CHECK(a.customer_id == zhang);
    CHECK(FormatRfc3339Utc(a.time) == "2026-03-02T10:00:00Z");
    CHECK(a.cause_event == "o1");
  }
}

// The identifier an event's timer follows into a merge may be an integer
// (POS systems send member numbers as numbers): the timer decodes the kept
// event with the same decoder as intake, so it is followed as well.
TEST_CASE("wait: a customer named by an integer member_no is followed into a merge", "[time][wait]") {
  TimeHarness h(R"(
rule "welcome back"
  when first order.completed
  wait 1 hours
  then
    coupon "WELCOME" value 5
end
)");
  h.Send(Ev("r1", "member.registered", "2026-03-01T08:00:00Z", R"("customer":{"openid":"oZhang"})"));
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z",
            R"("customer":{"member_no":12345},"store":"s1","amount":30)"));
  const std::string member = "c-" + Hex64(StableHash({"member_no:12345"}));
  REQUIRE(h.Customer(member) != nullptr);
  h.Send(Ev("v1", "page.viewed", "2026-03-01T10:30:00Z", R"("customer":{"openid":"oZhang","member_no":12345})"));
  REQUIRE(h.Customer(member) == nullptr);

  h.AdvanceTo("2026-03-01T11:00:00Z");
  auto actions = h.ActionsOf("welcome back");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].customer_id == "c-" + Hex64(StableHash({"openid:oZhang"})));
  CHECK(actions[0].cause_event == "o1");
}

// An emitted event never went through intake, so a field of it may have a
// type intake would reject (here data.store is a boolean): kept in a wait's
// timer, it still comes back as that event when the wait ends.
TEST_CASE("wait: an emitted event with a malformed store is kept as itself", "[time][wait]") {
  TimeHarness h(R"(
rule "echo"
  when order.completed
  then emit order.echo with store = true
end

rule "later"
  when order.echo
  wait 1 hours
  then tag "echoed"
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000") + R"(,"amount":30)"));
  h.AdvanceTo("2026-03-01T11:00:00Z");
  auto actions = h.ActionsOf("later");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].cause_event.rfind("emit-", 0) == 0);
  CHECK(actions[0].customer_id == "c-" + Hex64(StableHash({"phone:13800138000"})));
}

}  // namespace patron::testing
