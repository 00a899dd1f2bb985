// engine/evaluator and engine/value: the semantics of language.md
// "Expressions" and "Precise semantics" (null, decimals, strings, times,
// functions, run-time type mismatches), one expression at a time.
#include <catch2/catch.hpp>

#include "engine/evaluator.hpp"
#include "engine/event_decoder.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

constexpr const char* kEventTime = "2026-03-11T12:00:00Z";

// Evaluates `expr` (as the value of a `set`) against an event with `data`
// and a customer who last ordered on 2026-03-01 and holds the tag "vip".
class ExprProbe {
 public:
  explicit ExprProbe(const std::string& data) {
    std::string message = Ev("e1", "t", kEventTime, data);
    auto reason = decoder_.Decode(message, event_);
    INFO((reason ? *reason : ""));
    REQUIRE_FALSE(reason);
    customer_.profile.id = "c1";
    customer_.profile.tags = {"vip", "regular"};
    customer_.profile.last_order_at = *ParseRfc3339("2026-03-01T00:00:00Z");
    customer_.profile.orders = 2;
    customer_.profile.name = "Ann";
  }
  // The text of the value (AppendText), or "<null>".
  std::string Text(const std::string& expr) { return Eval(expr).text; }
  bool True(const std::string& expr) { return Eval(expr).truthy; }

 private:
  struct Outcome {
    bool truthy = false;
    std::string text;
  };
  // Compiles and evaluates `expr`; reads the value while the evaluator (and
  // its arena) is alive.
  Outcome Eval(const std::string& expr) {
    CompiledRulesPtr rules = CompileText("rule \"x\" when t then set customer.attrs.v = " + expr + " end");
    Evaluator evaluator(*rules);
    evaluator.BeginEvent(event_, &customer_, event_.time);
    Value v = evaluator.Eval(rules->rules[0].actions[0].value);
    Outcome out;
    out.truthy = v.truthy();
    if (v.is_null()) out.text = "<null>";
    else AppendText(out.text, v);
    return out;
  }

  EventDecoder decoder_;
  Event event_;
  CustomerRecord customer_;
};

}  // namespace

TEST_CASE("null: comparisons false, membership false, arithmetic null", "[evaluator]") {
  ExprProbe p(R"("amount":10)");
  CHECK_FALSE(p.True("event.missing > 5"));
  CHECK_FALSE(p.True("event.missing < 5"));
  CHECK_FALSE(p.True("event.missing == 5"));
  CHECK_FALSE(p.True("event.missing != 5"));
  CHECK_FALSE(p.True("event.missing == event.other"));
  CHECK_FALSE(p.True("\"a\" in event.missing"));
  CHECK_FALSE(p.True("event.missing contains \"a\""));
  CHECK(p.Text("event.missing + 1") == "<null>");
  CHECK(p.Text("event.amount * event.missing") == "<null>");
  CHECK(p.True("not exists(event.missing)"));
  CHECK(p.True("exists(event.amount)"));
  CHECK(p.True("not (event.missing > 5)"));
}

TEST_CASE("numbers are exact decimals, * and / round half to even", "[evaluator]") {
  ExprProbe p(R"("a":0.1,"b":0.2,"big":166.67)");
  CHECK(p.True("166.66 + 166.67 + 166.67 == 500"));
  CHECK_FALSE(p.True("166.66 + 166.67 + 166.67 > 500"));
  CHECK(p.True("event.a + event.b == 0.3"));
  CHECK(p.True("166.66 + event.big + event.big == 500"));
  CHECK(p.Text("10 / 3") == "3.333333");
  CHECK(p.Text("2 / 3") == "0.666667");
  CHECK(p.Text("0.000001 * 0.5") == "0");         // 0.0000005: half to even -> 0
  CHECK(p.Text("0.000003 * 0.5") == "0.000002");  // 0.0000015: half to even -> 0.000002
  CHECK(p.Text("1 / 0") == "<null>");
  CHECK(p.Text("-event.a") == "-0.1");
  CHECK(p.Text("2.0 * 1") == "2");
}

TEST_CASE("strings compare as bytes, contains and in", "[evaluator]") {
  ExprProbe p(R"("text":"food was bad","store":"s2","codes":[1,2,3],"name":"ÉCLAIR")");
  CHECK(p.True("\"B\" < \"a\""));
  CHECK(p.True("\"é\" > \"z\""));
  CHECK(p.True("event.text contains \"bad\""));
  CHECK_FALSE(p.True("event.text contains \"good\""));
  CHECK(p.True("customer.tags contains \"vip\""));
  CHECK(p.True("\"regular\" in customer.tags"));
  CHECK_FALSE(p.True("\"gold\" in customer.tags"));
  CHECK(p.True("event.store in [\"s1\", \"s2\"]"));
  CHECK(p.True("event.codes contains 3"));
  CHECK(p.True("2 in event.codes"));
  CHECK(p.Text("lower(\"AbC\")") == "abc");
  CHECK(p.Text("lower(event.name)") == "Éclair");  // ASCII letters only
  CHECK(p.Text("len(\"差评\")") == "2");
  CHECK(p.Text("len(event.codes)") == "3");
  CHECK(p.Text("len(customer.tags)") == "2");
}

TEST_CASE("times, durations and the time functions are relative to the firing time", "[evaluator]") {
  ExprProbe p(R"("paid_at":"2026-03-10T12:00:00+08:00")");
  CHECK(p.Text("days_since(customer.last_order_at)") == "10.5");
  CHECK(p.Text("hours_since(customer.last_order_at)") == "252");
  CHECK(p.True("now() == event.time"));
  CHECK(p.True("event.time - customer.last_order_at > 10 days"));
  CHECK_FALSE(p.True("event.time - customer.last_order_at > 11 days"));
  CHECK(p.True("customer.last_order_at + 10 days < event.time"));
  CHECK(p.Text("customer.last_order_at + 36 hours") == "2026-03-02T12:00:00Z");
  // A dynamic field holding an RFC 3339 string compares as a time.
  CHECK(p.True("event.paid_at < event.time"));
  CHECK(p.Text("days_since(event.paid_at)") == "1.333333");
  CHECK(p.Text("event.time - customer.last_order_at") == "252 hours");
}

TEST_CASE("customer attributes and lifecycle", "[evaluator]") {
  ExprProbe p("");
  CHECK(p.Text("customer.name") == "Ann");
  CHECK(p.Text("customer.tier") == "regular");
  CHECK(p.Text("customer.orders") == "2");
  CHECK(p.Text("customer.lifecycle") == "active");
  CHECK(p.Text("customer.phone") == "<null>");
  CHECK(p.Text("customer.attrs.nothing") == "<null>");
  CHECK(p.Text("customer.points + 5") == "5");
}

TEST_CASE("run-time type mismatches give false or null, never a crash", "[evaluator]") {
  ExprProbe p(R"("amount":"abc","flag":true,"obj":{"k":1},"list":[1,"a"])");
  CHECK_FALSE(p.True("event.amount > 5"));
  CHECK_FALSE(p.True("event.amount != 5"));
  CHECK(p.Text("event.amount + 1") == "<null>");
  CHECK(p.Text("lower(event.flag)") == "<null>");
  CHECK(p.Text("len(event.flag)") == "<null>");
  CHECK(p.Text("days_since(event.amount)") == "<null>");
  CHECK_FALSE(p.True("event.obj > 1"));
  CHECK(p.Text("event.obj.k") == "1");
  CHECK(p.Text("len(event.obj)") == "1");
  CHECK_FALSE(p.True("event.list > 1"));
  CHECK(p.Text("event.list") == "1, a");
  CHECK(p.Text("event.flag.deeper") == "<null>");
}

TEST_CASE("a shared predicate is evaluated once per event and again after a profile change", "[evaluator]") {
  std::string text;
  for (int i = 0; i < 50; ++i)
    text += "rule \"r" + std::to_string(i) + "\" when t where customer.orders > 3 then coupon \"C\" end\n";
  CompiledRulesPtr rules = CompileText(text);
  CHECK(rules->Stats().nodes == 3);  // customer.orders, 3, >
  EventDecoder decoder;
  Event event;
  REQUIRE_FALSE(decoder.Decode(Ev("e1", "t", kEventTime), event));
  CustomerRecord customer;
  customer.profile.orders = 5;
  Evaluator evaluator(*rules);
  evaluator.BeginEvent(event, &customer, event.time);
  for (const CompiledRule& r : rules->rules) CHECK(evaluator.Test(r.where));
  CHECK(evaluator.evaluations() == 2);  // `>` and customer.orders, once
  customer.profile.orders = 1;
  evaluator.CustomerChanged();
  for (const CompiledRule& r : rules->rules) CHECK_FALSE(evaluator.Test(r.where));
  CHECK(evaluator.evaluations() == 4);
  evaluator.BeginEvent(event, &customer, event.time);  // the next event computes again
  CHECK_FALSE(evaluator.Test(rules->rules[0].where));
  CHECK(evaluator.evaluations() == 6);
}

TEST_CASE("paths project through lists", "[evaluator]") {
  ExprProbe p(R"("items":[{"sku":"fish","opts":[{"k":"hot"}]},{"sku":"rice","opts":[{"k":"mild"},{"k":"hot"}]}])");
  CHECK(p.Text("event.items.sku") == "fish, rice");
  CHECK(p.True("event.items.sku contains \"rice\""));
  CHECK(p.True("\"fish\" in event.items.sku"));
  CHECK(p.Text("event.items.opts.k") == "hot, mild, hot");
  CHECK(p.Text("len(event.items.sku)") == "2");
  CHECK(p.True("\"mild\" in event.items.opts.k"));
  CHECK(p.Text("len(event.items.opts.k)") == "3");
}

}  // namespace patron::testing
