// Absence triggers (`when no <type> [or <type>]... for D`) against timelines
// computed by hand from language.md: armed by each event of the listed
// types, fired at the deadline with the deadline as the firing's time and
// data.cause.deadline (decision 11), once per silence, strict edges, older
// events, limit, where at the deadline, restarts.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who, const std::string& store = "s1") {
  return CustomerRef(who) + R"(,"store":")" + store + R"(","amount":10)";
}

const std::string kWake = R"(
rule "wake"
  when no order.completed or order.refunded for 30 days
  then coupon "BACK" value 20
end
)";

}  // namespace

TEST_CASE("absence: armed by each listed event, fires once at the deadline", "[time][absence]") {
  TimeHarness h(kWake);
  // No customer: nothing to be silent about.
  h.Send(Ev("anon", "order.completed", "2026-03-01T09:00:00Z", R"("store":"s1","amount":10)"));
  CHECK(h.NextDue() == "");

  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice")));
  CHECK(h.NextDue() == "2026-03-31T10:00:00Z");
  // A type not listed does not re-arm; the other listed type does (30 days after 03-05T08:00).
  h.Send(Ev("r1", "review.posted", "2026-03-04T00:00:00Z", CustomerRef("alice")));
  CHECK(h.NextDue() == "2026-03-31T10:00:00Z");
  h.Send(Ev("f1", "order.refunded", "2026-03-05T08:00:00Z", CustomerRef("alice")));
  CHECK(h.NextDue() == "2026-04-04T08:00:00Z");

  h.AdvanceTo("2026-03-31T10:00:00Z");  // the first deadline was moved: nothing
  h.AdvanceTo("2026-04-04T07:59:59Z");
  CHECK(h.Count("wake") == 0);
  h.AdvanceTo("2026-04-04T08:00:00Z");  // like replay --until: due at or before fires
  auto actions = h.ActionsOf("wake");
  REQUIRE(actions.size() == 1);
  const Action& a = actions[0];
  CHECK(a.customer_id == "alice");
  CHECK(a.kind == ActionKind::kCoupon);
  CHECK(a.code == "BACK");
  CHECK(FormatRfc3339Utc(a.time) == "2026-04-04T08:00:00Z");
  CHECK(a.cause_event.empty());
  REQUIRE(a.cause_deadline.has_value());
  CHECK(FormatRfc3339Utc(*a.cause_deadline) == "2026-04-04T08:00:00Z");
  CHECK(a.store == "s1");  // the customer's home store
  CHECK(a.id == Hex64(StableHash({"wake", "alice", "", "2026-04-04T08:00:00Z", "0"})));

  // Once per silence, however long it lasts.
  h.AdvanceTo("2026-12-31T00:00:00Z");
  CHECK(h.Count("wake") == 1);
  CHECK(h.NextDue() == "");

  // A later event starts a new silence: 2027-01-10 + 30 days = 2027-02-09.
  h.Send(Ev("o2", "order.completed", "2027-01-10T00:00:00Z", Order("alice")));
  CHECK(h.NextDue() == "2027-02-09T00:00:00Z");
  h.AdvanceTo("2027-02-09T00:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("wake")) == Strings{"2026-04-04T08:00:00Z", "2027-02-09T00:00:00Z"});
  CHECK(ActionCauses(h.ActionsOf("wake")) ==
        Strings{"deadline 2026-04-04T08:00:00Z", "deadline 2027-02-09T00:00:00Z"});
}

TEST_CASE("absence: each customer has a silence of their own", "[time][absence]") {
  TimeHarness h(kWake);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice")));
  h.Send(Ev("o2", "order.completed", "2026-03-02T00:00:00Z", Order("bob", "s2")));
  h.Send(Ev("o3", "order.completed", "2026-03-20T00:00:00Z", Order("alice")));  // alice: 04-19T00:00
  h.AdvanceTo("2026-05-01T00:00:00Z");
  auto actions = h.ActionsOf("wake");
  CHECK(ActionCustomers(actions) == Strings{"bob", "alice"});
  CHECK(ActionTimes(actions) == Strings{"2026-04-01T00:00:00Z", "2026-04-19T00:00:00Z"});
  REQUIRE(actions.size() == 2);
  CHECK(actions[0].store == "s2");
}

TEST_CASE("absence: an event exactly at the deadline comes too late", "[time][absence]") {
  TimeHarness h(kWake);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice")));
  h.Send(Ev("o3", "order.completed", "2026-03-01T11:00:00Z", Order("bob")));
  // Exactly 30 days after o1: the deadline's timer fires before o2 is processed.
  h.Send(Ev("o2", "order.completed", "2026-03-31T10:00:00Z", Order("alice")));
  CHECK(ActionCauses(h.ActionsOf("wake")) == Strings{"deadline 2026-03-31T10:00:00Z"});
  // One second before bob's deadline (03-31T11:00): in time, bob's silence is re-armed.
  h.Send(Ev("o4", "order.completed", "2026-03-31T10:59:59Z", Order("bob")));
  CHECK(h.Count("wake") == 1);
  // o2 armed alice's next silence: 2026-04-30T10:00; bob's is 04-30T10:59:59.
  CHECK(h.NextDue() == "2026-04-30T10:00:00Z");
  h.AdvanceTo("2026-05-01T00:00:00Z");
  CHECK(ActionCustomers(h.ActionsOf("wake")) == Strings{"alice", "alice", "bob"});
  CHECK(ActionTimes(h.ActionsOf("wake")) ==
        Strings{"2026-03-31T10:00:00Z", "2026-04-30T10:00:00Z", "2026-04-30T10:59:59Z"});
}

TEST_CASE("absence: an older event never moves the deadline back", "[time][absence]") {
  TimeHarness h(kWake);
  h.Send(Ev("b1", "order.completed", "2026-03-01T00:00:00Z", Order("bob")));    // bob: 03-31
  h.Send(Ev("a1", "order.completed", "2026-03-10T00:00:00Z", Order("alice")));  // alice: 04-09; clock 03-10
  // Older than the clock and than alice's last listed event: her deadline stays 04-09.
  h.Send(Ev("a0", "order.completed", "2026-03-01T00:00:00Z", Order("alice")));
  // Older than the clock but newer than bob's last: his silence now ends 03-05 + 30 days.
  h.Send(Ev("b2", "order.completed", "2026-03-05T00:00:00Z", Order("bob")));
  CHECK(h.NextDue() == "2026-04-04T00:00:00Z");
  h.AdvanceTo("2026-04-08T23:59:59Z");
  CHECK(ActionTimes(h.ActionsOf("wake")) == Strings{"2026-04-04T00:00:00Z"});
  h.AdvanceTo("2026-04-09T00:00:00Z");
  CHECK(ActionCustomers(h.ActionsOf("wake")) == Strings{"bob", "alice"});
  CHECK(ActionTimes(h.ActionsOf("wake")) == Strings{"2026-04-04T00:00:00Z", "2026-04-09T00:00:00Z"});
}

TEST_CASE("absence: a firing skipped by limit still ends the silence", "[time][absence]") {
  TimeHarness h(R"(
rule "nudge"
  when no order.completed for 10 days
  then coupon "NUDGE"
  limit 1 per customer per 60 days
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T00:00:00Z", Order("alice")));
  h.AdvanceTo("2026-03-11T00:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("nudge")) == Strings{"2026-03-11T00:00:00Z"});
  h.Send(Ev("o2", "order.completed", "2026-03-12T00:00:00Z", Order("alice")));
  // 03-22: the firing of 03-11 is inside (01-21, 03-22]: skipped.
  h.AdvanceTo("2026-03-22T00:00:00Z");
  CHECK(h.Count("nudge") == 1);
  CHECK(h.engine().stats().skipped_limit == 1);
  // The skipped firing ended that silence: nothing is armed, nothing retries
  // after the limit's window has passed (03-11 + 60 days = 05-10).
  CHECK(h.NextDue() == "");
  h.AdvanceTo("2026-06-30T00:00:00Z");
  CHECK(h.Count("nudge") == 1);
  CHECK(h.engine().stats().skipped_limit == 1);
  // A new silence fires again (03-11 is out of (05-12, 07-11]).
  h.Send(Ev("o3", "order.completed", "2026-07-01T00:00:00Z", Order("alice")));
  h.AdvanceTo("2026-07-11T00:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("nudge")) == Strings{"2026-03-11T00:00:00Z", "2026-07-11T00:00:00Z"});
}

TEST_CASE("absence: where is evaluated against the customer at the deadline", "[time][absence]") {
  TimeHarness h(R"(
rule "regulars gone"
  when no visit.checked_in for 30 days
  where customer.orders >= 2
  then message sms "miss_you"
end
)");
  // Both arm with no order at all; orders are not a listed type, so they do not re-arm.
  h.Send(Ev("v1", "visit.checked_in", "2026-03-01T00:00:00Z", CustomerRef("alice") + R"(,"store":"s9")"));
  h.Send(Ev("v2", "visit.checked_in", "2026-03-01T01:00:00Z", CustomerRef("bob") + R"(,"store":"s9")"));
  h.Send(Ev("o1", "order.completed", "2026-03-02T00:00:00Z", Order("alice", "s2")));
  h.Send(Ev("o2", "order.completed", "2026-03-02T01:00:00Z", Order("bob", "s2")));
  h.Send(Ev("o3", "order.completed", "2026-03-03T00:00:00Z", Order("alice", "s2")));
  CHECK(h.NextDue() == "2026-03-31T00:00:00Z");
  h.AdvanceTo("2026-04-30T00:00:00Z");
  // At 03-31 alice has 2 orders (fires); bob at 03-31T01:00 has 1 (does not).
  auto actions = h.ActionsOf("regulars gone");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].customer_id == "alice");
  CHECK(FormatRfc3339Utc(actions[0].time) == "2026-03-31T00:00:00Z");
  CHECK(actions[0].template_name == "miss_you");
  CHECK(actions[0].store == "s2");  // home store: where the orders were
  CHECK(h.NextDue() == "");
}

TEST_CASE("absence: a restart between arming and the deadline still fires once", "[time][absence]") {
  TimeHarness h(kWake);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice")));
  h.Open();
  CHECK(h.NextDue() == "2026-03-31T10:00:00Z");
  h.AdvanceTo("2026-03-31T09:59:59Z");
  CHECK(h.Count("wake") == 0);
  h.Open();
  h.AdvanceTo("2026-03-31T10:00:00Z");
  CHECK(ActionCauses(h.ActionsOf("wake")) == Strings{"deadline 2026-03-31T10:00:00Z"});
  h.Open();
  h.AdvanceTo("2026-06-01T00:00:00Z");
  CHECK(h.Count("wake") == 1);
  CHECK(h.NextDue() == "");
}

}  // namespace patron::testing
