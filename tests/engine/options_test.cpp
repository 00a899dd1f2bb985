// Rule options of this build: limit (per customer, per path), holdout,
// priority, and profile changes visible to the rules that run after them.
#include <set>

#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

const std::string kAlice = Phone("13800000001");
const std::string kBob = Phone("13800000002");
const std::string kAliceId = "c-" + Hex64(StableHash({"phone:13800000001"}));

std::string At(const std::string& hhmm, int day = 1) {
  return "2026-03-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T" + hhmm + ":00Z";
}

}  // namespace

TEST_CASE("limit per customer: at most n in any window of length D that ends at t (its start excluded)", "[options]") {
  Harness h(R"(rule "twice" when order.completed then coupon "T" limit 2 per customer per 1 day end)");
  std::vector<size_t> counts;
  auto order = [&](const std::string& id, const std::string& time) {
    h.Send(Ev(id, "order.completed", time, kAlice + R"(,"amount":10)"));
    counts.push_back(h.Count("twice"));
  };
  order("o1", At("10:00", 1));  // fires
  order("o2", At("11:00", 1));  // fires
  order("o3", At("12:00", 1));  // skipped: two in (day1 12:00 - 1 day, ...]
  order("o4", At("10:00", 2));  // exactly one day after o1: o1 is out of the window; o3 did not count
  order("o5", At("10:30", 2));  // o2 and o4 in the window: skipped
  order("o6", At("11:00", 2));  // o2 is exactly one day ago: out; fires
  CHECK(counts == std::vector<size_t>{1, 2, 2, 3, 3, 4});
  CHECK(h.engine().stats().skipped_limit == 2);
  auto outcomes = h.OutcomeCounts();
  CHECK(outcomes["twice"]["skipped_limit"] == 2);
  // Bob has his own window.
  h.Send(Ev("b1", "order.completed", At("11:30", 2), kBob + R"(,"amount":10)"));
  CHECK(h.Count("twice") == 5);
}

TEST_CASE("limit per path keys by that value alone, a null key is not limited", "[options]") {
  Harness h(R"(
rule "per_sku" when order.completed then coupon "S" limit 1 per event.sku per 7 days end
)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"sku":"fish")"));
  h.Send(Ev("o2", "order.completed", At("10:01"), kBob + R"(,"sku":"fish")"));  // same key, other customer
  h.Send(Ev("o3", "order.completed", At("10:02"), kBob + R"(,"sku":"rice")"));
  h.Send(Ev("o4", "order.completed", At("10:03"), kAlice));                     // no sku: not limited
  h.Send(Ev("o5", "order.completed", At("10:04"), kAlice));
  h.Send(Ev("o6", "order.completed", At("10:00", 8), kBob + R"(,"sku":"fish")"));  // exactly 7 days later
  auto actions = h.ActionsOf("per_sku");
  std::vector<std::string> causes;
  for (const Action& a : actions) causes.push_back(a.cause_event);
  CHECK(causes == std::vector<std::string>{"o1", "o3", "o4", "o5", "o6"});
  // Keyed state survives a restart.
  h.Open();
  h.Send(Ev("o7", "order.completed", At("10:01", 8), kAlice + R"(,"sku":"fish")"));
  CHECK(h.Count("per_sku") == 5);
}

TEST_CASE("a keyed limit without a customer derives action ids from the key", "[options]") {
  Harness h(R"(rule "stock" when stock.low then remind purchasing "restock {event.sku}" limit 1 per event.sku per 1 day end)");
  h.Send(Ev("k1", "stock.low", At("09:00"), R"("store":"s1","sku":"fish")"));
  auto actions = h.ActionsOf("stock");
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].customer_id.empty());
  CHECK(actions[0].text == "restock fish");
  CHECK(actions[0].role == "purchasing");
  CHECK(actions[0].store == "s1");
  CHECK(actions[0].id == Hex64(StableHash({"stock", "fish", "test", "k1", "0"})));
}

TEST_CASE("holdout: a stable share of customers, the same in two runs", "[options][slow]") {
  const std::string rules = R"(rule "promo" when order.completed then coupon "P" holdout 10% end)";
  const int kCustomers = 10'000;
  std::set<std::string> expected_out;  // decision 4, computed here
  std::vector<std::vector<std::string>> runs;
  for (int run = 0; run < 2; ++run) {
    Harness h(rules);
    for (int i = 0; i < kCustomers; ++i) {
      std::string id = "m" + std::to_string(i);
      h.Queue(Ev("e" + std::to_string(i), "order.completed", At("10:00"), R"("customer":{"id":")" + id + R"("})"));
      if (run == 0 && StableHash({"holdout", "promo", id}) % 1'000'000 < 100'000) expected_out.insert(id);
      if (i % 1000 == 999) h.Commit();
    }
    h.Commit();
    std::vector<std::string> ids;
    std::set<std::string> served;
    for (const Action& a : h.ActionsOf("promo")) {
      ids.push_back(a.id);
      served.insert(a.customer_id);
    }
    runs.push_back(ids);
    for (const std::string& id : expected_out) CHECK(served.count(id) == 0);
    CHECK(served.size() + expected_out.size() == static_cast<size_t>(kCustomers));
    CHECK(h.engine().stats().held_out == expected_out.size());
    CHECK(h.engine().stats().fired_per_rule.at("promo") == static_cast<uint64_t>(kCustomers));
    CHECK(h.OutcomeCounts()["promo"]["held_out"] == expected_out.size());
  }
  CHECK(runs[0] == runs[1]);
  // About 10% (binomial, sd 30): within 5 sd.
  CHECK(expected_out.size() > 850);
  CHECK(expected_out.size() < 1150);
}

TEST_CASE("held-out firings count for the limit", "[options]") {
  // Find a customer id that is held out of a 50% holdout.
  std::string held;
  for (int i = 0; held.empty(); ++i) {
    std::string id = "h" + std::to_string(i);
    if (StableHash({"holdout", "half", id}) % 1'000'000 < 500'000) held = id;
  }
  Harness h(R"(rule "half" when order.completed then coupon "H" limit 1 per customer per 30 days holdout 50% end)");
  h.Send(Ev("o1", "order.completed", At("10:00"), R"("customer":{"id":")" + held + R"("})"));
  h.Send(Ev("o2", "order.completed", At("11:00"), R"("customer":{"id":")" + held + R"("})"));
  CHECK(h.Count("half") == 0);
  CHECK(h.engine().stats().held_out == 1);
  CHECK(h.engine().stats().skipped_limit == 1);
}

TEST_CASE("priority orders rules, profile changes are visible to later rules", "[options]") {
  Harness h(R"(
rule "vip_coupon" when order.completed where "vip" in customer.tags then coupon "VIP" end
rule "gold_before" when order.completed where customer.tier == "gold" then coupon "GB" end
rule "make_gold" when order.completed then set customer.tier = "gold" end
rule "gold_after" when order.completed where customer.tier == "gold" then coupon "GA" end
rule "tagger" when order.completed then tag "vip" priority 10 end
)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice));
  // tagger (priority 10) first; then rule-set order. The shared test
  // `customer.tier == "gold"` is false for gold_before and, after make_gold,
  // true for gold_after in the same event.
  std::vector<std::string> order;
  for (const Action& a : h.ActionsOf()) order.push_back(a.rule);
  CHECK(order == std::vector<std::string>{"tagger", "vip_coupon", "make_gold", "gold_after"});
  h.Send(Ev("o2", "order.completed", At("10:05"), kAlice));
  order.clear();
  for (const Action& a : h.ActionsOf()) order.push_back(a.rule);
  // Second order: tag and tier already held (no-ops, not emitted).
  CHECK(order == std::vector<std::string>{"tagger", "vip_coupon", "make_gold", "gold_after", "vip_coupon",
                                          "gold_before", "gold_after"});
}

TEST_CASE("ties run in rule-set order even when rules come from the index", "[options]") {
  Harness h(R"(
rule "a" when order.completed where event.store == "s1" then coupon "A" end
rule "b" when order.completed then coupon "B" end
rule "c" when order.completed where event.amount > 5 then coupon "C" end
rule "d" when order.completed where event.store == "s1" and event.amount > 5 then coupon "D" priority -1 end
rule "e" when order.completed where event.store == "s1" and event.amount > 5 then coupon "E" end
)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"store":"s1","amount":10)"));
  std::vector<std::string> order;
  for (const Action& a : h.ActionsOf()) order.push_back(a.code);
  CHECK(order == std::vector<std::string>{"A", "B", "C", "E", "D"});
}

}  // namespace patron::testing
