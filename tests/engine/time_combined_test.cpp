// Time-driven constructs combined, against timelines computed by hand in
// Asia/Shanghai (UTC+8): quiet hours after a deadline, a schedule or a wait
// (the deferred action keeps the firing's cause and id, its time is the
// opening), emits of deadline firings (decision 11), ties between timers due
// together (arming order), and the same input giving the same output.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who) { return CustomerRef(who) + R"(,"store":"s1","amount":10)"; }

TimeHarnessOptions StartAt(const std::string& start) {
  TimeHarnessOptions o;
  o.start = start;
  return o;
}

}  // namespace

TEST_CASE("between defers an absence firing, the cause stays the deadline", "[time][between][absence]") {
  TimeHarness h(R"(
rule "wake quiet"
  when no order.completed for 1 day
  then message sms "miss_you"
  between 09:00 and 21:00
end
)");
  // 22:30 local; the deadline 03-02T14:30Z is 22:30 local too: outside.
  h.Send(Ev("o1", "order.completed", "2026-03-01T14:30:00Z", Order("alice")));
  h.AdvanceTo("2026-03-02T14:30:00Z");
  CHECK(h.Count("wake quiet") == 0);
  CHECK(h.NextDue() == "2026-03-03T01:00:00Z");  // 09:00 local on 03-03
  h.AdvanceTo("2026-03-03T01:00:00Z");
  auto actions = h.ActionsOf("wake quiet");
  REQUIRE(actions.size() == 1);
  CHECK(FormatRfc3339Utc(actions[0].time) == "2026-03-03T01:00:00Z");
  CHECK(ActionCauses(actions) == Strings{"deadline 2026-03-02T14:30:00Z"});
  CHECK(actions[0].id == Hex64(StableHash({"wake quiet", "alice", "", "2026-03-02T14:30:00Z", "0"})));
}

TEST_CASE("between defers a schedule's firings to the opening", "[time][between][schedule]") {
  TimeHarness h(R"(
rule "early bird"
  when every day at 08:00
  where customer.orders >= 1
  then coupon "EARLY"
  between 09:00 and 21:00
end
)",
                StartAt("2026-03-01T00:00:00Z"));
  // 08:00 local on 03-01 is 03-01T00:00Z, not after the clock: the first is 03-02.
  h.Send(Ev("o1", "order.completed", "2026-03-01T00:10:00Z", Order("alice")));
  h.Send(Ev("o2", "order.completed", "2026-03-01T00:20:00Z", Order("bob")));
  CHECK(h.NextDue() == "2026-03-02T00:00:00Z");
  h.AdvanceTo("2026-03-02T00:59:59Z");
  CHECK(h.Count("early bird") == 0);
  h.AdvanceTo("2026-03-02T01:00:00Z");
  auto actions = h.ActionsOf("early bird");
  CHECK(ActionCustomers(actions) == Strings{"alice", "bob"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-02T01:00:00Z", "2026-03-02T01:00:00Z"});
  CHECK(ActionCauses(actions) == Strings{"deadline 2026-03-02T00:00:00Z", "deadline 2026-03-02T00:00:00Z"});
}

TEST_CASE("between defers actions after a wait", "[time][between][wait]") {
  TimeHarness h(R"(
rule "later"
  when order.completed
  wait 2 hours
  then coupon "LATER"
  between 09:00 and 21:00
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T12:00:00Z", Order("alice")));  // 20:00 local
  h.AdvanceTo("2026-03-01T14:00:00Z");  // the wait ends at 22:00 local: outside
  CHECK(h.Count("later") == 0);
  h.AdvanceTo("2026-03-02T01:00:00Z");
  auto actions = h.ActionsOf("later");
  CHECK(ActionCauses(actions) == Strings{"o1"});
  CHECK(ActionTimes(actions) == Strings{"2026-03-02T01:00:00Z"});
}

TEST_CASE("an emit of a deadline firing has decision 11's id and the deadline's time", "[time][absence]") {
  TimeHarness h(R"(
rule "sleepy"
  when no order.completed for 30 days
  then emit customer.went_quiet with days = 30
end
rule "after quiet"
  when customer.went_quiet
  then coupon "QUIET{event.days}"
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice")));
  h.AdvanceTo("2026-03-31T10:00:00Z");
  const std::string emit_id = "emit-" + Hex64(StableHash({"sleepy", "alice", "", "2026-03-31T10:00:00Z", "0"}));
  auto actions = h.ActionsOf("after quiet");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].cause_event == emit_id);
  CHECK(FormatRfc3339Utc(actions[0].time) == "2026-03-31T10:00:00Z");
  CHECK(actions[0].code == "QUIET30");
  CHECK(actions[0].id == Hex64(StableHash({"after quiet", "alice", "patron", emit_id, "0"})));
}

TEST_CASE("timers due at the same instant fire in arming order", "[time][absence]") {
  TimeHarness h(R"(rule "wake" when no order.completed for 30 days then coupon "BACK" end)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("bob")));
  h.Send(Ev("o2", "order.completed", "2026-03-01T10:00:00Z", Order("alice")));
  h.Send(Ev("o3", "order.completed", "2026-03-01T10:00:00Z", Order("carol")));
  h.AdvanceTo("2026-03-31T10:00:00Z");
  CHECK(ActionCustomers(h.ActionsOf("wake")) == Strings{"bob", "alice", "carol"});
}

TEST_CASE("the same events give the same actions, ids and times", "[time]") {
  const std::string rules = R"(
rule "wake" when no order.completed for 3 days then coupon "BACK" end
rule "daily" when every day at 09:00 where customer.orders >= 1 then message sms "d" end
rule "unpaid" when order.placed not followed by order.paid within 1 hour on order_id then tag "unpaid" end
)";
  std::vector<Strings> runs;
  for (int run = 0; run < 2; ++run) {
    TimeHarness h(rules, StartAt("2026-03-01T00:00:00Z"));
    h.Send(Ev("o1", "order.completed", "2026-03-01T00:10:00Z", Order("alice")));
    h.Send(Ev("p1", "order.placed", "2026-03-01T02:00:00Z", CustomerRef("bob") + R"(,"order_id":"A1")"));
    h.Send(Ev("o2", "order.completed", "2026-03-02T05:00:00Z", Order("bob")));
    h.AdvanceTo("2026-03-06T00:00:00Z");
    Strings out;
    for (const Action& a : h.ActionsOf()) out.push_back(a.id + " " + FormatRfc3339Utc(a.time) + " " + a.rule);
    runs.push_back(out);
  }
  // daily (01:00Z): alice on 03-01..03-05, bob (no order before 03-02T05:00)
  // on 03-03..03-05: 8; wake: alice 03-04T00:10, bob 03-05T05:00: 2;
  // unpaid: bob at 03-01T03:00: 1.
  REQUIRE(runs[0].size() == 11);
  CHECK(runs[0] == runs[1]);
}

}  // namespace patron::testing
