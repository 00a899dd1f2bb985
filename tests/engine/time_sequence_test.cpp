// Sequence triggers (`A not followed by B within D [on f]`, `A followed by B
// within D [on f]`) against timelines computed by hand from language.md and
// decision 13: every open A of a key is closed by a B with A.time <= B.time,
// `within` is strict (a B exactly D after A is too late), correlation by
// `on` value whatever the customers, else by customer.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;
using Counts = std::vector<size_t>;

// order.placed / order.paid data; an empty order_id leaves the field out.
std::string Placed(const std::string& who, const std::string& order_id, const std::string& amount) {
  std::string data = CustomerRef(who) + R"(,"store":"s1","amount":)" + amount;
  if (!order_id.empty()) data += R"(,"order_id":")" + order_id + R"(")";
  return data;
}
std::string Paid(const std::string& who, const std::string& order_id, const std::string& method = "card") {
  return CustomerRef(who) + R"(,"store":"s1","order_id":")" + order_id + R"(","method":")" + method + R"(")";
}

const std::string kUnpaid = R"(
rule "unpaid"
  when order.placed not followed by order.paid within 10 minutes on order_id
  where event.amount > 30
  then remind store_manager "order {event.order_id} unpaid: {event.amount}"
end
)";

}  // namespace

TEST_CASE("not followed by: one B closes every open A of its key, whoever sent it", "[time][sequence]") {
  TimeHarness h(kUnpaid);
  h.Send(Ev("p1", "order.placed", "2026-03-02T10:00:00Z", Placed("alice", "A1", "40")));  // due 10:10
  h.Send(Ev("p2", "order.placed", "2026-03-02T10:03:00Z", Placed("alice", "A1", "50")));  // due 10:13
  h.Send(Ev("p3", "order.placed", "2026-03-02T10:04:00Z", Placed("bob", "A2", "35")));    // due 10:14
  h.Send(Ev("p4", "order.placed", "2026-03-02T10:04:30Z", Placed("bob", "A3", "20")));    // where fails
  // Carol pays A1: with `on order_id` the customer does not matter.
  h.Send(Ev("q1", "order.paid", "2026-03-02T10:05:00Z", Paid("carol", "A1")));
  h.AdvanceTo("2026-03-02T10:30:00Z");
  auto actions = h.ActionsOf("unpaid");
  REQUIRE(actions.size() == 1);
  const Action& a = actions[0];
  CHECK(a.kind == ActionKind::kRemind);
  CHECK(a.customer_id == "bob");
  CHECK(FormatRfc3339Utc(a.time) == "2026-03-02T10:14:00Z");
  // data.cause.event is the A event's id; `event.*` renders A's fields.
  CHECK(a.cause_event == "p3");
  CHECK_FALSE(a.cause_deadline.has_value());
  CHECK(a.text == "order A2 unpaid: 35");
  CHECK(a.role == "store_manager");
  CHECK(a.store == "s1");
  CHECK(a.id == Hex64(StableHash({"unpaid", "bob", "test", "p3", "0"})));
}

TEST_CASE("not followed by: edges, order of A and B, several open A's, null keys", "[time][sequence]") {
  TimeHarness h(kUnpaid);
  // B exactly 10 minutes after A: too late, the timer fires first.
  h.Send(Ev("p5", "order.placed", "2026-03-02T11:00:00Z", Placed("alice", "A4", "40")));
  h.Send(Ev("q2", "order.paid", "2026-03-02T11:10:00Z", Paid("carol", "A4")));
  CHECK(ActionCauses(h.ActionsOf("unpaid")) == Strings{"p5"});
  // A B before its A closes nothing.
  h.Send(Ev("q3", "order.paid", "2026-03-02T12:00:00Z", Paid("alice", "A5")));
  h.Send(Ev("p6", "order.placed", "2026-03-02T12:01:00Z", Placed("alice", "A5", "40")));  // due 12:11
  // A B that arrives later but is older than its A (B.time < A.time) closes nothing.
  h.Send(Ev("p7", "order.placed", "2026-03-02T12:05:00Z", Placed("alice", "A6", "40")));  // due 12:15
  h.Send(Ev("q4", "order.paid", "2026-03-02T12:04:00Z", Paid("alice", "A6")));
  // Two open A's of one key fire one by one.
  h.Send(Ev("p8", "order.placed", "2026-03-02T12:20:00Z", Placed("alice", "A7", "40")));  // due 12:30
  h.Send(Ev("p9", "order.placed", "2026-03-02T12:22:00Z", Placed("alice", "A7", "45")));  // due 12:32
  // No order_id: not correlated, ignored.
  h.Send(Ev("p10", "order.placed", "2026-03-02T12:30:00Z", Placed("alice", "", "40")));
  h.AdvanceTo("2026-03-02T13:00:00Z");
  auto actions = h.ActionsOf("unpaid");
  CHECK(ActionCauses(actions) == Strings{"p5", "p6", "p7", "p8", "p9"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-02T11:10:00Z", "2026-03-02T12:11:00Z", "2026-03-02T12:15:00Z",
                                        "2026-03-02T12:30:00Z", "2026-03-02T12:32:00Z"});
  REQUIRE(actions.size() == 5);
  CHECK(actions[4].text == "order A7 unpaid: 45");
  CHECK(h.NextDue() == "");
}

TEST_CASE("not followed by without on correlates by customer", "[time][sequence]") {
  TimeHarness h(R"(
rule "no review"
  when order.completed not followed by review.posted within 2 days
  then message sms "review_please"
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", CustomerRef("alice") + R"(,"amount":10)"));
  h.Send(Ev("o2", "order.completed", "2026-03-01T11:00:00Z", CustomerRef("bob") + R"(,"amount":10)"));
  h.Send(Ev("r0", "review.posted", "2026-03-01T12:00:00Z", R"("rating":5)"));  // no customer: closes nothing
  h.Send(Ev("r1", "review.posted", "2026-03-02T00:00:00Z", CustomerRef("carol")));
  h.Send(Ev("r2", "review.posted", "2026-03-02T01:00:00Z", CustomerRef("bob")));
  CHECK(h.NextDue() == "2026-03-03T10:00:00Z");
  h.AdvanceTo("2026-03-05T00:00:00Z");
  auto actions = h.ActionsOf("no review");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].customer_id == "alice");
  CHECK(actions[0].cause_event == "o1");
  CHECK(FormatRfc3339Utc(actions[0].time) == "2026-03-03T10:00:00Z");
  CHECK(actions[0].id == Hex64(StableHash({"no review", "alice", "test", "o1", "0"})));
}

TEST_CASE("followed by fires on B strictly within D, B consumes the open A's", "[time][sequence]") {
  TimeHarness h(R"(
rule "paid fast"
  when order.placed followed by order.paid within 10 minutes on order_id
  then remind store_manager "paid {event.order_id} by {event.method}"
end
)");
  h.Send(Ev("p1", "order.placed", "2026-03-02T10:00:00Z", Placed("alice", "A1", "40")));
  h.Send(Ev("q1", "order.paid", "2026-03-02T10:09:59Z", Paid("alice", "A1", "card")));
  auto first = h.ActionsOf("paid fast");
  REQUIRE(first.size() == 1);
  // Fires on B: the cause, the time and `event.*` are B's.
  CHECK(first[0].cause_event == "q1");
  CHECK(FormatRfc3339Utc(first[0].time) == "2026-03-02T10:09:59Z");
  CHECK(first[0].text == "paid A1 by card");
  CHECK(first[0].customer_id == "alice");
  CHECK(first[0].id == Hex64(StableHash({"paid fast", "alice", "test", "q1", "0"})));

  // Exactly D after A: too late.
  h.Send(Ev("p2", "order.placed", "2026-03-02T10:20:00Z", Placed("alice", "A2", "40")));
  h.Send(Ev("q2", "order.paid", "2026-03-02T10:30:00Z", Paid("alice", "A2")));
  // Two open A's of A3; the first B consumes both, the second finds none.
  h.Send(Ev("p3", "order.placed", "2026-03-02T11:00:00Z", Placed("bob", "A3", "40")));
  h.Send(Ev("p4", "order.placed", "2026-03-02T11:02:00Z", Placed("bob", "A3", "40")));
  h.Send(Ev("q3", "order.paid", "2026-03-02T11:05:00Z", Paid("carol", "A3", "cash")));
  h.Send(Ev("q4", "order.paid", "2026-03-02T11:06:00Z", Paid("carol", "A3", "cash")));
  // p5 is too old for q5 (12:15 >= 12:10) but p6 is not: fires once.
  h.Send(Ev("p5", "order.placed", "2026-03-02T12:00:00Z", Placed("bob", "A4", "40")));
  h.Send(Ev("p6", "order.placed", "2026-03-02T12:08:00Z", Placed("bob", "A4", "40")));
  h.Send(Ev("q5", "order.paid", "2026-03-02T12:15:00Z", Paid("bob", "A4")));
  // A B with no open A.
  h.Send(Ev("q6", "order.paid", "2026-03-02T12:20:00Z", Paid("bob", "A9")));
  h.AdvanceTo("2026-03-03T00:00:00Z");
  auto actions = h.ActionsOf("paid fast");
  CHECK(ActionCauses(actions) == Strings{"q1", "q3", "q5"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-02T10:09:59Z", "2026-03-02T11:05:00Z", "2026-03-02T12:15:00Z"});
  REQUIRE(actions.size() == 3);
  CHECK(actions[1].text == "paid A3 by cash");
  CHECK(h.NextDue() == "");
}

TEST_CASE("followed by with A and B of one type: a repeat order within 7 days", "[time][sequence]") {
  TimeHarness h(R"(
rule "again"
  when order.completed followed by order.completed within 7 days
  then coupon "AGAIN"
end
)");
  Counts counts;
  auto order = [&](const std::string& id, const std::string& who, const std::string& time) {
    h.Send(Ev(id, "order.completed", time, CustomerRef(who) + R"(,"amount":10)"));
    counts.push_back(h.Count("again"));
  };
  order("o1", "alice", "2026-03-01T00:00:00Z");  // first: opens only
  order("b1", "bob", "2026-03-02T00:00:00Z");    // bob's first: no pairing across customers
  order("o2", "alice", "2026-03-05T00:00:00Z");  // 4 days after o1: fires
  order("o3", "alice", "2026-03-20T00:00:00Z");  // 15 days after o2: no
  order("o4", "alice", "2026-03-22T00:00:00Z");  // 2 days after o3: fires
  order("o5", "alice", "2026-03-23T00:00:00Z");  // 1 day after o4: fires
  order("o6", "alice", "2026-03-30T00:00:00Z");  // exactly 7 days after o5: too late
  order("o7", "alice", "2026-03-31T00:00:00Z");  // 1 day after o6: fires
  CHECK(counts == Counts{0, 0, 1, 1, 2, 3, 3, 4});
  CHECK(ActionCauses(h.ActionsOf("again")) == Strings{"o2", "o4", "o5", "o7"});
  CHECK(ActionCustomers(h.ActionsOf("again")) == Strings{"alice", "alice", "alice", "alice"});
}

}  // namespace patron::testing
