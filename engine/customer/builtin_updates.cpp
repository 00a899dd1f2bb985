#include "engine/customer/builtin_updates.hpp"

#include <algorithm>
#include <limits>

#include <boost/json/value.hpp>

#include "engine/customer/consent.hpp"
#include "engine/customer/lifecycle.hpp"
#include "engine/customer/time_bounds.hpp"

namespace patron::customer {

namespace {

constexpr std::string_view kOrderCompleted = "order.completed";
constexpr std::string_view kMemberRegistered = "member.registered";
constexpr std::string_view kCustomerUpdated = "customer.updated";
constexpr std::string_view kCouponRedeemed = "coupon.redeemed";
constexpr std::string_view kOptedOut = "customer.opted_out";
constexpr std::string_view kOptedIn = "customer.opted_in";

// Largest integer a Decimal holds.
constexpr int64_t kMaxDecimalInt = std::numeric_limits<int64_t>::max() / Decimal::kScale;

// data.<key>, or nullptr when absent or null.
const boost::json::value* Field(const Event& event, std::string_view key) {
  const boost::json::value* v = event.data.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

void AddWarning(BuiltinEffect& effect, std::string_view text) {
  if (!effect.warning.empty()) effect.warning += "; ";
  effect.warning += text;
}

std::optional<Decimal> JsonToDecimal(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::int64: {
      int64_t i = v.get_int64();
      if (i > kMaxDecimalInt || i < -kMaxDecimalInt) return std::nullopt;
      return Decimal::FromInt(i);
    }
    case boost::json::kind::uint64: {
      uint64_t u = v.get_uint64();
      if (u > static_cast<uint64_t>(kMaxDecimalInt)) return std::nullopt;
      return Decimal::FromInt(static_cast<int64_t>(u));
    }
    case boost::json::kind::double_:
      return Decimal::FromDouble(v.get_double());
    default:
      return std::nullopt;
  }
}

// A string field into `slot`; a warning when present but not a string.
void ReadStringField(const Event& event, std::string_view key, std::string& slot, BuiltinEffect& effect) {
  const boost::json::value* v = Field(event, key);
  if (v == nullptr) return;
  if (!v->is_string()) {
    AddWarning(effect, std::string(key) + " is not a string");
    return;
  }
  std::string_view text = v->get_string();
  if (slot != text) {
    slot.assign(text);
    effect.changed = true;
  }
}

void ReadBirthday(const Event& event, CustomerProfile& p, BuiltinEffect& effect) {
  const boost::json::value* v = Field(event, "birthday");
  if (v == nullptr) return;
  std::optional<int32_t> days;
  if (v->is_string()) days = ParseDate(v->get_string());
  if (!days) {
    AddWarning(effect, "birthday is not a YYYY-MM-DD date");
    return;
  }
  if (p.birthday != days) {
    p.birthday = days;
    effect.changed = true;
    effect.birthday_changed = true;
  }
}

void ApplyOrder(CustomerRecord& record, const Event& event, BuiltinEffect& effect) {
  CustomerProfile& p = record.profile;
  ++p.orders;
  effect.changed = true;
  const boost::json::value* amount = Field(event, "amount");
  std::optional<Decimal> value = amount != nullptr ? JsonToDecimal(*amount) : std::nullopt;
  if (value) {
    p.spent += *value;
  } else {
    AddWarning(effect, amount == nullptr ? "order.completed without amount"
                                         : "amount is not a number (or out of range)");
  }
  KeepEarliest(p.first_order_at, event.time);
  KeepLatest(p.last_order_at, event.time);
  if (event.store.empty()) return;
  auto it = std::find_if(p.store_orders.begin(), p.store_orders.end(),
                         [&](const StoreOrders& so) { return so.store == event.store; });
  if (it == p.store_orders.end()) {
    p.store_orders.push_back(StoreOrders{event.store, 1, event.time});
  } else {
    ++it->orders;
    it->last_order_at = std::max(it->last_order_at, event.time);
  }
  std::string_view home = HomeStore(p.store_orders);
  if (p.store != home) p.store.assign(home);
}

void ApplyRegistered(CustomerRecord& record, const Event& event, BuiltinEffect& effect) {
  CustomerProfile& p = record.profile;
  ReadStringField(event, "name", p.name, effect);
  ReadBirthday(event, p, effect);
  ReadStringField(event, "gender", p.gender, effect);
  if (!p.registered || !p.joined_at || event.time < *p.joined_at) p.joined_at = event.time;
  p.registered = true;
  effect.changed = true;
}

void ApplyUpdated(CustomerRecord& record, const Event& event, BuiltinEffect& effect) {
  CustomerProfile& p = record.profile;
  ReadStringField(event, "name", p.name, effect);
  ReadBirthday(event, p, effect);
  ReadStringField(event, "gender", p.gender, effect);
  const boost::json::value* attrs = Field(event, "attrs");
  if (attrs == nullptr) return;
  if (!attrs->is_object()) {
    AddWarning(effect, "attrs is not an object");
    return;
  }
  for (const auto& [key, value] : attrs->get_object()) {
    if (value.is_null()) {
      if (p.attrs.erase(key) != 0) effect.changed = true;
      continue;
    }
    auto it = p.attrs.find(key);
    if (it == p.attrs.end()) {
      p.attrs.emplace(key, value);
      effect.changed = true;
    } else if (it->value() != value) {
      it->value() = value;
      effect.changed = true;
    }
  }
}

void ApplyRedeemed(CustomerRecord& record, const Event& event, BuiltinEffect& effect) {
  const boost::json::value* code = Field(event, "code");
  if (code == nullptr || !code->is_string()) {
    AddWarning(effect, code == nullptr ? "coupon.redeemed without code" : "code is not a string");
    return;
  }
  std::string_view wanted = code->get_string();
  IssuedCoupon* best = nullptr;
  for (IssuedCoupon& c : record.coupons) {
    if (c.redeemed || c.code != wanted) continue;
    if (best == nullptr || c.issued_at >= best->issued_at) best = &c;
  }
  if (best == nullptr) return;
  best->redeemed = true;
  effect.redeemed = *best;
  effect.changed = true;
}

void ApplyOpt(CustomerRecord& record, const Event& event, bool opt_out, BuiltinEffect& effect) {
  const boost::json::value* channel = Field(event, "channel");
  const uint8_t before = record.profile.opted_out;
  if (channel == nullptr || !channel->is_string() ||
      !ApplyOptChange(record.profile.opted_out, channel->get_string(), opt_out)) {
    AddWarning(effect, "channel is not one of sms, wechat, app, email, all");
    return;
  }
  effect.changed = record.profile.opted_out != before;
}

}  // namespace

bool TouchCustomer(CustomerRecord& record, const Event& event) {
  CustomerProfile& p = record.profile;
  KeepLatest(p.last_seen_at, event.time);
  if (!p.registered) KeepEarliest(p.joined_at, event.time);
  bool added = false;
  for (size_t k = 0; k < kIdentityKindCount; ++k) {
    const std::string& value = event.identity[k];
    if (value.empty()) continue;
    auto kind = static_cast<IdentityKind>(k);
    bool known = std::any_of(record.identities.begin(), record.identities.end(),
                             [&](const auto& id) { return id.first == kind && id.second == value; });
    if (!known) {
      record.identities.emplace_back(kind, value);
      added = true;
    }
    if (kind == IdentityKind::kPhone && p.phone.empty()) p.phone = value;
  }
  return added;
}

BuiltinEffect ApplyBuiltinUpdate(CustomerRecord& record, const Event& event) {
  BuiltinEffect effect;
  const std::string_view type = event.type;
  effect.builtin = true;
  if (type == kOrderCompleted) {
    ApplyOrder(record, event, effect);
  } else if (type == kMemberRegistered) {
    ApplyRegistered(record, event, effect);
  } else if (type == kCustomerUpdated) {
    ApplyUpdated(record, event, effect);
  } else if (type == kCouponRedeemed) {
    ApplyRedeemed(record, event, effect);
  } else if (type == kOptedOut || type == kOptedIn) {
    ApplyOpt(record, event, type == kOptedOut, effect);
  } else {
    effect.builtin = false;
  }
  return effect;
}

}  // namespace patron::customer
