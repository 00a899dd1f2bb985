// engine/compiler: what compiles (every construct of language.md, time-driven
// ones included), how much the graph shares, and the summary for `patron check`.
#include <catch2/catch.hpp>

#include <string>

#include "dsl/parse.hpp"
#include "engine/compile/compiler.hpp"
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

}  // namespace

TEST_CASE("every time-driven construct compiles, dispatched or watched as its trigger needs", "[compiler]") {
  const std::string text =
      "rule \"a\"\n"
      "  when no order.completed or order.refunded for 30 days\n"
      "  then coupon \"X\"\n"
      "end\n"
      "rule \"b\" when order.placed not followed by order.accepted within 10 minutes on order_id then coupon \"X\" end\n"
      "rule \"c\" when order.completed followed by review.posted within 2 days then coupon \"X\" end\n"
      "rule \"d\"\n"
      "  when sum(order.completed.amount) over 30 days > 500\n"
      "  wait 2 hours\n"
      "  then coupon \"X\"\n"
      "  between 22:00 and 02:00\n"
      "end\n"
      "rule \"e\" when every day at 10:00 then coupon \"X\" end\n"
      "rule \"f\" when every monday at 10:30 then coupon \"X\" end\n"
      "rule \"g\" when on 2026-02-17 at 10:00 then coupon \"X\" end\n"
      "rule \"h\" when 3 days before customer.birthday yearly at 10:00 then coupon \"X\" end\n"
      "rule \"i\" when 0 days after customer.attrs.anniversary at 09:00 then coupon \"X\" end\n"
      "rule \"j\" when count(order.completed) this week >= 3 then coupon \"X\" end\n";
  CompiledRulesPtr compiled;
  dsl::Diagnostics diags = CompileErrors(text, &compiled);
  INFO(diags.Render());
  REQUIRE_FALSE(diags.HasErrors());
  REQUIRE(compiled);
  const CompiledRules& g = *compiled;
  CHECK(g.zone.name() == "Asia/Shanghai");

  // Absence: only timers fire it; both listed types arm it.
  const CompiledRule& a = *g.FindRule("a");
  CHECK_FALSE(a.dispatched);
  CHECK(a.duration == 30 * kMicrosPerDay);
  REQUIRE(g.Watches("order.refunded") != nullptr);
  CHECK(g.Watches("order.refunded")->at(0).role == WatchRole::kArmAbsence);

  // not followed by: A opens, B closes, correlated by the field.
  const CompiledRule& b = *g.FindRule("b");
  CHECK_FALSE(b.dispatched);
  CHECK(b.on_field != kNoNode);
  REQUIRE(g.Watches("order.placed") != nullptr);
  CHECK(g.Watches("order.placed")->at(0).role == WatchRole::kOpenSequence);
  REQUIRE(g.Watches("order.accepted") != nullptr);
  CHECK(g.Watches("order.accepted")->at(0).role == WatchRole::kCloseSequence);

  // followed by: fires on B (dispatched there), by customer.
  const CompiledRule& c = *g.FindRule("c");
  CHECK(c.dispatched);
  CHECK(c.event_type == "review.posted");
  CHECK(c.on_field == kNoNode);
  REQUIRE(g.Dispatch("review.posted") != nullptr);

  const CompiledRule& d = *g.FindRule("d");
  CHECK(d.window == dsl::Window::kSliding);
  CHECK(d.window_length == 30 * kMicrosPerDay);
  REQUIRE(d.wait.has_value());
  CHECK(*d.wait == 2 * kMicrosPerHour);
  CHECK(d.has_between);
  CHECK(d.between_from == 22 * 60);
  CHECK(d.between_to == 2 * 60);

  CHECK(g.schedule_rules.size() == 3);
  CHECK(g.FindRule("f")->weekday == 1);
  CHECK(g.FindRule("f")->at_minutes == 10 * 60 + 30);
  CHECK(g.FindRule("g")->on_date == *ParseDate("2026-02-17"));

  REQUIRE(g.date_rules.size() == 2);
  const CompiledRule& h = *g.FindRule("h");
  CHECK(h.date_before);
  CHECK(h.yearly);
  CHECK(h.date_is_birthday);
  const CompiledRule& i = *g.FindRule("i");
  CHECK_FALSE(i.date_is_birthday);
  CHECK(i.date_attr_name == "anniversary");
  CHECK(i.duration == 0);

  CHECK(g.FindRule("j")->window == dsl::Window::kWeek);
  // Timers find their rule by its stable key.
  CHECK(g.FindRuleByKey(a.rule_key) == &a);
  CHECK(g.FindRuleByKey(12345) == nullptr);
}

TEST_CASE("an unknown timezone is a compile error", "[compiler]") {
  dsl::Diagnostics load;
  auto rs = dsl::LoadRuleText("t.rules", "rule \"e\" when every day at 10:00 then coupon \"X\" end\n", load);
  REQUIRE(rs.has_value());
  dsl::Diagnostics diags;
  CompileOptions options;
  options.timezone = "Mars/Olympus";
  CHECK(CompileRules(*rs, diags, options) == nullptr);
  REQUIRE(diags.count() == 1);
  CHECK(diags.items()[0].message.find("Mars/Olympus") != std::string::npos);
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
