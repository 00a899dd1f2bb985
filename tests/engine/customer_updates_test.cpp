#include "engine/customer/builtin_updates.hpp"
#include "engine/customer/consent.hpp"
#include "engine/customer/lifecycle.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

namespace patron {
namespace {

using namespace customer;

TimePoint T(std::string_view rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  REQUIRE(t.has_value());
  return *t;
}

Event MakeEvent(std::string_view type, std::string_view time, std::string_view data_json = "{}",
                std::string_view store = "") {
  Event e;
  e.source = "test";
  e.id = "e";
  e.type = type;
  e.time = T(time);
  e.store = store;
  e.data = boost::json::parse(data_json).as_object();
  return e;
}

Event Order(std::string_view time, std::string_view store, std::string_view amount_json = "10") {
  return MakeEvent("order.completed", time, "{\"amount\":" + std::string(amount_json) + "}", store);
}

TEST_CASE("TouchCustomer: last seen, joined and identifiers") {
  CustomerRecord r;
  Event e = MakeEvent("page.viewed", "2026-03-01T10:00:00Z");
  e.identity[static_cast<size_t>(IdentityKind::kPhone)] = "13800138000";
  e.identity[static_cast<size_t>(IdentityKind::kOpenid)] = "oAbc";
  CHECK(TouchCustomer(r, e));
  CHECK(r.profile.last_seen_at == T("2026-03-01T10:00:00Z"));
  CHECK(r.profile.joined_at == T("2026-03-01T10:00:00Z"));
  CHECK(r.profile.phone == "13800138000");
  using Ids = std::vector<std::pair<IdentityKind, std::string>>;
  CHECK(r.identities == Ids{{IdentityKind::kPhone, "13800138000"}, {IdentityKind::kOpenid, "oAbc"}});

  // An older event (out of order): last_seen stays, joined moves back.
  Event older = MakeEvent("page.viewed", "2026-02-01T10:00:00Z");
  older.identity[static_cast<size_t>(IdentityKind::kOpenid)] = "oAbc";
  CHECK_FALSE(TouchCustomer(r, older));
  CHECK(r.profile.last_seen_at == T("2026-03-01T10:00:00Z"));
  CHECK(r.profile.joined_at == T("2026-02-01T10:00:00Z"));

  // A second phone is recorded but profile.phone keeps the first.
  Event later = MakeEvent("page.viewed", "2026-04-01T10:00:00Z");
  later.identity[static_cast<size_t>(IdentityKind::kPhone)] = "13900139000";
  CHECK(TouchCustomer(r, later));
  CHECK(r.profile.phone == "13800138000");
  CHECK(r.identities.size() == 3);
  CHECK(r.profile.last_seen_at == T("2026-04-01T10:00:00Z"));
}

TEST_CASE("member.registered sets attributes and joined_at, which later events do not move") {
  CustomerRecord r;
  TouchCustomer(r, MakeEvent("page.viewed", "2026-01-01T00:00:00Z"));
  Event reg = MakeEvent("member.registered", "2026-02-01T08:00:00+08:00",
                        R"({"name":"韩梅梅","birthday":"1990-05-01","gender":"f"})");
  TouchCustomer(r, reg);
  BuiltinEffect fx = ApplyBuiltinUpdate(r, reg);
  CHECK(fx.builtin);
  CHECK(fx.changed);
  CHECK(fx.birthday_changed);
  CHECK(fx.warning.empty());
  CHECK(r.profile.name == "韩梅梅");
  CHECK(r.profile.gender == "f");
  CHECK(r.profile.birthday == DaysFromCivil({1990, 5, 1}));
  CHECK(r.profile.registered);
  CHECK(r.profile.joined_at == T("2026-02-01T00:00:00Z"));
  TouchCustomer(r, MakeEvent("page.viewed", "2025-12-01T00:00:00Z"));  // older, after registration
  CHECK(r.profile.joined_at == T("2026-02-01T00:00:00Z"));
}

TEST_CASE("member.registered with a malformed birthday keeps the rest and warns") {
  CustomerRecord r;
  BuiltinEffect fx = ApplyBuiltinUpdate(
      r, MakeEvent("member.registered", "2026-02-01T00:00:00Z", R"({"name":"Li","birthday":"1990-02-30"})"));
  CHECK(r.profile.name == "Li");
  CHECK_FALSE(r.profile.birthday.has_value());
  CHECK(r.profile.registered);
  CHECK(fx.warning == "birthday is not a YYYY-MM-DD date");
  CHECK_FALSE(fx.birthday_changed);
  fx = ApplyBuiltinUpdate(
      r, MakeEvent("member.registered", "2026-02-01T00:00:00Z", R"({"birthday":19900101,"name":5})"));
  CHECK(fx.warning == "name is not a string; birthday is not a YYYY-MM-DD date");
  CHECK(r.profile.name == "Li");
}

TEST_CASE("order.completed: counters, exact spend, order times") {
  CustomerRecord r;
  CHECK(ApplyBuiltinUpdate(r, Order("2026-03-02T00:00:00Z", "s1", "166.66")).warning.empty());
  ApplyBuiltinUpdate(r, Order("2026-03-01T00:00:00Z", "s1", "166.67"));  // older: first order moves back
  ApplyBuiltinUpdate(r, Order("2026-03-03T00:00:00Z", "s1", "166.67"));
  CHECK(r.profile.orders == 3);
  CHECK(r.profile.spent == Decimal::FromInt(500));
  CHECK_FALSE(r.profile.spent > Decimal::FromInt(500));
  CHECK(r.profile.first_order_at == T("2026-03-01T00:00:00Z"));
  CHECK(r.profile.last_order_at == T("2026-03-03T00:00:00Z"));
  ApplyBuiltinUpdate(r, Order("2026-03-04T00:00:00Z", "s1", "128"));
  ApplyBuiltinUpdate(r, Order("2026-03-04T00:00:00Z", "s1", "0.1"));
  CHECK(r.profile.spent == *Decimal::Parse("628.1"));
}

TEST_CASE("order.completed: a missing or non-number amount still counts the order") {
  CustomerRecord r;
  BuiltinEffect fx = ApplyBuiltinUpdate(r, MakeEvent("order.completed", "2026-03-01T00:00:00Z", "{}", "s1"));
  CHECK(fx.warning == "order.completed without amount");
  fx = ApplyBuiltinUpdate(r, Order("2026-03-02T00:00:00Z", "s1", "\"128.5\""));
  CHECK(fx.warning == "amount is not a number (or out of range)");
  fx = ApplyBuiltinUpdate(r, Order("2026-03-03T00:00:00Z", "s1", "1e300"));
  CHECK_FALSE(fx.warning.empty());
  fx = ApplyBuiltinUpdate(r, Order("2026-03-04T00:00:00Z", "s1", "null"));
  CHECK(fx.warning == "order.completed without amount");
  CHECK(r.profile.orders == 4);
  CHECK(r.profile.spent == Decimal());
  CHECK(r.profile.store == "s1");
}

TEST_CASE("order.completed: the home store is the store of most orders, a tie going to the latest") {
  CustomerRecord r;
  ApplyBuiltinUpdate(r, Order("2026-03-01T00:00:00Z", "s1"));
  CHECK(r.profile.store == "s1");
  ApplyBuiltinUpdate(r, Order("2026-03-02T00:00:00Z", "s2"));
  CHECK(r.profile.store == "s2");  // 1-1, s2's order is the latest
  ApplyBuiltinUpdate(r, Order("2026-03-03T00:00:00Z", "s1"));
  CHECK(r.profile.store == "s1");  // 2-1
  ApplyBuiltinUpdate(r, Order("2026-02-01T00:00:00Z", "s2"));
  CHECK(r.profile.store == "s1");  // 2-2, but s1's latest order (03-03) is later than s2's (03-02)
  ApplyBuiltinUpdate(r, Order("2026-03-04T00:00:00Z", "s2"));
  CHECK(r.profile.store == "s2");                            // 2-3
  ApplyBuiltinUpdate(r, Order("2026-03-05T00:00:00Z", ""));  // no store: counts, home unchanged
  CHECK(r.profile.store == "s2");
  CHECK(r.profile.orders == 6);
  CHECK(HomeStore({{"b", 1, 5}, {"a", 1, 5}}) == "a");
  CHECK(HomeStore({}).empty());
}

TEST_CASE("customer.updated: attributes and attrs merged key by key") {
  CustomerRecord r;
  r.profile.attrs = boost::json::parse(R"({"a":1,"b":2,"c":3})").as_object();
  BuiltinEffect fx = ApplyBuiltinUpdate(
      r,
      MakeEvent(
          "customer.updated", "2026-03-01T00:00:00Z",
          R"({"name":"Wang","gender":"m","birthday":"2000-02-29","attrs":{"b":"two","c":null,"d":{"x":1}}})"));
  CHECK(fx.changed);
  CHECK(fx.birthday_changed);
  CHECK(fx.warning.empty());
  CHECK(r.profile.name == "Wang");
  CHECK(r.profile.gender == "m");
  CHECK(r.profile.birthday == DaysFromCivil({2000, 2, 29}));
  CHECK(r.profile.attrs == boost::json::parse(R"({"a":1,"b":"two","d":{"x":1}})").as_object());
  CHECK_FALSE(r.profile.registered);

  fx = ApplyBuiltinUpdate(r, MakeEvent("customer.updated", "2026-03-02T00:00:00Z",
                                       R"({"name":"Wang","birthday":"2000-02-29","attrs":{"a":1}})"));
  CHECK_FALSE(fx.changed);
  CHECK_FALSE(fx.birthday_changed);
  fx = ApplyBuiltinUpdate(r, MakeEvent("customer.updated", "2026-03-02T00:00:00Z", R"({"attrs":[1]})"));
  CHECK(fx.warning == "attrs is not an object");
}

TEST_CASE("coupon.redeemed marks the most recent unredeemed coupon with that code") {
  CustomerRecord r;
  r.coupons = {{"C20", "Old rule", 100, false},
               {"C20", "New rule", 300, false},
               {"C20", "Newest", 400, true},
               {"OTHER", "X", 500, false}};
  BuiltinEffect fx =
      ApplyBuiltinUpdate(r, MakeEvent("coupon.redeemed", "2026-03-01T00:00:00Z", R"({"code":"C20"})"));
  REQUIRE(fx.redeemed.has_value());
  CHECK(fx.redeemed->rule == "New rule");
  CHECK(fx.redeemed->redeemed);
  CHECK(r.coupons[1].redeemed);
  CHECK_FALSE(r.coupons[0].redeemed);
  fx = ApplyBuiltinUpdate(r, MakeEvent("coupon.redeemed", "2026-03-01T00:00:00Z", R"({"code":"C20"})"));
  REQUIRE(fx.redeemed.has_value());
  CHECK(fx.redeemed->rule == "Old rule");
  fx = ApplyBuiltinUpdate(r, MakeEvent("coupon.redeemed", "2026-03-01T00:00:00Z", R"({"code":"C20"})"));
  CHECK_FALSE(fx.redeemed.has_value());
  CHECK(fx.warning.empty());
  fx = ApplyBuiltinUpdate(r, MakeEvent("coupon.redeemed", "2026-03-01T00:00:00Z", "{}"));
  CHECK(fx.warning == "coupon.redeemed without code");
}

uint8_t Opt(CustomerRecord& r, std::string_view type, std::string_view channel) {
  ApplyBuiltinUpdate(
      r, MakeEvent(type, "2026-03-01T00:00:00Z", "{\"channel\":\"" + std::string(channel) + "\"}"));
  return r.profile.opted_out;
}

TEST_CASE("opt-out and opt-in combinations") {
  CustomerRecord r;
  const CustomerProfile& p = r.profile;
  CHECK(MessageAllowed(p, "sms"));
  CHECK(CouponAllowed(p));

  Opt(r, "customer.opted_out", "sms");
  CHECK_FALSE(MessageAllowed(p, "sms"));
  CHECK(MessageAllowed(p, "wechat"));
  CHECK(CouponAllowed(p));
  Opt(r, "customer.opted_out", "email");
  CHECK(p.opted_out == (kOptOutSms | kOptOutEmail));
  Opt(r, "customer.opted_in", "sms");
  CHECK(p.opted_out == kOptOutEmail);
  Opt(r, "customer.opted_in", "all");
  CHECK(p.opted_out == 0);

  SECTION("all, then one channel back: that channel only, coupons stay off") {
    Opt(r, "customer.opted_out", "all");
    for (auto ch : {"sms", "wechat", "app", "email"}) CHECK_FALSE(MessageAllowed(p, ch));
    CHECK_FALSE(CouponAllowed(p));
    Opt(r, "customer.opted_in", "wechat");
    CHECK(MessageAllowed(p, "wechat"));
    CHECK_FALSE(MessageAllowed(p, "sms"));
    CHECK_FALSE(CouponAllowed(p));
    CHECK((p.opted_out & kOptOutAll) != 0);
    Opt(r, "customer.opted_in", "all");
    CHECK(p.opted_out == 0);
    CHECK(CouponAllowed(p));
    CHECK(MessageAllowed(p, "sms"));
  }
  SECTION("an unknown channel changes nothing and warns") {
    BuiltinEffect fx = ApplyBuiltinUpdate(
        r, MakeEvent("customer.opted_out", "2026-03-01T00:00:00Z", R"({"channel":"fax"})"));
    CHECK(fx.warning == "channel is not one of sms, wechat, app, email, all");
    CHECK_FALSE(fx.changed);
    CHECK(p.opted_out == 0);
  }
}

TEST_CASE("other event types are not built-in") {
  CustomerRecord r;
  BuiltinEffect fx =
      ApplyBuiltinUpdate(r, MakeEvent("review.posted", "2026-03-01T00:00:00Z", R"({"amount":5})"));
  CHECK_FALSE(fx.builtin);
  CHECK_FALSE(fx.changed);
  CHECK(r.profile.orders == 0);
}

TEST_CASE("Lifecycle bounds are exact") {
  CustomerProfile p;
  const TimePoint last = T("2026-01-01T00:00:00Z");
  CHECK(Lifecycle(p, last) == "prospect");
  p.orders = 1;
  p.last_order_at = last;
  CHECK(Lifecycle(p, last - kMicrosPerDay) == "new");
  CHECK(Lifecycle(p, last) == "new");
  CHECK(Lifecycle(p, last + 30 * kMicrosPerDay) == "new");
  CHECK(Lifecycle(p, last + 30 * kMicrosPerDay + 1) == "sleeping");
  CHECK(Lifecycle(p, last + 90 * kMicrosPerDay) == "sleeping");
  CHECK(Lifecycle(p, last + 90 * kMicrosPerDay + 1) == "lost");
  p.orders = 2;
  CHECK(Lifecycle(p, last + 30 * kMicrosPerDay) == "active");
  CHECK(Lifecycle(p, last + 30 * kMicrosPerDay + 1) == "sleeping");
  CHECK(Lifecycle(p, last + 365 * kMicrosPerDay) == "lost");
}

}  // namespace
}  // namespace patron
