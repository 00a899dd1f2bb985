// Quiet hours (`between HH:MM and HH:MM`) against timelines computed by hand
// from language.md: the window is [from, to) local (Asia/Shanghai, UTC+8),
// may wrap midnight; actions outside it wait for its next opening, run with
// that moment as their time, keep the cause's action id, and meet the
// customer's opt-outs as they are then.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who) { return CustomerRef(who) + R"(,"store":"s1","amount":10)"; }

}  // namespace

TEST_CASE("between 09:00 and 21:00: outside actions wait for the opening", "[time][between]") {
  TimeHarness h(R"(
rule "quiet"
  when order.completed
  then
    coupon "THANKS"
    message sms "thanks"
  between 09:00 and 21:00
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T01:00:00Z", Order("alice")));  // 09:00 local: inside
  h.Send(Ev("o2", "order.completed", "2026-03-01T12:59:59Z", Order("alice")));  // 20:59:59: inside
  CHECK(ActionTimes(h.ActionsOf("quiet")) == Strings{"2026-03-01T01:00:00Z", "2026-03-01T01:00:00Z",
                                                     "2026-03-01T12:59:59Z", "2026-03-01T12:59:59Z"});
  h.Send(Ev("o3", "order.completed", "2026-03-01T13:00:00Z", Order("alice")));  // 21:00: outside
  CHECK(h.NextDue() == "2026-03-02T01:00:00Z");
  h.Send(Ev("o4", "order.completed", "2026-03-01T14:30:00Z", Order("alice")));  // 22:30: outside
  h.Send(Ev("o6", "order.completed", "2026-03-01T14:45:00Z", Order("bob")));    // 22:45: outside
  // Bob opts out of sms before the window opens.
  h.Send(Ev("x1", "customer.opted_out", "2026-03-01T15:00:00Z", CustomerRef("bob") + R"(,"channel":"sms")"));
  h.Send(Ev("o5", "order.completed", "2026-03-01T19:00:00Z", Order("alice")));  // 03:00 on 03-02: outside
  CHECK(h.Count("quiet") == 4);
  h.AdvanceTo("2026-03-02T00:59:59Z");
  CHECK(h.Count("quiet") == 4);
  h.AdvanceTo("2026-03-02T01:00:00Z");  // 09:00 local on 03-02
  auto actions = h.ActionsOf("quiet");
  REQUIRE(actions.size() == 11);
  actions.erase(actions.begin(), actions.begin() + 4);
  CHECK(ActionCauses(actions) == Strings{"o3", "o3", "o4", "o4", "o6", "o5", "o5"});
  CHECK(ActionTimes(actions) == Strings(7, "2026-03-02T01:00:00Z"));
  CHECK(ActionCustomers(actions) == Strings{"alice", "alice", "alice", "alice", "bob", "alice", "alice"});
  CHECK(actions[4].kind == ActionKind::kCoupon);  // bob's sms was suppressed
  CHECK(h.engine().stats().suppressed == 1);
  // The id is the cause's (decision 2), whatever the deferral.
  CHECK(actions[2].id == Hex64(StableHash({"quiet", "alice", "test", "o4", "0"})));
  CHECK(actions[3].id == Hex64(StableHash({"quiet", "alice", "test", "o4", "1"})));
  CHECK_FALSE(actions[2].cause_deadline.has_value());
  CHECK(h.NextDue() == "");
}

TEST_CASE("between 22:00 and 02:00 wraps midnight", "[time][between]") {
  TimeHarness h(R"(
rule "night"
  when order.completed
  then coupon "NIGHT"
  between 22:00 and 02:00
end
)");
  h.Send(Ev("n1", "order.completed", "2026-03-01T14:00:00Z", Order("alice")));  // 22:00: inside
  h.Send(Ev("n2", "order.completed", "2026-03-01T17:59:00Z", Order("alice")));  // 01:59 on 03-02: inside
  h.Send(Ev("n3", "order.completed", "2026-03-01T18:00:00Z", Order("alice")));  // 02:00: outside
  h.Send(Ev("n4", "order.completed", "2026-03-02T04:00:00Z", Order("alice")));  // 12:00: outside
  h.Send(Ev("n5", "order.completed", "2026-03-02T13:59:59Z", Order("alice")));  // 21:59:59: outside
  CHECK(ActionCauses(h.ActionsOf("night")) == Strings{"n1", "n2"});
  CHECK(h.NextDue() == "2026-03-02T14:00:00Z");  // 22:00 local on 03-02
  h.AdvanceTo("2026-03-02T14:00:00Z");
  auto actions = h.ActionsOf("night");
  CHECK(ActionCauses(actions) == Strings{"n1", "n2", "n3", "n4", "n5"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-01T14:00:00Z", "2026-03-01T17:59:00Z", "2026-03-02T14:00:00Z",
                                        "2026-03-02T14:00:00Z", "2026-03-02T14:00:00Z"});
}

}  // namespace patron::testing
