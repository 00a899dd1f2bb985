// Measures (language.md "Measures: named aggregates per customer") against
// timelines computed by hand: customer.<measure> holds the value as of the
// moment it is read (an event's time or a firing's), exact to the second;
// while the rules of an event of its type run it includes that event;
// empty windows as for aggregates; state per customer keyed by name and
// definition, durable, and merged with the customer.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who, const std::string& amount) {
  return CustomerRef(who) + R"(,"store":"s1","amount":)" + amount;
}

// The rendered template of each message action of `rule`, in order.
Strings Templates(const Harness& h, const std::string& rule) {
  Strings out;
  for (const Action& a : h.ActionsOf(rule)) out.push_back(a.template_name);
  return out;
}

const char* kSpendRules = R"(
measure spend_7d = sum(order.completed.amount) over 7 days
measure orders_7d = count(order.completed) over 7 days
measure big_orders = count(order.completed where event.amount >= 100)
measure avg_refund = avg(refund.issued.value) over 30 days
measure top = max(order.completed.amount)

rule "on visit"
  when visit
  then message sms "spend {customer.spend_7d} orders {customer.orders_7d} big {customer.big_orders} refund [{customer.avg_refund}] top [{customer.top}]"
end

rule "on order"
  when order.completed
  then message sms "spend {customer.spend_7d} orders {customer.orders_7d}"
end
)";

}  // namespace

TEST_CASE("measure over 7 days: an order leaves the window exactly 7 days after it", "[measures]") {
  TimeHarness h(kSpendRules);
  // Empty windows: count and sum 0, avg and max null (printed as nothing).
  h.Send(Ev("v0", "visit", "2026-03-01T00:00:00Z", CustomerRef("alice")));
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice", "100")));
  h.Send(Ev("o2", "order.completed", "2026-03-03T10:00:00Z", Order("alice", "50.5")));
  h.Send(Ev("v1", "visit", "2026-03-08T09:59:59Z", CustomerRef("alice")));  // o1 still inside
  h.Send(Ev("v2", "visit", "2026-03-08T10:00:00Z", CustomerRef("alice")));  // o1 left: (t - 7d, t]
  h.Send(Ev("v3", "visit", "2026-03-10T10:00:00Z", CustomerRef("alice")));  // o2 left too
  CHECK(Templates(h, "on visit") == Strings{
                                        "spend 0 orders 0 big 0 refund [] top []",
                                        "spend 150.5 orders 2 big 1 refund [] top [100]",
                                        "spend 50.5 orders 1 big 1 refund [] top [100]",
                                        "spend 0 orders 0 big 1 refund [] top [100]",
                                    });
  // Read while an order's rules run, the measure includes that order.
  CHECK(Templates(h, "on order") == Strings{"spend 100 orders 1", "spend 150.5 orders 2"});
}

TEST_CASE("measure this month: a calendar month in the rule set's timezone", "[measures]") {
  TimeHarness h(R"(
measure visits_this_month = count(visit) this month
rule "count"
  when order.completed
  then message sms "{customer.visits_this_month}"
end
)");
  // 23:59:59 on 28 February and 00:30 on 1 March, Asia/Shanghai (UTC+8).
  h.Send(Ev("v1", "visit", "2026-02-28T15:59:59Z", CustomerRef("alice")));
  h.Send(Ev("o1", "order.completed", "2026-02-28T16:00:00Z", Order("alice", "1")));  // 1 March 00:00 local
  h.Send(Ev("v2", "visit", "2026-02-28T16:30:00Z", CustomerRef("alice")));
  h.Send(Ev("v3", "visit", "2026-03-31T15:59:59Z", CustomerRef("alice")));  // 31 March 23:59:59
  h.Send(Ev("o2", "order.completed", "2026-03-31T15:59:59Z", Order("alice", "1")));
  h.Send(Ev("o3", "order.completed", "2026-03-31T16:00:00Z", Order("alice", "1")));  // 1 April
  CHECK(Templates(h, "count") == Strings{"0", "2", "0"});
}

TEST_CASE("measure read at a firing's time: an absence deadline sees the order gone", "[measures]") {
  TimeHarness h(R"(
measure spend_7d = sum(order.completed.amount) over 7 days
measure spend_8d = sum(order.completed.amount) over 8 days
rule "quiet week"
  when no order.completed for 7 days
  then message sms "7d {customer.spend_7d} 8d {customer.spend_8d}"
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice", "80")));
  h.AdvanceTo("2026-03-08T10:00:00Z");
  // At the deadline (exactly 7 days later) the order is outside 7 days, inside 8.
  CHECK(ActionTimes(h.ActionsOf("quiet week")) == Strings{"2026-03-08T10:00:00Z"});
  CHECK(Templates(h, "quiet week") == Strings{"7d 0 8d 80"});
}

TEST_CASE("measure in where, segments and set", "[measures]") {
  TimeHarness h(R"(
measure spend_30d = sum(order.completed.amount) over 30 days
segment big = customer.spend_30d > 500
rule "big"
  when order.completed
  where customer in big and customer.spend_30d < 1000
  then set customer.attrs.spend_then = customer.spend_30d
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice", "300")));
  h.Send(Ev("o2", "order.completed", "2026-03-02T10:00:00Z", Order("alice", "200")));  // 500: not > 500
  h.Send(Ev("o3", "order.completed", "2026-03-03T10:00:00Z", Order("alice", "0.01")));
  h.Send(Ev("o4", "order.completed", "2026-03-04T10:00:00Z", Order("alice", "600")));  // 1100.01
  auto actions = h.ActionsOf("big");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].cause_event == "o3");
  CHECK(actions[0].value_json == "500.01");
}

TEST_CASE("measure state survives a restart", "[measures][restart]") {
  TimeHarness h(kSpendRules);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice", "100")));
  h.Send(Ev("o2", "order.completed", "2026-03-05T10:00:00Z", Order("alice", "20")));
  h.Open();  // a restart: the store is reopened, the engine built anew
  h.Send(Ev("v1", "visit", "2026-03-08T09:00:00Z", CustomerRef("alice")));
  h.Send(Ev("v2", "visit", "2026-03-08T11:00:00Z", CustomerRef("alice")));
  CHECK(Templates(h, "on visit") == Strings{"spend 120 orders 2 big 1 refund [] top [100]",
                                            "spend 20 orders 1 big 1 refund [] top [100]"});
}

TEST_CASE("measure state is keyed by name and definition: a changed definition starts afresh", "[measures]") {
  const std::string before = R"(
measure spend = sum(order.completed.amount)
measure visits = count(visit)
rule "show"
  when visit
  then message sms "{customer.spend} {customer.visits}"
end
)";
  // `spend` has a new definition (a filter); `visits` is written differently
  // but is the same definition once comments and spacing are dropped.
  const std::string after = R"(
measure spend = sum(order.completed.amount where event.amount > 1)
measure visits = count(   visit   )  # the same
rule "show"
  when visit
  then message sms "{customer.spend} {customer.visits}"
end
)";
  TimeHarness h(before);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Order("alice", "100")));
  h.Send(Ev("v1", "visit", "2026-03-01T11:00:00Z", CustomerRef("alice")));
  CompiledRulesPtr swapped = CompileText(after, CompileOptions{});
  REQUIRE(h.engine().SwapRules(*swapped).ok());
  h.Send(Ev("o2", "order.completed", "2026-03-02T10:00:00Z", Order("alice", "5")));
  h.Send(Ev("v2", "visit", "2026-03-02T11:00:00Z", CustomerRef("alice")));
  CHECK(Templates(h, "show") == Strings{"100 1", "5 2"});
}

TEST_CASE("measure after a merge covers the merged history", "[measures][merge]") {
  TimeHarness h(R"(
measure spend_7d = sum(order.completed.amount) over 7 days
measure order_count = count(order.completed)
rule "show"
  when visit
  then message sms "{customer.spend_7d} {customer.order_count}"
end
)");
  const std::string phone = R"("customer":{"phone":"13800138000"})";
  const std::string openid = R"("customer":{"openid":"oAbc"})";
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", phone + R"(,"amount":30)"));
  h.Send(Ev("o2", "order.completed", "2026-03-02T10:00:00Z", openid + R"(,"amount":12)"));
  // One event names both: the two customers are merged.
  h.Send(Ev("v1", "visit", "2026-03-03T10:00:00Z", R"("customer":{"phone":"13800138000","openid":"oAbc"})"));
  CHECK(h.engine().stats().merges == 1);
  h.Send(Ev("v2", "visit", "2026-03-08T10:00:00Z", openid));  // o1 left the window
  CHECK(Templates(h, "show") == Strings{"42 2", "12 2"});
}

TEST_CASE("measure with no customer reads null and is not updated", "[measures]") {
  TimeHarness h(R"(
measure order_count = count(order.completed)
rule "show"
  when order.completed
  then remind store_manager "[{customer.order_count}]"
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", R"("store":"s1","amount":3)"));
  auto actions = h.ActionsOf("show");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].text == "[]");
}

}  // namespace patron::testing
