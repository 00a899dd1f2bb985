#include "stores/customer_json.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

namespace patron {
namespace {

CustomerRecord Sample() {
  CustomerRecord r;
  CustomerProfile& p = r.profile;
  p.id = "c-1";
  p.name = "Li \"Lei\"";
  p.phone = "13800138000";
  p.birthday = DaysFromCivil({1990, 5, 1});
  p.points = *Decimal::Parse("12.5");
  p.tags = {"vip"};
  p.orders = 1;
  p.spent = *Decimal::Parse("128.50");
  p.first_order_at = *ParseRfc3339("2026-03-01T12:34:56+08:00");
  p.last_order_at = p.first_order_at;
  p.joined_at = p.first_order_at;
  p.last_seen_at = p.first_order_at;
  p.store = "s012";
  p.attrs = boost::json::parse(R"({"kids":2})").as_object();
  p.store_orders = {{"s012", 1, *p.first_order_at}};
  p.opted_out = kOptOutSms | kOptOutWechat | kOptOutApp | kOptOutEmail | kOptOutAll;
  r.identities = {{IdentityKind::kPhone, "13800138000"}, {IdentityKind::kOpenid, "oAbc"}};
  r.coupons = {{"C20", "Wake", *p.first_order_at, false}};
  RuleState& state = r.StateOf(1);
  state.timer = TimerKey{*p.first_order_at + 30 * kMicrosPerDay, 7};
  state.open = {{0, 8}};
  return r;
}

TEST_CASE("CustomerToJson prints every built-in attribute") {
  CustomerRecord r = Sample();
  TimePoint now = *r.profile.last_order_at + 31 * kMicrosPerDay;
  std::string json = CustomerToJson(r, now, /*mask_personal=*/false);
  CHECK(
      json ==
      R"({"id":"c-1","name":"Li \"Lei\"","phone":"13800138000","gender":"","birthday":"1990-05-01",)"
      R"("tier":"regular","points":12.5,"tags":["vip"],"orders":1,"spent":128.5,)"
      R"("first_order_at":"2026-03-01T04:34:56Z","last_order_at":"2026-03-01T04:34:56Z",)"
      R"("joined_at":"2026-03-01T04:34:56Z","last_seen_at":"2026-03-01T04:34:56Z","store":"s012","owner":"",)"
      R"("lifecycle":"sleeping","registered":false,"attrs":{"kids":2},)"
      R"("identities":[{"kind":"phone","value":"13800138000"},{"kind":"openid","value":"oAbc"}],)"
      R"("opted_out":["sms","wechat","app","email","all"],)"
      R"("coupons":[{"code":"C20","rule":"Wake","issued_at":"2026-03-01T04:34:56Z","redeemed":false}],)"
      R"("store_orders":[{"store":"s012","orders":1,"last_order_at":"2026-03-01T04:34:56Z"}],"rule_states":1,)"
      R"("timers":[{"rule_key":"0000000000000001","due":"2026-03-31T04:34:56Z","kind":"armed"},)"
      R"({"rule_key":"0000000000000001","due":"1970-01-01T00:00:00Z","kind":"open"}]})");
  CHECK(boost::json::parse(json).is_object());
}

TEST_CASE("CustomerToJson masks phones and the birth year") {
  CustomerRecord r = Sample();
  std::string json = CustomerToJson(r, 0, /*mask_personal=*/true);
  CHECK(json.find("13800138000") == std::string::npos);
  CHECK(json.find(R"("phone":"138****8000")") != std::string::npos);
  CHECK(json.find(R"({"kind":"phone","value":"138****8000"})") != std::string::npos);
  CHECK(json.find(R"("birthday":"****-05-01")") != std::string::npos);
  CHECK(json.find("1990") == std::string::npos);
  CustomerRecord empty;
  empty.profile.id = "c-2";
  std::string e = CustomerToJson(empty, 0, true);
  CHECK(e.find(R"("phone":"","gender":"","birthday":null)") != std::string::npos);
  CHECK(e.find(R"("lifecycle":"prospect")") != std::string::npos);
  CHECK(e.find(R"("first_order_at":null)") != std::string::npos);
  CHECK(e.find(R"("rule_states":0,"timers":[]})") != std::string::npos);
}

}  // namespace
}  // namespace patron
