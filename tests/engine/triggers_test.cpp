// Triggers of this build against hand-computed expectations: plain events,
// `first`, and lifetime aggregates (count/sum/avg/min/max, with `where`),
// edge-triggered as language.md says.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

const std::string kAlice = Phone("13800000001");
const std::string kBob = Phone("13800000002");

std::string Order(const std::string& who, const std::string& amount, const std::string& extra = "") {
  return who + R"(,"store":"s1","amount":)" + amount + extra;
}

// Sends orders of `amounts` for `who`, one a minute from 2026-03-01T10:00Z;
// returns how many actions `rule` had after each one.
std::vector<size_t> Run(Harness& h, const std::string& rule, const std::string& who,
                        const std::vector<std::string>& amounts, const std::string& extra = "") {
  std::vector<size_t> counts;
  static int next_id = 0;
  for (size_t i = 0; i < amounts.size(); ++i) {
    std::string time = "2026-03-01T10:" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ":00Z";
    h.Send(Ev("o" + std::to_string(next_id++), "order.completed", time, Order(who, amounts[i], extra)));
    counts.push_back(h.Count(rule));
  }
  return counts;
}

using Counts = std::vector<size_t>;

}  // namespace

TEST_CASE("a plain trigger fires on every event of its type whose where holds", "[triggers]") {
  Harness h(R"(
rule "big" when order.completed where event.amount >= 100 then coupon "BIG" end
rule "reviews" when review.posted then coupon "R" end
)");
  CHECK(Run(h, "big", kAlice, {"99.99", "100", "250", "12"}) == Counts{0, 1, 2, 2});
  CHECK(h.Count("reviews") == 0);
}

TEST_CASE("first fires on the customer's first event of the type only", "[triggers]") {
  Harness h(R"(
rule "welcome" when first order.completed then coupon "WELCOME" end
rule "first_big" when first order.completed where event.amount > 100 then coupon "FB" end
)");
  CHECK(Run(h, "welcome", kAlice, {"10", "20", "30"}) == Counts{1, 1, 1});
  CHECK(Run(h, "welcome", kBob, {"10"}) == Counts{2});
  // seen_first is set even when where fails: Alice's later big order does not fire.
  CHECK(h.Count("first_big") == 0);
  Run(h, "first_big", kAlice, {"500"});
  CHECK(h.Count("first_big") == 0);
  // State survives a restart of the engine and store.
  h.Open();
  Run(h, "welcome", kAlice, {"10"});
  CHECK(h.Count("welcome") == 2);
}

TEST_CASE("count fires on the event that makes the comparison true", "[triggers]") {
  Harness h(R"(
rule "third" when count(order.completed) >= 3 then coupon "THREE" end
rule "exactly2" when count(order.completed) == 2 then coupon "TWO" end
)");
  CHECK(Run(h, "third", kAlice, {"1", "1", "1", "1", "1"}) == Counts{0, 0, 1, 1, 1});
  CHECK(h.Count("exactly2") == 1);
}

TEST_CASE("count below a threshold fires on the first event, never again", "[triggers]") {
  // Empty count is 0: `< 2` holds before the first event too, so nothing goes
  // from false to true... until it falls back? It never falls back: counts grow.
  Harness h(R"(rule "few" when count(order.completed) < 2 then coupon "F" end)");
  CHECK(Run(h, "few", kAlice, {"1", "1", "1"}) == Counts{0, 0, 0});
}

TEST_CASE("sum is exact and edge-triggered", "[triggers]") {
  Harness h(R"(rule "vip" when sum(order.completed.amount) > 500 then set customer.tier = "VIP" end)");
  // 166.66 + 166.67 + 166.67 == 500 exactly: not > 500; the next cent crosses.
  CHECK(Run(h, "vip", kAlice, {"166.66", "166.67", "166.67", "0.01", "1000"}) == Counts{0, 0, 0, 1, 1});
  CustomerRecord* alice = h.Customer("c-" + Hex64(StableHash({"phone:13800000001"})));
  REQUIRE(alice != nullptr);
  CHECK(alice->profile.tier == "VIP");
}

TEST_CASE("sum with a where filter aggregates only matching events", "[triggers]") {
  Harness h(R"(
rule "dine_in_fan" when sum(order.completed.amount where event.channel == "dine_in") >= 100
  then coupon "DINE" end
)");
  std::vector<std::string> amounts = {"60", "60"};
  Run(h, "dine_in_fan", kAlice, amounts, R"(,"channel":"takeaway")");
  CHECK(h.Count("dine_in_fan") == 0);
  CHECK(Run(h, "dine_in_fan", kAlice, {"60", "39.99", "0.01", "50"}, R"(,"channel":"dine_in")") ==
        Counts{0, 0, 1, 1});
}

TEST_CASE("avg: null when empty, rounded, edge-triggered both ways", "[triggers]") {
  Harness h(R"(rule "high_avg" when avg(order.completed.amount) > 100 then coupon "AVG" end)");
  // avg after: 150 (fires: before was null), 100 (false), 100 (false), 125 (fires again), 105 (true, no edge).
  CHECK(Run(h, "high_avg", kAlice, {"150", "50", "100", "200", "25"}) == Counts{1, 1, 1, 2, 2});
}

TEST_CASE("min and max follow their thresholds", "[triggers]") {
  Harness h(R"(
rule "cheap" when min(order.completed.amount) < 20 then coupon "MIN" end
rule "splurge" when max(order.completed.amount) >= 300 then coupon "MAX" end
)");
  CHECK(Run(h, "cheap", kAlice, {"50", "19.99", "5", "100"}) == Counts{0, 1, 1, 1});
  CHECK(h.Count("splurge") == 0);
  CHECK(Run(h, "splurge", kAlice, {"299.99", "300", "400"}) == Counts{0, 1, 1});
}

TEST_CASE("aggregates skip events whose field is not a number", "[triggers]") {
  Harness h(R"(rule "n" when count(order.completed where exists(event.coupon)) == 2 then coupon "N" end
rule "s" when sum(order.completed.tip) >= 10 then coupon "S" end)");
  Run(h, "n", kAlice, {"10", "10"});
  CHECK(h.Count("n") == 0);
  CHECK(Run(h, "n", kAlice, {"10", "10", "10"}, R"(,"coupon":"X")") == Counts{0, 1, 1});
  CHECK(Run(h, "s", kAlice, {"1"}, R"(,"tip":"ten")") == Counts{0});
  CHECK(Run(h, "s", kAlice, {"1", "1"}, R"(,"tip":5)") == Counts{0, 1});
}

TEST_CASE("customer-keyed triggers do not fire without a customer", "[triggers]") {
  Harness h(R"(
rule "welcome" when first order.completed then coupon "W" end
rule "count" when count(order.completed) >= 1 then coupon "C" end
rule "any" when order.completed then coupon "A" end
)");
  h.Send(Ev("anon1", "order.completed", "2026-03-01T10:00:00Z", R"("store":"s1","amount":10)"));
  CHECK(h.Count("welcome") == 0);
  CHECK(h.Count("count") == 0);
  REQUIRE(h.Count("any") == 1);
  CHECK(h.ActionsOf("any")[0].customer_id.empty());
  CHECK(h.ActionsOf("any")[0].store == "s1");
}

}  // namespace patron::testing

namespace patron::testing {

TEST_CASE("segments and declared time fields in where", "[triggers]") {
  Harness h(R"(
event booking.made { at: time, party: number }
segment regulars = customer.orders >= 2 and customer.spent > 100
rule "regular" when order.completed where customer in regulars then coupon "REG" end
rule "ahead" when booking.made where event.at - event.time >= 2 days and event.party > 4 then coupon "AHEAD" end
)");
  const std::string who = Phone("13800000009");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", who + R"(,"amount":80)"));
  h.Send(Ev("o2", "order.completed", "2026-03-02T10:00:00Z", who + R"(,"amount":20)"));  // spent 100: not > 100
  h.Send(Ev("o3", "order.completed", "2026-03-03T10:00:00Z", who + R"(,"amount":0.01)"));
  CHECK(h.Count("regular") == 1);
  CHECK(h.ActionsOf("regular")[0].cause_event == "o3");
  h.Send(Ev("b1", "booking.made", "2026-03-01T10:00:00Z", who + R"(,"at":"2026-03-03T18:00:00+08:00","party":6)"));
  h.Send(Ev("b2", "booking.made", "2026-03-01T10:00:00Z", who + R"(,"at":"2026-03-03T17:59:59+08:00","party":6)"));
  h.Send(Ev("b3", "booking.made", "2026-03-01T10:00:00Z", who + R"(,"at":"2026-03-05T10:00:00Z","party":4)"));
  REQUIRE(h.Count("ahead") == 1);
  CHECK(h.ActionsOf("ahead")[0].cause_event == "b1");
}

}  // namespace patron::testing
