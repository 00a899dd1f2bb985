// Actions: rendering, ids, stores, profile actions and their no-ops, points,
// emit chains, opt-outs, coupon conversions, staff-facing masking.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

const std::string kAlice = Phone("13800000001");
const std::string kAliceId = "c-" + Hex64(StableHash({"phone:13800000001"}));

std::string At(const std::string& hhmm, int day = 1) {
  return "2026-03-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T" + hhmm + ":00Z";
}

std::vector<std::string> RulesOf(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) out.push_back(a.rule);
  return out;
}

}  // namespace

TEST_CASE("coupon: code, value, valid_until, stable id, time, store and cause", "[actions]") {
  Harness h(R"(rule "gift" when order.completed then
  coupon "G-{event.store}" value 20 valid 14 days
  coupon "PLAIN"
end)");
  h.Send(Ev("e-1", "order.completed", "2026-03-01T20:34:56+08:00", kAlice + R"(,"store":"s012","amount":1)"));
  auto a = h.ActionsOf("gift");
  REQUIRE(a.size() == 2);
  CHECK(a[0].kind == ActionKind::kCoupon);
  CHECK(a[0].code == "G-s012");
  CHECK(a[0].value == Decimal::FromInt(20));
  CHECK(a[0].time == *ParseRfc3339("2026-03-01T12:34:56Z"));
  CHECK(a[0].valid_until == *ParseRfc3339("2026-03-15T12:34:56Z"));
  CHECK(a[0].customer_id == kAliceId);
  CHECK(a[0].customer_phone == "13800000001");
  CHECK(a[0].store == "s012");
  CHECK(a[0].cause_event == "e-1");
  CHECK(a[0].id == Hex64(StableHash({"gift", kAliceId, "test", "e-1", "0"})));
  CHECK(a[1].id == Hex64(StableHash({"gift", kAliceId, "test", "e-1", "1"})));
  CHECK_FALSE(a[1].value.has_value());
  CHECK_FALSE(a[1].valid_until.has_value());
  // The record remembers what was issued, for conversions.
  CustomerRecord* alice = h.Customer(kAliceId);
  REQUIRE(alice->coupons.size() == 2);
  CHECK(alice->coupons[0].code == "G-s012");
  CHECK(alice->coupons[0].rule == "gift");
}

TEST_CASE("issued coupons are bounded per customer", "[actions]") {
  EngineOptions options;
  options.max_coupons_per_customer = 2;
  Harness h(R"(rule "c" when order.completed then coupon "C{event.n}" end)", options);
  for (int i = 1; i <= 3; ++i)
    h.Send(Ev("o" + std::to_string(i), "order.completed", At("10:0" + std::to_string(i)),
              kAlice + R"(,"n":)" + std::to_string(i)));
  CustomerRecord* alice = h.Customer(kAliceId);
  REQUIRE(alice->coupons.size() == 2);
  CHECK(alice->coupons[0].code == "C2");
  CHECK(alice->coupons[1].code == "C3");
}

TEST_CASE("templates render values as language.md says", "[actions]") {
  Harness h(R"(rule "m" when order.completed then
  message sms "amt={event.amount} two={event.two} none=[{event.missing}] skus={event.items.sku} {{literal}} t={event.time} ok={event.ok}"
end)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T12:00:00+08:00",
            kAlice + R"(,"amount":128.50,"two":2.0,"ok":true,"items":[{"sku":"fish"},{"sku":"rice"},{"qty":1}])"));
  auto a = h.ActionsOf("m");
  REQUIRE(a.size() == 1);
  CHECK(a[0].channel == Channel::kSms);
  CHECK(a[0].template_name ==
        "amt=128.5 two=2 none=[] skus=fish, rice {literal} t=2026-03-01T04:00:00Z ok=true");
}

TEST_CASE("ticket and remind go to the event's store, else the home store, with masked phones", "[actions]") {
  Harness h(R"(
rule "bad" when review.posted where event.rating <= 2
  then ticket "差评 {event.rating} 星 from {customer.phone}: {event.text}" priority high
       remind owner "call {customer.phone}"
end)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"store":"s7","amount":30)"));
  h.Send(Ev("r1", "review.posted", At("11:00"), kAlice + R"(,"rating":1,"text":"call me 13912345678")"));
  auto a = h.ActionsOf("bad");
  REQUIRE(a.size() == 2);
  CHECK(a[0].kind == ActionKind::kTicket);
  CHECK(a[0].title == "差评 1 星 from 138****0001: call me 13912345678");
  CHECK(a[0].priority == TicketPriority::kHigh);
  CHECK(a[0].role == "store_manager");
  CHECK(a[0].store == "s7");  // home store: the review names none
  CHECK(a[0].customer_phone == "138****0001");
  CHECK(a[1].kind == ActionKind::kRemind);
  CHECK(a[1].role == "owner");
  CHECK(a[1].text == "call 138****0001");

  EngineOptions clear;
  clear.mask_staff_phones = false;
  Harness u(R"(rule "bad" when review.posted then ticket "from {customer.phone}" end)", clear);
  u.Send(Ev("r1", "review.posted", At("11:00"), kAlice + R"(,"store":"s1")"));
  REQUIRE(u.Count("bad") == 1);
  CHECK(u.ActionsOf("bad")[0].title == "from 13800000001");
  CHECK(u.ActionsOf("bad")[0].customer_phone == "13800000001");
  CHECK(u.ActionsOf("bad")[0].store == "s1");
}

TEST_CASE("tag and untag change the profile, no-ops are not emitted", "[actions]") {
  Harness h(R"(
rule "tag" when order.completed then tag "regular-{event.store}" end
rule "untag" when review.posted then untag "regular-s1" end
)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"store":"s1")"));
  h.Send(Ev("o2", "order.completed", At("10:01"), kAlice + R"(,"store":"s1")"));  // already held
  h.Send(Ev("r1", "review.posted", At("10:02"), kAlice));
  h.Send(Ev("r2", "review.posted", At("10:03"), kAlice));  // not held any more
  auto tags = h.ActionsOf("tag");
  REQUIRE(tags.size() == 1);
  CHECK(tags[0].kind == ActionKind::kTag);
  CHECK(tags[0].tag == "regular-s1");
  CHECK(tags[0].cause_event == "o1");
  auto untags = h.ActionsOf("untag");
  REQUIRE(untags.size() == 1);
  CHECK(untags[0].cause_event == "r1");
  CHECK(h.Customer(kAliceId)->profile.tags.empty());
}

TEST_CASE("set writes attributes, setting the current value is a no-op", "[actions]") {
  Harness h(R"(
rule "gold" when order.completed where event.amount >= 100 then set customer.tier = "gold" end
rule "since" when order.completed where not exists(customer.attrs.vip_since) then set customer.attrs.vip_since = event.time end
rule "score" when order.completed then set customer.attrs.score = event.amount * 1.5 end
)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"amount":100)"));
  h.Send(Ev("o2", "order.completed", At("10:01"), kAlice + R"(,"amount":100)"));
  h.Send(Ev("o3", "order.completed", At("10:02"), kAlice + R"(,"amount":0.25)"));
  auto gold = h.ActionsOf("gold");
  REQUIRE(gold.size() == 1);
  CHECK(gold[0].attr == "tier");
  CHECK(gold[0].value_json == "\"gold\"");
  auto since = h.ActionsOf("since");
  REQUIRE(since.size() == 1);
  CHECK(since[0].attr == "attrs.vip_since");
  CHECK(since[0].value_json == "\"2026-03-01T10:00:00Z\"");
  auto score = h.ActionsOf("score");
  REQUIRE(score.size() == 2);  // 150, 150 (no-op), 0.375
  CHECK(score[0].value_json == "150");
  CHECK(score[1].value_json == "0.375");
  CustomerRecord* alice = h.Customer(kAliceId);
  CHECK(alice->profile.tier == "gold");
  CHECK(alice->profile.attrs.at("vip_since").as_string() == "2026-03-01T10:00:00Z");
}

TEST_CASE("points add up and report the balance", "[actions]") {
  Harness h(R"(
rule "earn" when order.completed then points event.amount / 10 end
rule "spend" when coupon.redeemed then points -5 end
)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"amount":128.5)"));
  h.Send(Ev("o2", "order.completed", At("10:01"), kAlice + R"(,"amount":30)"));
  h.Send(Ev("c1", "coupon.redeemed", At("10:02"), kAlice + R"(,"code":"X")"));
  auto a = h.ActionsOf();
  REQUIRE(a.size() == 3);
  CHECK(a[0].delta == *Decimal::Parse("12.85"));
  CHECK(a[0].balance == *Decimal::Parse("12.85"));
  CHECK(a[1].delta == Decimal::FromInt(3));
  CHECK(a[1].balance == *Decimal::Parse("15.85"));
  CHECK(a[2].delta == Decimal::FromInt(-5));
  CHECK(a[2].balance == *Decimal::Parse("10.85"));
  CHECK(h.Customer(kAliceId)->profile.points == *Decimal::Parse("10.85"));
}

TEST_CASE("emit feeds the same pipeline, breadth first, up to the depth cap", "[actions]") {
  EngineOptions options;
  options.max_emit_depth = 3;
  Harness h(R"(
rule "start" when order.completed then emit loyalty.step with n = 1 end
rule "after_start" when order.completed then coupon "SAME-EVENT" end
rule "step" when loyalty.step then tag "step{event.n}" emit loyalty.step with n = event.n + 1 end
)",
            options);
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"store":"s1")"));
  // The order's own rules finish before the emitted event runs; step 4 would be depth 4.
  CHECK(RulesOf(h.ActionsOf()) ==
        std::vector<std::string>{"start", "after_start", "step", "step", "step", "step", "step"});
  auto a = h.ActionsOf();
  CHECK(a[0].kind == ActionKind::kEmit);
  CHECK(a[0].emit_type == "loyalty.step");
  CHECK(a[2].tag == "step1");
  CHECK(a[4].tag == "step2");
  CHECK(a[5].kind == ActionKind::kEmit);
  CHECK(a[6].kind == ActionKind::kTag);
  CHECK(a[6].tag == "step3");
  // The emitted event: source "patron", decision 5's id, same time, the cause's store.
  std::string emit1 = "emit-" + Hex64(StableHash({"start", kAliceId, "test", "o1", "0"}));
  CHECK(a[2].cause_event == emit1);
  CHECK(a[2].time == a[0].time);
  CHECK(a[2].store == "s1");
  CHECK(a[2].customer_id == kAliceId);
  CHECK(h.engine().stats().emits_dropped == 1);
  CHECK(h.engine().stats().events_processed == 4);
  CHECK(*h.store().IsProcessed("patron", emit1));
  // A redelivered order is a duplicate: nothing runs again.
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"store":"s1")"));
  CHECK(h.ActionsOf().size() == 7);
  CHECK(h.engine().stats().duplicates == 1);
}

TEST_CASE("opt-outs suppress messages and coupons, with the reason, opt-ins lift them", "[actions]") {
  Harness h(R"(
rule "sms" when order.completed then message sms "hello" end
rule "wechat" when order.completed then message wechat "hi" end
rule "gift" when order.completed then coupon "G" end
)");
  int n = 0;
  auto order = [&]() {
    ++n;
    h.Send(Ev("o" + std::to_string(n), "order.completed", At("10:" + std::to_string(10 + n)), kAlice));
  };
  auto opt = [&](const std::string& type, const std::string& channel) {
    ++n;
    h.Send(Ev("x" + std::to_string(n), type, At("10:" + std::to_string(10 + n)),
              kAlice + R"(,"channel":")" + channel + "\""));
  };
  order();  // all three
  opt("customer.opted_out", "sms");
  order();  // wechat, gift
  opt("customer.opted_out", "all");
  order();  // nothing
  opt("customer.opted_in", "sms");
  order();  // sms only: coupons stay off after `all`
  opt("customer.opted_in", "all");
  order();  // all three
  CHECK(RulesOf(h.ActionsOf()) == std::vector<std::string>{"sms", "wechat", "gift", "wechat", "gift", "sms", "sms",
                                                           "wechat", "gift"});
  CHECK(h.engine().stats().suppressed == 1 + 3 + 2);
  auto outcomes = h.OutcomeCounts();
  CHECK(outcomes["sms"]["suppressed"] == 2);
  CHECK(outcomes["wechat"]["suppressed"] == 2);
  CHECK(outcomes["gift"]["suppressed"] == 2);
}

TEST_CASE("a firing whose actions were all suppressed still counts for the limit", "[actions]") {
  Harness h(R"(rule "once" when order.completed then message sms "hi" limit 1 per customer per 30 days end)");
  h.Send(Ev("x1", "customer.opted_out", At("10:00"), kAlice + R"(,"channel":"sms")"));
  h.Send(Ev("o1", "order.completed", At("10:01"), kAlice));
  h.Send(Ev("x2", "customer.opted_in", At("10:02"), kAlice + R"(,"channel":"sms")"));
  h.Send(Ev("o2", "order.completed", At("10:03"), kAlice));
  CHECK(h.Count("once") == 0);
  CHECK(h.engine().stats().skipped_limit == 1);
}

TEST_CASE("a coupon redemption is a conversion of the rule that issued it", "[actions]") {
  Harness h(R"(rule "welcome" when first order.completed then coupon "WELCOME" value 10 end)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice));
  h.Send(Ev("c1", "coupon.redeemed", At("12:00"), kAlice + R"(,"code":"WELCOME")"));
  h.Send(Ev("c2", "coupon.redeemed", At("12:01"), kAlice + R"(,"code":"WELCOME")"));  // already redeemed
  h.Send(Ev("c3", "coupon.redeemed", At("12:02"), kAlice + R"(,"code":"OTHER")"));
  auto outcomes = h.OutcomeCounts();
  CHECK(outcomes["welcome"]["converted"] == 1);
  CustomerRecord* alice = h.Customer(kAliceId);
  REQUIRE(alice->coupons.size() == 1);
  CHECK(alice->coupons[0].redeemed);
}

TEST_CASE("webhook names its endpoint", "[actions]") {
  Harness h(R"(rule "hook" when order.completed then webhook "crm-{event.store}" end)");
  h.Send(Ev("o1", "order.completed", At("10:00"), kAlice + R"(,"store":"s3")"));
  REQUIRE(h.Count("hook") == 1);
  CHECK(h.ActionsOf("hook")[0].endpoint == "crm-s3");
}

}  // namespace patron::testing
