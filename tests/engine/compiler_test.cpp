// engine/compiler: what compiles, what is refused with "not supported yet"
// at its position, how much the graph shares, and the summary for `patron check`.
#include <catch2/catch.hpp>

#include <string>

#include "dsl/parse.hpp"
#include "engine/compiler.hpp"
#include "engine/graph.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

// Loads `text` (it must parse and check) and compiles it; returns the diagnostics.
dsl::Diagnostics CompileErrors(const std::string& text, CompiledRulesPtr* out = nullptr) {
  dsl::Diagnostics load;
  auto rs = dsl::LoadRuleText("time.rules", text, load);
  INFO(load.Render());
  REQUIRE(rs.has_value());
  dsl::Diagnostics diags;
  CompiledRulesPtr compiled = CompileRules(*rs, diags);
  CHECK((compiled == nullptr) == diags.HasErrors());
  if (out) *out = std::move(compiled);
  return diags;
}

std::string Where(const dsl::Diagnostic& d) {
  return d.path + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.message;
}

const std::string kSuffix = "' is not supported yet in this build (time-driven triggers arrive with the time issue)";

}  // namespace

TEST_CASE("time-driven constructs are refused at their position, every one of them", "[compiler]") {
  const std::string text =
      "rule \"a\"\n"                                                             // 1
      "  when no order.completed for 30 days\n"                                  // 2
      "  then coupon \"X\"\n"                                                    // 3
      "end\n"                                                                    // 4
      "rule \"b\" when order.completed not followed by review.posted within 2 days then coupon \"X\" end\n"  // 5
      "rule \"c\" when order.completed followed by review.posted within 2 days then coupon \"X\" end\n"      // 6
      "rule \"d\"\n"                                                             // 7
      "  when sum(order.completed.amount) over 30 days > 500\n"                  // 8
      "  wait 2 hours\n"                                                         // 9
      "  then coupon \"X\"\n"                                                    // 10
      "  between 09:00 and 21:00\n"                                              // 11
      "end\n"                                                                    // 12
      "rule \"e\" when every day at 10:00 then coupon \"X\" end\n"               // 13
      "rule \"f\" when every monday at 10:00 then coupon \"X\" end\n"            // 14
      "rule \"g\" when on 2026-02-17 at 10:00 then coupon \"X\" end\n"           // 15
      "rule \"h\" when 3 days before customer.birthday at 10:00 then coupon \"X\" end\n"  // 16
      "rule \"i\" when count(order.completed) this day >= 3 then coupon \"X\" end\n"      // 17
      "rule \"j\" when count(order.completed) this week >= 3 then coupon \"X\" end\n"     // 18
      "rule \"k\" when count(order.completed) this month >= 3 then coupon \"X\" end\n"    // 19
      "rule \"l\" when count(order.completed) this year >= 3 then coupon \"X\" end\n"     // 20
      "rule \"ok\" when order.completed then coupon \"X\" end\n";                         // 21
  dsl::Diagnostics diags = CompileErrors(text);
  REQUIRE(diags.count() == 14);  // rule "ok" compiles
  const auto& d = diags.items();
  CHECK(Where(d[0]) == "time.rules:2:3 'no ... for" + kSuffix);
  CHECK(Where(d[1]) == "time.rules:5:10 'not followed by" + kSuffix);
  CHECK(Where(d[2]) == "time.rules:6:10 'followed by" + kSuffix);
  CHECK(Where(d[3]) == "time.rules:8:36 'over" + kSuffix);
  CHECK(Where(d[4]) == "time.rules:9:3 'wait" + kSuffix);
  CHECK(Where(d[5]) == "time.rules:11:3 'between" + kSuffix);
  CHECK(Where(d[6]) == "time.rules:13:10 'every day" + kSuffix);
  CHECK(Where(d[7]) == "time.rules:14:10 'every monday" + kSuffix);
  CHECK(Where(d[8]) == "time.rules:15:10 'on 2026-02-17" + kSuffix);
  CHECK(Where(d[9]) == "time.rules:16:10 'before customer.birthday" + kSuffix);
  CHECK(Where(d[10]) == "time.rules:17:38 'this day" + kSuffix);
  CHECK(Where(d[11]) == "time.rules:18:38 'this week" + kSuffix);
  CHECK(Where(d[12]) == "time.rules:19:38 'this month" + kSuffix);
  CHECK(Where(d[13]) == "time.rules:20:38 'this year" + kSuffix);
}

TEST_CASE("what this build runs compiles without errors", "[compiler]") {
  CompiledRulesPtr compiled;
  dsl::Diagnostics diags = CompileErrors(R"(
event review.posted { rating: number, text: string, platform: string }
segment big_spenders = customer.spent >= 2000 and customer.orders >= 10
rule "plain" when order.completed where event.amount > 100 then coupon "A" value 5 valid 14 days end
rule "first" when first order.completed then coupon "W" end
rule "sum" when sum(order.completed.amount where event.channel == "dine_in") > 500 then tag "vip" end
rule "count" when count(order.completed) >= 3 then points 10 limit 1 per customer per 30 days holdout 10% priority 5 end
rule "review" when review.posted where event.rating <= 2 and customer in big_spenders
  then ticket "差评 {event.rating} 星: {event.text}" priority high to store_manager
end
)",
                                         &compiled);
  INFO(diags.Render());
  REQUIRE_FALSE(diags.HasErrors());
  REQUIRE(compiled);
  CHECK(compiled->rules.size() == 5);
  CHECK(compiled->FindRule("count")->priority == 5);
  CHECK(compiled->FindRule("count")->rank == 0);  // the highest priority runs first
  CHECK(compiled->FindRule("plain")->rank == 1);
  CHECK(compiled->FindRule("count")->holdout_below == 100'000);
  CHECK(compiled->Declared("review.posted") != nullptr);
}

TEST_CASE("identical predicates are one shared node", "[compiler]") {
  CompiledRulesPtr compiled = CompileText(R"(
rule "a" when review.posted where event.rating <= 2 and customer.tier != "blacklist" then coupon "A" end
rule "b" when review.posted where customer.tier != "blacklist" and event.rating <= 2 then coupon "B" end
rule "c" when review.posted where event.rating <= 2 then coupon "C" end
)");
  const CompiledRule* a = compiled->FindRule("a");
  const CompiledRule* b = compiled->FindRule("b");
  const CompiledRule* c = compiled->FindRule("c");
  // `x and y` and `y and x` are one node; `event.rating <= 2` is shared by all three.
  CHECK(a->where == b->where);
  const Node& where = compiled->nodes[a->where];
  REQUIRE(where.op == NodeOp::kAnd);
  CHECK((where.a == c->where || where.b == c->where));
  // Nodes: event.rating, 2, <=, customer.tier, "blacklist", !=, and: 7, whatever the rule count.
  CHECK(compiled->Stats().nodes == 7);
  // The shared comparison is memoised per event.
  CHECK(compiled->nodes[c->where].memo);
}

TEST_CASE("equality conjuncts are hashed and ranges indexed", "[compiler]") {
  std::string text;
  for (int k = 0; k < 300; ++k) {
    text += "rule \"r" + std::to_string(k) + "\" when order.completed where event.store == \"s" +
            std::to_string(k % 3) + "\" and event.amount > " + std::to_string(50 + k % 7) +
            " then coupon \"C\" end\n";
  }
  text += "rule \"free\" when order.completed where customer.orders > 3 then coupon \"F\" end\n";
  CompiledRulesPtr compiled = CompileText(text);
  GraphStats s = compiled->Stats();
  CHECK(s.indexed_rules == 300);
  CHECK(s.always_rules == 1);
  CHECK(s.groups == 1);
  CHECK(s.buckets == 3);
  CHECK(s.range_indexes == 3);
  // 3 stores + 7 thresholds + their comparisons and the 21 distinct conjunctions, not 300 of each.
  CHECK(s.nodes < 60);
}

TEST_CASE("Summarise counts rules, segments and event types", "[compiler]") {
  dsl::Diagnostics diags;
  auto rs = dsl::LoadRuleText("s.rules", R"(
event review.posted { rating: number }
segment vip = customer.spent > 1000
rule "a" when order.completed then coupon "A" end
rule "b" when review.posted then coupon "B" end
rule "c" when first member.registered then coupon "C" end
)",
                              diags);
  REQUIRE(rs);
  RuleSetSummary s = Summarise(*rs);
  CHECK(s.rules == 3);
  CHECK(s.segments == 1);
  CHECK(s.event_types == 3);
}

}  // namespace patron::testing
