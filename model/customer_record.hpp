#pragma once
// Everything Patron keeps about one customer: the built-in profile of
// language.md, the identifiers seen for them, opt-outs, coupons issued, and
// the per-rule state of the rules that watch them. One record per customer,
// stored as one value by the state store (stores/customer_codec.hpp), so that an event
// costs one read and one write however many rules it touches.
// Plain data; the engine's thread owns every record it holds.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "base/decimal.hpp"
#include "base/time.hpp"
#include "model/identity.hpp"
#include "model/timer.hpp"

namespace patron {

// Opt-out bits (events.md customer.opted_out).
enum OptOutBits : uint8_t {
  kOptOutSms = 1, kOptOutWechat = 2, kOptOutApp = 4, kOptOutEmail = 8, kOptOutAll = 16,
};

struct StoreOrders {
  std::string store;
  int64_t orders = 0;
  TimePoint last_order_at = 0;
};

struct CustomerProfile {
  std::string id;
  std::string name;
  std::string phone;   // normalised, empty if unknown
  std::string gender;
  std::optional<int32_t> birthday;  // days since the epoch
  std::string tier = "regular";
  Decimal points;
  std::vector<std::string> tags;    // in the order added
  int64_t orders = 0;
  Decimal spent;
  std::optional<TimePoint> first_order_at;
  std::optional<TimePoint> last_order_at;
  std::optional<TimePoint> joined_at;
  bool registered = false;          // joined_at came from member.registered
  std::optional<TimePoint> last_seen_at;
  std::string store;                // home store (most orders; ties: latest)
  std::string owner;
  boost::json::object attrs;        // custom attributes
  std::vector<StoreOrders> store_orders;  // for the home store
  uint8_t opted_out = 0;            // OptOutBits
};

// Per-rule state of one customer (or of one `limit per <path>` key).
// `rule_key` is a stable hash of the rule's name, so state survives reloads
// of unchanged rules.
struct RuleState {
  uint64_t rule_key = 0;
  bool seen_first = false;          // `first`: the type was seen
  // Lifetime aggregate (count/sum over the filtered events, min/max).
  int64_t count = 0;
  Decimal sum;
  std::optional<Decimal> min;
  std::optional<Decimal> max;
  std::vector<TimePoint> firings;   // `limit`: times of the last n firings, oldest first

  // Time-driven state (the time issue).
  // Absence, date and schedule rules: the timer armed now (to cancel it on re-arming).
  std::optional<TimerKey> timer;
  // Absence: the deadline armed (a late, older event never moves it back).
  // Date: the date value (days since the epoch) the timer was armed from.
  std::optional<int64_t> armed;
  // Sequences: the open A events of this key, oldest first (their timers).
  std::vector<TimerKey> open;
  // Windowed aggregates (`over D`, `this month`): the aggregated events still
  // inside the window, in time order; entries that left it are dropped.
  struct WindowEntry {
    TimePoint time = 0;
    Decimal value;  // 0 for count
    friend bool operator==(const WindowEntry&, const WindowEntry&) = default;
  };
  std::vector<WindowEntry> window;
};

struct IssuedCoupon {
  std::string code;
  std::string rule;       // rule name
  TimePoint issued_at = 0;
  bool redeemed = false;
};

struct CustomerRecord {
  CustomerProfile profile;
  std::vector<std::pair<IdentityKind, std::string>> identities;  // every identifier seen
  std::vector<RuleState> rules;          // sorted by rule_key
  std::vector<IssuedCoupon> coupons;     // the most recent ones (bounded, oldest dropped)

  // The state of `rule_key`, created (zeroed) if absent. Keeps `rules` sorted.
  RuleState& StateOf(uint64_t rule_key);
  const RuleState* FindState(uint64_t rule_key) const;
};

}  // namespace patron
