#include "stores/customer_codec.hpp"

#include <exception>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "stores/byte_codec.hpp"

namespace patron {

namespace {

using codec::ByteReader;
using codec::PutBytes;
using codec::PutSigned;
using codec::PutVarint;

// Presence bits of the profile's optional members.
enum ProfileFlags : uint8_t {
  kHasBirthday = 1,
  kHasFirstOrder = 2,
  kHasLastOrder = 4,
  kHasJoined = 8,
  kHasLastSeen = 16,
  kRegistered = 32,
};
constexpr uint8_t kProfileFlagsMask = 63;

// Presence bits of a rule state. Version 1 knew only the first three.
enum RuleFlags : uint8_t { kSeenFirst = 1, kHasMin = 2, kHasMax = 4, kHasTimer = 8, kHasArmed = 16 };
constexpr uint8_t kRuleFlagsMaskV1 = 7;
constexpr uint8_t kRuleFlagsMask = 31;
// The first version whose rule states carry the time-driven members.
constexpr uint8_t kTimeStateVersion = 2;

// Timer keys and window entries of one state are in time order: deltas.
void PutTimeDelta(std::string& out, TimePoint t, TimePoint& prev) {
  PutSigned(out, static_cast<int64_t>(static_cast<uint64_t>(t) - static_cast<uint64_t>(prev)));
  prev = t;
}

bool GetTimeDelta(ByteReader& r, TimePoint& t, TimePoint& prev) {
  int64_t delta;
  if (!r.GetSigned(delta)) return false;
  t = static_cast<TimePoint>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(delta));
  prev = t;
  return true;
}

constexpr uint8_t kOptOutMask = kOptOutSms | kOptOutWechat | kOptOutApp | kOptOutEmail | kOptOutAll;

void PutRuleStateBody(std::string& out, const RuleState& s) {
  PutVarint(out, s.rule_key);
  uint8_t flags = (s.seen_first ? kSeenFirst : 0) | (s.min ? kHasMin : 0) | (s.max ? kHasMax : 0) |
                  (s.timer ? kHasTimer : 0) | (s.armed ? kHasArmed : 0);
  out.push_back(static_cast<char>(flags));
  PutSigned(out, s.count);
  PutSigned(out, s.sum.micros());
  if (s.min) PutSigned(out, s.min->micros());
  if (s.max) PutSigned(out, s.max->micros());
  // Firings are sorted, so deltas are small; zig-zag keeps any order valid.
  PutVarint(out, s.firings.size());
  TimePoint prev = 0;
  for (TimePoint t : s.firings) PutTimeDelta(out, t, prev);
  // Version 2: the time-driven members.
  if (s.timer) {
    PutSigned(out, s.timer->due);
    PutVarint(out, s.timer->seq);
  }
  if (s.armed) PutSigned(out, *s.armed);
  PutVarint(out, s.open.size());
  prev = 0;
  for (const TimerKey& k : s.open) {
    PutTimeDelta(out, k.due, prev);
    PutVarint(out, k.seq);
  }
  PutVarint(out, s.window.size());
  prev = 0;
  for (const RuleState::WindowEntry& e : s.window) {
    PutTimeDelta(out, e.time, prev);
    PutSigned(out, e.value.micros());
  }
}

bool GetDecimal(ByteReader& r, Decimal& d) {
  int64_t m;
  if (!r.GetSigned(m)) return false;
  d = Decimal::FromMicros(m);
  return true;
}

// `version` is the record's (or the lone state's) version byte; states of
// version 1 come back with empty time-driven members.
bool GetRuleStateBody(ByteReader& r, RuleState& s, uint8_t version) {
  uint8_t flags = 0;
  if (!r.GetVarint(s.rule_key) || !r.GetByte(flags)) return false;
  const uint8_t mask = version >= kTimeStateVersion ? kRuleFlagsMask : kRuleFlagsMaskV1;
  if ((flags & ~mask) != 0) return r.Fail();
  s.seen_first = (flags & kSeenFirst) != 0;
  if (!r.GetSigned(s.count) || !GetDecimal(r, s.sum)) return false;
  s.min.reset();
  s.max.reset();
  if (flags & kHasMin) {
    Decimal d;
    if (!GetDecimal(r, d)) return false;
    s.min = d;
  }
  if (flags & kHasMax) {
    Decimal d;
    if (!GetDecimal(r, d)) return false;
    s.max = d;
  }
  uint64_t n;
  if (!r.GetCount(n)) return false;
  s.firings.clear();
  s.firings.reserve(static_cast<size_t>(n));
  TimePoint prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (!GetTimeDelta(r, s.firings.emplace_back(), prev)) return false;
  }
  s.timer.reset();
  s.armed.reset();
  s.open.clear();
  s.window.clear();
  if (version < kTimeStateVersion) return true;
  if (flags & kHasTimer) {
    TimerKey k;
    if (!r.GetSigned(k.due) || !r.GetVarint(k.seq)) return false;
    s.timer = k;
  }
  if (flags & kHasArmed) {
    int64_t armed;
    if (!r.GetSigned(armed)) return false;
    s.armed = armed;
  }
  if (!r.GetCount(n, 2)) return false;
  s.open.reserve(static_cast<size_t>(n));
  prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    TimerKey& k = s.open.emplace_back();
    if (!GetTimeDelta(r, k.due, prev) || !r.GetVarint(k.seq)) return false;
  }
  if (!r.GetCount(n, 2)) return false;
  s.window.reserve(static_cast<size_t>(n));
  prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    RuleState::WindowEntry& e = s.window.emplace_back();
    if (!GetTimeDelta(r, e.time, prev) || !GetDecimal(r, e.value)) return false;
  }
  return true;
}

void PutOptionalTime(std::string& out, const std::optional<TimePoint>& t) {
  if (t) PutSigned(out, *t);
}

bool GetOptionalTime(ByteReader& r, bool present, std::optional<TimePoint>& t) {
  t.reset();
  if (!present) return true;
  int64_t v;
  if (!r.GetSigned(v)) return false;
  t = v;
  return true;
}

bool GetAttrs(ByteReader& r, boost::json::object& attrs) {
  std::string_view text;
  if (!r.GetBytes(text)) return false;
  attrs.clear();
  if (text.empty()) return true;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return r.Fail();
  attrs = std::move(v.as_object());
  return true;
}

bool GetProfile(ByteReader& r, CustomerProfile& p) {
  uint8_t flags = 0;
  if (!r.GetString(p.id) || !r.GetString(p.name) || !r.GetString(p.phone) || !r.GetString(p.gender) ||
      !r.GetByte(flags))
    return false;
  if ((flags & ~kProfileFlagsMask) != 0) return r.Fail();
  p.birthday.reset();
  if (flags & kHasBirthday) {
    int64_t days;
    if (!r.GetSigned(days)) return false;
    if (days < std::numeric_limits<int32_t>::min() || days > std::numeric_limits<int32_t>::max())
      return r.Fail();
    p.birthday = static_cast<int32_t>(days);
  }
  if (!r.GetString(p.tier) || !GetDecimal(r, p.points)) return false;
  uint64_t n;
  if (!r.GetCount(n)) return false;
  p.tags.clear();
  p.tags.reserve(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) {
    if (!r.GetString(p.tags.emplace_back())) return false;
  }
  if (!r.GetSigned(p.orders) || !GetDecimal(r, p.spent)) return false;
  if (!GetOptionalTime(r, flags & kHasFirstOrder, p.first_order_at) ||
      !GetOptionalTime(r, flags & kHasLastOrder, p.last_order_at) ||
      !GetOptionalTime(r, flags & kHasJoined, p.joined_at) ||
      !GetOptionalTime(r, flags & kHasLastSeen, p.last_seen_at))
    return false;
  p.registered = (flags & kRegistered) != 0;
  if (!r.GetString(p.store) || !r.GetString(p.owner) || !GetAttrs(r, p.attrs)) return false;
  if (!r.GetCount(n, 3)) return false;
  p.store_orders.clear();
  p.store_orders.reserve(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) {
    StoreOrders& so = p.store_orders.emplace_back();
    if (!r.GetString(so.store) || !r.GetSigned(so.orders) || !r.GetSigned(so.last_order_at)) return false;
  }
  if (!r.GetByte(p.opted_out)) return false;
  if ((p.opted_out & ~kOptOutMask) != 0) return r.Fail();
  return true;
}

void PutProfile(std::string& out, const CustomerProfile& p) {
  PutBytes(out, p.id);
  PutBytes(out, p.name);
  PutBytes(out, p.phone);
  PutBytes(out, p.gender);
  uint8_t flags = (p.birthday ? kHasBirthday : 0) | (p.first_order_at ? kHasFirstOrder : 0) |
                  (p.last_order_at ? kHasLastOrder : 0) | (p.joined_at ? kHasJoined : 0) |
                  (p.last_seen_at ? kHasLastSeen : 0) | (p.registered ? kRegistered : 0);
  out.push_back(static_cast<char>(flags));
  if (p.birthday) PutSigned(out, *p.birthday);
  PutBytes(out, p.tier);
  PutSigned(out, p.points.micros());
  PutVarint(out, p.tags.size());
  for (const auto& tag : p.tags) PutBytes(out, tag);
  PutSigned(out, p.orders);
  PutSigned(out, p.spent.micros());
  PutOptionalTime(out, p.first_order_at);
  PutOptionalTime(out, p.last_order_at);
  PutOptionalTime(out, p.joined_at);
  PutOptionalTime(out, p.last_seen_at);
  PutBytes(out, p.store);
  PutBytes(out, p.owner);
  if (p.attrs.empty()) {
    PutBytes(out, {});
  } else {
    PutBytes(out, boost::json::serialize(p.attrs));
  }
  PutVarint(out, p.store_orders.size());
  for (const auto& so : p.store_orders) {
    PutBytes(out, so.store);
    PutSigned(out, so.orders);
    PutSigned(out, so.last_order_at);
  }
  out.push_back(static_cast<char>(p.opted_out));
}

bool GetRecord(ByteReader& r, CustomerRecord& out) {
  uint8_t version = 0;
  if (!r.GetByte(version)) return false;
  if (version == 0 || version > kCustomerCodecVersion) return r.Fail();
  if (!GetProfile(r, out.profile)) return false;
  uint64_t n;
  if (!r.GetCount(n, 2)) return false;
  out.identities.clear();
  out.identities.reserve(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) {
    uint8_t kind;
    std::string value;
    if (!r.GetByte(kind) || !r.GetString(value)) return false;
    if (kind >= kIdentityKindCount) return r.Fail();
    out.identities.emplace_back(static_cast<IdentityKind>(kind), std::move(value));
  }
  if (!r.GetCount(n, 5)) return false;
  out.rules.clear();
  out.rules.reserve(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) {
    if (!GetRuleStateBody(r, out.rules.emplace_back(), version)) return false;
    // StateOf/FindState binary-search `rules`: keep the invariant.
    if (i > 0 && out.rules[i - 1].rule_key >= out.rules[i].rule_key) return r.Fail();
  }
  if (!r.GetCount(n, 4)) return false;
  out.coupons.clear();
  out.coupons.reserve(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) {
    IssuedCoupon& c = out.coupons.emplace_back();
    uint8_t redeemed;
    if (!r.GetString(c.code) || !r.GetString(c.rule) || !r.GetSigned(c.issued_at) || !r.GetByte(redeemed))
      return false;
    if (redeemed > 1) return r.Fail();
    c.redeemed = redeemed == 1;
  }
  return r.AtEnd() || r.Fail();
}

}  // namespace

void AppendEncodedCustomer(std::string& out, const CustomerRecord& record) {
  out.push_back(static_cast<char>(kCustomerCodecVersion));
  PutProfile(out, record.profile);
  PutVarint(out, record.identities.size());
  for (const auto& [kind, value] : record.identities) {
    out.push_back(static_cast<char>(kind));
    PutBytes(out, value);
  }
  PutVarint(out, record.rules.size());
  for (const auto& s : record.rules) PutRuleStateBody(out, s);
  PutVarint(out, record.coupons.size());
  for (const auto& c : record.coupons) {
    PutBytes(out, c.code);
    PutBytes(out, c.rule);
    PutSigned(out, c.issued_at);
    out.push_back(c.redeemed ? 1 : 0);
  }
}

std::string EncodeCustomer(const CustomerRecord& record) {
  std::string out;
  out.reserve(128);
  AppendEncodedCustomer(out, record);
  return out;
}

Status DecodeCustomer(std::string_view bytes, CustomerRecord& out) {
  return codec::DecodeWith(bytes, "customer record", [&](ByteReader& r) { return GetRecord(r, out); });
}

std::string EncodeRuleState(const RuleState& state) {
  std::string out;
  out.push_back(static_cast<char>(kCustomerCodecVersion));
  PutRuleStateBody(out, state);
  return out;
}

Status DecodeRuleState(std::string_view bytes, RuleState& out) {
  return codec::DecodeWith(bytes, "rule state", [&](ByteReader& r) {
    uint8_t version = 0;
    return r.GetByte(version) && ((version != 0 && version <= kCustomerCodecVersion) || r.Fail()) &&
           GetRuleStateBody(r, out, version) && (r.AtEnd() || r.Fail());
  });
}

}  // namespace patron
