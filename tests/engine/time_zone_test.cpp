// Clock times in a timezone with daylight saving (rules compiled with
// America/New_York), computed by hand with decision 14: a local time in the
// spring-forward gap means the first instant after it (03:00 local), a
// repeated local time the earlier instant. In 2026 New York springs forward
// on 8 March (02:00 EST -> 03:00 EDT) and falls back on 1 November
// (02:00 EDT -> 01:00 EST). EST is UTC-5, EDT UTC-4.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

TimeHarnessOptions NewYork(const std::string& start) {
  TimeHarnessOptions o;
  o.timezone = "America/New_York";
  o.start = start;
  return o;
}

void TwoOrders(TimeHarness& h, const std::string& day) {
  h.Send(Ev("o1", "order.completed", day + "T12:00:00Z", CustomerRef("alice") + R"(,"amount":10)"));
  h.Send(Ev("o2", "order.completed", day + "T12:10:00Z", CustomerRef("alice") + R"(,"amount":10)"));
}

}  // namespace

TEST_CASE("every day at 02:30 in New York fires at 03:00 on the spring-forward day", "[time][zone]") {
  TimeHarness h(R"(
rule "night shift"
  when every day at 02:30
  where customer.lifecycle == "active"
  then coupon "NIGHT"
end
)",
                NewYork("2026-03-06T12:00:00Z"));
  TwoOrders(h, "2026-03-06");
  CHECK(h.NextDue() == "2026-03-07T07:30:00Z");  // 02:30 EST
  h.AdvanceTo("2026-03-09T12:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("night shift")) ==
        Strings{"2026-03-07T07:30:00Z",    // 02:30 EST
                "2026-03-08T07:00:00Z",    // 02:30 does not exist: 03:00 EDT
                "2026-03-09T06:30:00Z"});  // 02:30 EDT
  CHECK(ActionCauses(h.ActionsOf("night shift")) ==
        Strings{"deadline 2026-03-07T07:30:00Z", "deadline 2026-03-08T07:00:00Z", "deadline 2026-03-09T06:30:00Z"});
}

TEST_CASE("every day at 01:30 in New York fires once on the fall-back day, the earlier 01:30", "[time][zone]") {
  TimeHarness h(R"(
rule "early"
  when every day at 01:30
  where customer.lifecycle == "active"
  then coupon "EARLY"
end
)",
                NewYork("2026-10-30T12:00:00Z"));
  TwoOrders(h, "2026-10-30");
  h.AdvanceTo("2026-11-02T12:00:00Z");
  CHECK(ActionTimes(h.ActionsOf("early")) ==
        Strings{"2026-10-31T05:30:00Z",    // 01:30 EDT
                "2026-11-01T05:30:00Z",    // 01:30 EDT, not again at 01:30 EST (06:30Z)
                "2026-11-02T06:30:00Z"});  // 01:30 EST
}

TEST_CASE("between and calendar windows follow New York's clock", "[time][zone]") {
  TimeHarness h(R"(
rule "daytime"
  when order.completed
  then coupon "DAY"
  between 09:00 and 21:00
end
rule "twice today"
  when count(order.completed) this day >= 2
  then coupon "TWICE"
end
)",
                NewYork("2026-03-07T12:00:00Z"));
  // 2026-03-07 23:30 EST = 03-08T04:30Z: outside; opens 03-08 09:00 EDT = 13:00Z.
  h.Send(Ev("o1", "order.completed", "2026-03-08T04:30:00Z", CustomerRef("alice") + R"(,"amount":10)"));
  CHECK(h.NextDue() == "2026-03-08T13:00:00Z");
  // 03-08 00:30 EST = 05:30Z: a new New York day after o1's 03-07 (in UTC
  // both are 03-08 and this would fire).
  h.Send(Ev("o2", "order.completed", "2026-03-08T05:30:00Z", CustomerRef("alice") + R"(,"amount":10)"));
  CHECK(h.Count("twice today") == 0);
  h.AdvanceTo("2026-03-08T13:00:00Z");
  CHECK(ActionCauses(h.ActionsOf("daytime")) == Strings{"o1", "o2"});
  CHECK(ActionTimes(h.ActionsOf("daytime")) == Strings{"2026-03-08T13:00:00Z", "2026-03-08T13:00:00Z"});
  // 03-08 23:59 EDT = 03-09T03:59Z: still 03-08 in New York, the second order of that day.
  h.Send(Ev("o3", "order.completed", "2026-03-09T03:59:00Z", CustomerRef("alice") + R"(,"amount":10)"));
  CHECK(ActionCauses(h.ActionsOf("twice today")) == Strings{"o3"});
}

}  // namespace patron::testing
