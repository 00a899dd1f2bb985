#include "stores/profile_updates.hpp"

#include <algorithm>
#include <limits>

#include <boost/json/value.hpp>

namespace patron {

namespace {

constexpr std::string_view kOrderCompleted = "order.completed";
constexpr std::string_view kMemberRegistered = "member.registered";
constexpr std::string_view kCustomerUpdated = "customer.updated";
constexpr std::string_view kCouponRedeemed = "coupon.redeemed";
constexpr std::string_view kOptedOut = "customer.opted_out";
constexpr std::string_view kOptedIn = "customer.opted_in";

constexpr uint8_t kEveryOptOutBit = kOptOutSms | kOptOutWechat | kOptOutApp | kOptOutEmail | kOptOutAll;
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

void SetOptional(std::optional<TimePoint>& slot, TimePoint t, bool keep_min) {
  if (!slot || (keep_min ? t < *slot : t > *slot)) slot = t;
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
  SetOptional(p.first_order_at, event.time, /*keep_min=*/true);
  SetOptional(p.last_order_at, event.time, /*keep_min=*/false);
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
  std::optional<uint8_t> bits;
  if (channel != nullptr && channel->is_string()) bits = OptOutBitsOf(channel->get_string());
  if (!bits) {
    AddWarning(effect, "channel is not one of sms, wechat, app, email, all");
    return;
  }
  uint8_t& state = record.profile.opted_out;
  uint8_t before = state;
  if (opt_out) {
    state |= *bits;
  } else {
    // `all` clears everything; a channel clears its own bit, never kOptOutAll.
    state &= static_cast<uint8_t>(~(*bits == kEveryOptOutBit ? kEveryOptOutBit : *bits));
  }
  effect.changed = state != before;
}

}  // namespace

bool TouchCustomer(CustomerRecord& record, const Event& event) {
  CustomerProfile& p = record.profile;
  SetOptional(p.last_seen_at, event.time, /*keep_min=*/false);
  if (!p.registered) SetOptional(p.joined_at, event.time, /*keep_min=*/true);
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

std::optional<uint8_t> OptOutBitsOf(std::string_view channel) {
  if (channel == "sms") return kOptOutSms;
  if (channel == "wechat") return kOptOutWechat;
  if (channel == "app") return kOptOutApp;
  if (channel == "email") return kOptOutEmail;
  if (channel == "all") return kEveryOptOutBit;
  return std::nullopt;
}

bool MessageAllowed(const CustomerProfile& profile, std::string_view channel) {
  std::optional<uint8_t> bits = OptOutBitsOf(channel);
  if (!bits || *bits == kEveryOptOutBit) return profile.opted_out == 0;
  return (profile.opted_out & *bits) == 0;
}

bool CouponAllowed(const CustomerProfile& profile) { return (profile.opted_out & kOptOutAll) == 0; }

std::string_view Lifecycle(const CustomerProfile& profile, TimePoint now) {
  if (profile.orders <= 0 || !profile.last_order_at) return "prospect";
  const Duration d = now - *profile.last_order_at;
  if (d <= 30 * kMicrosPerDay) return profile.orders == 1 ? "new" : "active";
  if (d <= 90 * kMicrosPerDay) return "sleeping";
  return "lost";
}

std::string_view HomeStore(const std::vector<StoreOrders>& store_orders) {
  const StoreOrders* best = nullptr;
  for (const StoreOrders& so : store_orders) {
    if (best == nullptr || so.orders > best->orders ||
        (so.orders == best->orders && (so.last_order_at > best->last_order_at ||
                                       (so.last_order_at == best->last_order_at && so.store < best->store))))
      best = &so;
  }
  return best == nullptr ? std::string_view() : std::string_view(best->store);
}

bool SurvivorIsFirst(const CustomerRecord& a, const CustomerRecord& b) {
  const auto& ja = a.profile.joined_at;
  const auto& jb = b.profile.joined_at;
  if (ja && jb && *ja != *jb) return *ja < *jb;
  if (ja.has_value() != jb.has_value()) return ja.has_value();
  return a.profile.id < b.profile.id;
}

namespace {

void MergeRuleState(RuleState& into, const RuleState& from) {
  into.seen_first = into.seen_first || from.seen_first;
  into.count += from.count;
  into.sum += from.sum;
  if (from.min && (!into.min || *from.min < *into.min)) into.min = from.min;
  if (from.max && (!into.max || *from.max > *into.max)) into.max = from.max;
  std::vector<TimePoint> firings;
  firings.reserve(into.firings.size() + from.firings.size());
  std::merge(into.firings.begin(), into.firings.end(), from.firings.begin(), from.firings.end(),
             std::back_inserter(firings));
  into.firings = std::move(firings);
  // Time-driven state: the survivor keeps its own armed timer (the other's
  // timers name the merged-away customer and are dropped when due); open
  // sequence A's and window entries are united in order.
  std::vector<TimerKey> open;
  open.reserve(into.open.size() + from.open.size());
  std::merge(into.open.begin(), into.open.end(), from.open.begin(), from.open.end(), std::back_inserter(open));
  into.open = std::move(open);
  std::vector<RuleState::WindowEntry> window;
  window.reserve(into.window.size() + from.window.size());
  std::merge(into.window.begin(), into.window.end(), from.window.begin(), from.window.end(),
             std::back_inserter(window),
             [](const RuleState::WindowEntry& a, const RuleState::WindowEntry& b) { return a.time < b.time; });
  into.window = std::move(window);
}

template <typename T>
void KeepIfEmpty(T& mine, T&& theirs) {
  if (mine.empty()) mine = std::move(theirs);
}

}  // namespace

void MergeInto(CustomerRecord& survivor, CustomerRecord&& other) {
  CustomerProfile& p = survivor.profile;
  CustomerProfile& o = other.profile;
  KeepIfEmpty(p.phone, std::move(o.phone));
  KeepIfEmpty(p.name, std::move(o.name));
  KeepIfEmpty(p.gender, std::move(o.gender));
  KeepIfEmpty(p.owner, std::move(o.owner));
  if (!p.birthday) p.birthday = o.birthday;
  if (p.tier == "regular") p.tier = std::move(o.tier);
  p.points += o.points;
  for (auto& tag : o.tags)
    if (std::find(p.tags.begin(), p.tags.end(), tag) == p.tags.end()) p.tags.push_back(std::move(tag));
  p.orders += o.orders;
  p.spent += o.spent;
  if (o.first_order_at) SetOptional(p.first_order_at, *o.first_order_at, /*keep_min=*/true);
  if (o.last_order_at) SetOptional(p.last_order_at, *o.last_order_at, /*keep_min=*/false);
  if (o.joined_at) SetOptional(p.joined_at, *o.joined_at, /*keep_min=*/true);
  if (o.last_seen_at) SetOptional(p.last_seen_at, *o.last_seen_at, /*keep_min=*/false);
  p.registered = p.registered || o.registered;
  for (auto& [key, value] : o.attrs)
    if (!p.attrs.contains(key)) p.attrs.emplace(key, std::move(value));
  for (auto& theirs : o.store_orders) {
    auto it = std::find_if(p.store_orders.begin(), p.store_orders.end(),
                           [&](const StoreOrders& so) { return so.store == theirs.store; });
    if (it == p.store_orders.end()) {
      p.store_orders.push_back(std::move(theirs));
    } else {
      it->orders += theirs.orders;
      it->last_order_at = std::max(it->last_order_at, theirs.last_order_at);
    }
  }
  if (!p.store_orders.empty()) {
    p.store.assign(HomeStore(p.store_orders));
  } else {
    KeepIfEmpty(p.store, std::move(o.store));
  }
  p.opted_out |= o.opted_out;

  for (auto& id : other.identities)
    if (std::find(survivor.identities.begin(), survivor.identities.end(), id) == survivor.identities.end())
      survivor.identities.push_back(std::move(id));

  for (auto& coupon : other.coupons) {
    auto same = std::find_if(survivor.coupons.begin(), survivor.coupons.end(), [&](const IssuedCoupon& c) {
      return c.code == coupon.code && c.rule == coupon.rule && c.issued_at == coupon.issued_at;
    });
    if (same == survivor.coupons.end()) {
      survivor.coupons.push_back(std::move(coupon));
    } else {
      same->redeemed = same->redeemed || coupon.redeemed;
    }
  }
  std::stable_sort(survivor.coupons.begin(), survivor.coupons.end(),
                   [](const IssuedCoupon& a, const IssuedCoupon& b) { return a.issued_at < b.issued_at; });

  for (const RuleState& theirs : other.rules) MergeRuleState(survivor.StateOf(theirs.rule_key), theirs);
}

}  // namespace patron
