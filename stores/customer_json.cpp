#include "stores/customer_json.hpp"

#include <cstdio>

#include <boost/json/serialize.hpp>

#include "base/json_writer.hpp"
#include "base/phone.hpp"
#include "base/stable_hash.hpp"
#include "engine/customer/consent.hpp"
#include "engine/customer/lifecycle.hpp"

namespace patron {

namespace {

void OptionalTime(JsonWriter& w, JsonKey key, const std::optional<TimePoint>& t) {
  if (t) {
    w.Time(key, *t);
  } else {
    w.Null(key);
  }
}

std::string ShownPhone(std::string_view phone, bool mask) {
  if (!mask || phone.empty()) return std::string(phone);
  return MaskPhone(phone);
}

}  // namespace

std::string CustomerToJson(const CustomerRecord& record, TimePoint now, bool mask_personal) {
  const CustomerProfile& p = record.profile;
  std::string out;
  out.reserve(512);
  JsonWriter w(out);
  w.BeginObject();
  w.String("id", p.id);
  w.String("name", p.name);
  w.String("phone", ShownPhone(p.phone, mask_personal));
  w.String("gender", p.gender);
  if (p.birthday) {
    std::string date = FormatDate(*p.birthday);
    if (mask_personal && date.size() > 6) date.replace(0, date.size() - 6, "****");
    w.String("birthday", date);
  } else {
    w.Null("birthday");
  }
  w.String("tier", p.tier);
  w.Number("points", p.points);
  w.BeginArray("tags");
  for (const std::string& tag : p.tags) w.String(tag);
  w.End();
  w.Int("orders", p.orders);
  w.Number("spent", p.spent);
  OptionalTime(w, "first_order_at", p.first_order_at);
  OptionalTime(w, "last_order_at", p.last_order_at);
  OptionalTime(w, "joined_at", p.joined_at);
  OptionalTime(w, "last_seen_at", p.last_seen_at);
  w.String("store", p.store);
  w.String("owner", p.owner);
  w.String("lifecycle", customer::Lifecycle(p, now));
  w.Bool("registered", p.registered);
  w.Raw("attrs", boost::json::serialize(p.attrs));
  w.BeginArray("identities");
  for (const auto& [kind, value] : record.identities) {
    w.BeginObject();
    w.String("kind", IdentityKindName(kind));
    w.String("value", kind == IdentityKind::kPhone ? ShownPhone(value, mask_personal) : value);
    w.End();
  }
  w.End();
  w.BeginArray("opted_out");
  customer::ForEachOptedOut(p.opted_out, [&](std::string_view channel) { w.String(channel); });
  w.End();
  w.BeginArray("coupons");
  for (const IssuedCoupon& c : record.coupons) {
    w.BeginObject();
    w.String("code", c.code);
    w.String("rule", c.rule);
    w.Time("issued_at", c.issued_at);
    w.Bool("redeemed", c.redeemed);
    w.End();
  }
  w.End();
  w.BeginArray("store_orders");
  for (const StoreOrders& so : p.store_orders) {
    w.BeginObject();
    w.String("store", so.store);
    w.Int("orders", so.orders);
    w.Time("last_order_at", so.last_order_at);
    w.End();
  }
  w.End();
  w.Int("rule_states", record.rules.size());
  w.BeginArray("timers");
  const auto timer = [&](uint64_t rule_key, const TimerKey& key, std::string_view kind) {
    w.BeginObject();
    w.String("rule_key", Hex64(rule_key));
    w.Time("due", key.due);
    w.String("kind", kind);
    w.End();
  };
  for (const RuleState& s : record.rules) {
    if (s.timer) timer(s.rule_key, *s.timer, "armed");
    for (const TimerKey& key : s.open) timer(s.rule_key, key, "open");
  }
  w.End();
  w.End();
  return out;
}

}  // namespace patron
