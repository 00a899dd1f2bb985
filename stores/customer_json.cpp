#include "stores/customer_json.hpp"

#include <cstdio>

#include <boost/json/serialize.hpp>

#include "base/json_string.hpp"
#include "base/phone.hpp"
#include "base/stable_hash.hpp"
#include "engine/customer/consent.hpp"
#include "engine/customer/lifecycle.hpp"

namespace patron {

namespace {

void AppendString(std::string& out, std::string_view s) { AppendJsonString(out, s); }

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  void Close() { out_.push_back('}'); }
  std::string& Key(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    AppendString(out_, key);
    out_.push_back(':');
    return out_;
  }
  void String(std::string_view key, std::string_view value) { AppendString(Key(key), value); }
  void Number(std::string_view key, Decimal value) { value.AppendTo(Key(key)); }
  void Int(std::string_view key, int64_t value) { Key(key) += std::to_string(value); }
  void Bool(std::string_view key, bool value) { Key(key) += value ? "true" : "false"; }
  void Time(std::string_view key, const std::optional<TimePoint>& t) {
    std::string& out = Key(key);
    if (!t) {
      out += "null";
      return;
    }
    out.push_back('"');
    AppendRfc3339Utc(out, *t);
    out.push_back('"');
  }

 private:
  std::string& out_;
  bool first_ = true;
};

std::string ShownPhone(std::string_view phone, bool mask) {
  if (!mask || phone.empty()) return std::string(phone);
  return MaskPhone(phone);
}

}  // namespace

std::string CustomerToJson(const CustomerRecord& record, TimePoint now, bool mask_personal) {
  const CustomerProfile& p = record.profile;
  std::string out;
  out.reserve(512);
  ObjectWriter w(out);
  w.String("id", p.id);
  w.String("name", p.name);
  w.String("phone", ShownPhone(p.phone, mask_personal));
  w.String("gender", p.gender);
  if (p.birthday) {
    std::string date = FormatDate(*p.birthday);
    if (mask_personal && date.size() > 6) date.replace(0, date.size() - 6, "****");
    w.String("birthday", date);
  } else {
    w.Key("birthday") += "null";
  }
  w.String("tier", p.tier);
  w.Number("points", p.points);
  {
    std::string& o = w.Key("tags");
    o.push_back('[');
    for (size_t i = 0; i < p.tags.size(); ++i) {
      if (i > 0) o.push_back(',');
      AppendString(o, p.tags[i]);
    }
    o.push_back(']');
  }
  w.Int("orders", p.orders);
  w.Number("spent", p.spent);
  w.Time("first_order_at", p.first_order_at);
  w.Time("last_order_at", p.last_order_at);
  w.Time("joined_at", p.joined_at);
  w.Time("last_seen_at", p.last_seen_at);
  w.String("store", p.store);
  w.String("owner", p.owner);
  w.String("lifecycle", customer::Lifecycle(p, now));
  w.Bool("registered", p.registered);
  w.Key("attrs") += boost::json::serialize(p.attrs);
  {
    std::string& o = w.Key("identities");
    o.push_back('[');
    for (size_t i = 0; i < record.identities.size(); ++i) {
      const auto& [kind, value] = record.identities[i];
      if (i > 0) o.push_back(',');
      ObjectWriter id(o);
      id.String("kind", IdentityKindName(kind));
      id.String("value", kind == IdentityKind::kPhone ? ShownPhone(value, mask_personal) : value);
      id.Close();
    }
    o.push_back(']');
  }
  {
    std::string& o = w.Key("opted_out");
    o.push_back('[');
    bool first = true;
    customer::ForEachOptedOut(p.opted_out, [&](std::string_view channel) {
      if (!first) o.push_back(',');
      first = false;
      AppendString(o, channel);
    });
    o.push_back(']');
  }
  {
    std::string& o = w.Key("coupons");
    o.push_back('[');
    for (size_t i = 0; i < record.coupons.size(); ++i) {
      const IssuedCoupon& c = record.coupons[i];
      if (i > 0) o.push_back(',');
      ObjectWriter cw(o);
      cw.String("code", c.code);
      cw.String("rule", c.rule);
      cw.Time("issued_at", c.issued_at);
      cw.Bool("redeemed", c.redeemed);
      cw.Close();
    }
    o.push_back(']');
  }
  {
    std::string& o = w.Key("store_orders");
    o.push_back('[');
    for (size_t i = 0; i < p.store_orders.size(); ++i) {
      const StoreOrders& so = p.store_orders[i];
      if (i > 0) o.push_back(',');
      ObjectWriter sw(o);
      sw.String("store", so.store);
      sw.Int("orders", so.orders);
      sw.Time("last_order_at", so.last_order_at);
      sw.Close();
    }
    o.push_back(']');
  }
  w.Int("rule_states", static_cast<int64_t>(record.rules.size()));
  {
    std::string& o = w.Key("timers");
    o.push_back('[');
    bool first = true;
    auto timer = [&](uint64_t rule_key, const TimerKey& key, std::string_view kind) {
      if (!first) o.push_back(',');
      first = false;
      ObjectWriter tw(o);
      tw.String("rule_key", Hex64(rule_key));
      tw.Time("due", key.due);
      tw.String("kind", kind);
      tw.Close();
    };
    for (const RuleState& s : record.rules) {
      if (s.timer) timer(s.rule_key, *s.timer, "armed");
      for (const TimerKey& key : s.open) timer(s.rule_key, key, "open");
    }
    o.push_back(']');
  }
  w.Close();
  return out;
}

}  // namespace patron
