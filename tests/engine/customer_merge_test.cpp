#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include "engine/customer/merge.hpp"

namespace patron {
namespace {

using namespace customer;

constexpr TimePoint kDay = kMicrosPerDay;

CustomerRecord Older() {
  CustomerRecord r;
  CustomerProfile& p = r.profile;
  p.id = "c-b";
  p.name = "";
  p.phone = "";
  p.gender = "f";
  p.tier = "regular";
  p.points = Decimal::FromInt(10);
  p.tags = {"vip", "lunch"};
  p.orders = 2;
  p.spent = *Decimal::Parse("166.66");
  p.first_order_at = 10 * kDay;
  p.last_order_at = 20 * kDay;
  p.joined_at = 5 * kDay;
  p.last_seen_at = 21 * kDay;
  p.attrs = boost::json::parse(R"({"a":1})").as_object();
  p.store_orders = {{"s1", 2, 20 * kDay}};
  p.store = "s1";
  p.opted_out = kOptOutSms;
  r.identities = {{IdentityKind::kOpenid, "oAbc"}};
  RuleState& s = r.StateOf(7);
  s.count = 2;
  s.sum = Decimal::FromInt(5);
  s.min = Decimal::FromInt(1);
  s.firings = {1, 5};
  r.coupons = {{"C", "R", 100, false}, {"D", "R", 300, false}};
  return r;
}

CustomerRecord Newer() {
  CustomerRecord r;
  CustomerProfile& p = r.profile;
  p.id = "c-a";
  p.name = "Li";
  p.phone = "13800138000";
  p.gender = "m";
  p.birthday = 1000;
  p.tier = "gold";
  p.owner = "staff-1";
  p.points = Decimal::FromInt(-3);
  p.tags = {"lunch", "dinner"};
  p.orders = 3;
  p.spent = *Decimal::Parse("333.34");
  p.first_order_at = 8 * kDay;
  p.last_order_at = 30 * kDay;
  p.joined_at = 6 * kDay;
  p.registered = true;
  p.last_seen_at = 30 * kDay;
  p.attrs = boost::json::parse(R"({"a":2,"b":3})").as_object();
  p.store_orders = {{"s2", 2, 30 * kDay}, {"s1", 1, 9 * kDay}};
  p.store = "s2";
  p.opted_out = kOptOutEmail;
  r.identities = {{IdentityKind::kPhone, "13800138000"}, {IdentityKind::kOpenid, "oAbc"}};
  RuleState& s = r.StateOf(7);
  s.seen_first = true;
  s.count = 1;
  s.sum = Decimal::FromInt(-1);
  s.min = Decimal::FromInt(-1);
  s.max = Decimal::FromInt(-1);
  s.firings = {3};
  r.StateOf(9).count = 4;
  r.coupons = {{"C", "R", 100, true}, {"E", "R", 200, false}};
  return r;
}

TEST_CASE("SurvivorIsFirst: earlier joined_at, then smaller id") {
  CustomerRecord a = Older(), b = Newer();
  CHECK(SurvivorIsFirst(a, b));
  CHECK_FALSE(SurvivorIsFirst(b, a));
  b.profile.joined_at = a.profile.joined_at;
  CHECK(SurvivorIsFirst(b, a));  // "c-a" < "c-b"
  CHECK_FALSE(SurvivorIsFirst(a, b));
  b.profile.joined_at.reset();
  CHECK(SurvivorIsFirst(a, b));  // unknown joined counts as latest
}

TEST_CASE("MergeInto follows language.md's merge rules") {
  CustomerRecord survivor = Older();
  MergeInto(survivor, Newer());
  const CustomerProfile& p = survivor.profile;
  CHECK(p.id == "c-b");
  CHECK(p.phone == "13800138000");  // survivor had none
  CHECK(p.name == "Li");            // survivor's was empty
  CHECK(p.gender == "f");           // survivor's
  CHECK(p.birthday == 1000);
  CHECK(p.owner == "staff-1");
  CHECK(p.tier == "gold");  // survivor's was "regular"
  CHECK(p.points == Decimal::FromInt(7));
  CHECK(p.tags == std::vector<std::string>{"vip", "lunch", "dinner"});
  CHECK(p.orders == 5);
  CHECK(p.spent == Decimal::FromInt(500));
  CHECK(p.first_order_at == 8 * kDay);
  CHECK(p.last_order_at == 30 * kDay);
  CHECK(p.joined_at == 5 * kDay);
  CHECK(p.last_seen_at == 30 * kDay);
  CHECK(p.registered);
  CHECK(p.attrs == boost::json::parse(R"({"a":1,"b":3})").as_object());
  REQUIRE(p.store_orders.size() == 2);
  CHECK(p.store_orders[0].store == "s1");
  CHECK(p.store_orders[0].orders == 3);
  CHECK(p.store_orders[0].last_order_at == 20 * kDay);
  CHECK(p.store == "s1");  // 3 orders at s1 against 2 at s2
  CHECK(p.opted_out == (kOptOutSms | kOptOutEmail));
  using Ids = std::vector<std::pair<IdentityKind, std::string>>;
  CHECK(survivor.identities == Ids{{IdentityKind::kOpenid, "oAbc"}, {IdentityKind::kPhone, "13800138000"}});
  REQUIRE(survivor.coupons.size() == 3);
  CHECK(survivor.coupons[0].code == "C");
  CHECK(survivor.coupons[0].redeemed);
  CHECK(survivor.coupons[1].code == "E");
  CHECK(survivor.coupons[2].code == "D");
  REQUIRE(survivor.rules.size() == 2);
  const RuleState* s = survivor.FindState(7);
  CHECK(s->seen_first);
  CHECK(s->count == 3);
  CHECK(s->sum == Decimal::FromInt(4));
  CHECK(s->min == Decimal::FromInt(-1));
  CHECK(s->max == Decimal::FromInt(-1));
  CHECK(s->firings == std::vector<TimePoint>{1, 3, 5});
  CHECK(survivor.FindState(9)->count == 4);
}

TEST_CASE("MergeInto keeps the survivor's phone, tier and set attributes") {
  CustomerRecord survivor = Newer();
  MergeInto(survivor, Older());
  const CustomerProfile& p = survivor.profile;
  CHECK(p.id == "c-a");
  CHECK(p.phone == "13800138000");
  CHECK(p.name == "Li");
  CHECK(p.gender == "m");
  CHECK(p.tier == "gold");
  CHECK(p.owner == "staff-1");
  CHECK(p.tags == std::vector<std::string>{"lunch", "dinner", "vip"});
  CHECK(p.attrs == boost::json::parse(R"({"a":2,"b":3})").as_object());
  CHECK(p.store == "s1");  // s1 3 orders (last day 20) against s2 2
}

TEST_CASE("MergeInto: home store tie goes to the latest, and a store without orders is kept") {
  CustomerRecord a, b;
  a.profile.store_orders = {{"s1", 1, 10}};
  b.profile.store_orders = {{"s2", 1, 20}};
  MergeInto(a, std::move(b));
  CHECK(a.profile.store == "s2");
  CustomerRecord c, d;
  d.profile.store = "s9";  // set by a rule, no orders
  MergeInto(c, std::move(d));
  CHECK(c.profile.store == "s9");
}

}  // namespace
}  // namespace patron
