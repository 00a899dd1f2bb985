#pragma once
// The built-in profile (language.md "Customer attributes", events.md "Events
// Patron understands without any rule") as pure functions over a
// CustomerRecord. The engine calls them in language.md's order of work:
// TouchCustomer and ApplyBuiltinUpdate after identity resolution and merges,
// before rules run. No I/O, no allocation beyond the record's own growth;
// thread-compatible (one thread per record).

#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "engine/event.hpp"
#include "stores/customer_record.hpp"

namespace patron {

// Every event of the customer, built-in or not: last_seen_at = max(last_seen_at,
// event time); unless member.registered set it, joined_at = the earliest event
// time seen for the customer (the first event's time when events arrive in
// order); every identifier of the event the record lacks is appended to
// `identities` (kinds in IdentityKind order; `id` included, so ids merged
// away stay known), and a phone also fills profile.phone when it is empty.
// Returns true when an identifier was added (the identity index needs it).
bool TouchCustomer(CustomerRecord& record, const Event& event);

// What a built-in event did, for the engine.
struct BuiltinEffect {
  // The event's type is one of events.md's built-in types.
  bool builtin = false;
  // The profile changed (the record must be marked dirty).
  bool changed = false;
  // The birthday became known or changed (date triggers re-arm).
  bool birthday_changed = false;
  // coupon.redeemed: the issued coupon now marked redeemed (a copy); the
  // engine records a conversion for coupon->rule. nullopt when no unredeemed
  // coupon with that code was issued to the customer.
  std::optional<IssuedCoupon> redeemed;
  // A malformed built-in field ("birthday is not a YYYY-MM-DD date").
  // Policy: the event is still accepted and processed; the malformed field is
  // ignored, every well-formed field is applied, and the engine logs the
  // warning (no dead letter: the event is valid CloudEvents and may still
  // matter to rules). Empty when all read fields were well-formed.
  std::string warning;
};

// Applies events.md's built-in update of `event.type` to `record`:
// - order.completed: orders +1; spent + amount (exact: a JSON integer or a
//   JSON number through Decimal::FromDouble; a string is not a number; when
//   missing or not a number, spent stays and `warning` says so);
//   first_order_at = min, last_order_at = max of the event times; the home
//   store (data.store) is the store of most orders, a tie going to the store
//   whose latest order is latest (then to the smaller store name).
// - member.registered: name, birthday (YYYY-MM-DD), gender when present;
//   joined_at = the event time (the earliest registration if several);
//   registered = true.
// - customer.updated: name, birthday, gender when present; `attrs` merged key
//   by key into the custom attributes (a null value removes that key).
// - coupon.redeemed: the most recently issued unredeemed coupon with `code`
//   is marked redeemed and returned in `redeemed`.
// - customer.opted_out / customer.opted_in with channel sms|wechat|app|email|all:
//   see OptOut below.
// Other types: returns an effect with builtin = false and changes nothing.
// JSON null counts as absent. Never throws.
BuiltinEffect ApplyBuiltinUpdate(CustomerRecord& record, const Event& event);

// Opt-out model. opted_out `all` sets every channel bit and kOptOutAll;
// opted_out <channel> sets that channel's bit. opted_in `all` clears every
// bit; opted_in <channel> clears that channel's bit only, so after an `all`
// opt-out coupons stay off (kOptOutAll) until an `all` opt-in.
// The bit of "sms", "wechat", "app", "email" or "all" (all = every bit); nullopt otherwise.
std::optional<uint8_t> OptOutBitsOf(std::string_view channel);
// A `message` on `channel` may reach the customer (its channel bit is clear).
// An unknown channel is treated as allowed only when no opt-out is set at all.
bool MessageAllowed(const CustomerProfile& profile, std::string_view channel);
// A `coupon` may reach the customer (no `all` opt-out in force).
bool CouponAllowed(const CustomerProfile& profile);

// language.md "Lifecycle": "prospect" with no order; with d = now -
// last_order_at, exact to the microsecond, "new" (one order) or "active" (two
// or more) when d <= 30 days, "sleeping" when 30 days < d <= 90 days, "lost"
// when d > 90 days. A last order after `now` counts as d <= 30 days.
std::string_view Lifecycle(const CustomerProfile& profile, TimePoint now);

// The home store of `store_orders`: most orders, tie -> latest last order,
// tie -> smaller name; empty when there is none.
std::string_view HomeStore(const std::vector<StoreOrders>& store_orders);

// Merges (language.md "Merges"): true when `a` survives a merge with `b`: the
// customer who joined first (earlier joined_at; an unknown joined_at counts as
// latest), ties going to the smaller id.
bool SurvivorIsFirst(const CustomerRecord& a, const CustomerRecord& b);

// Folds `other` into `survivor`. The survivor keeps its id and its phone (else
// takes other's); orders, spent and points are added; tags united (survivor's
// first, in order); first_order_at and joined_at the earliest, last_order_at
// and last_seen_at the latest; registered if either was; name, gender,
// birthday, owner: the survivor's unless empty/missing; attrs: the survivor's
// keys, plus other's keys the survivor lacks; tier: the survivor's unless
// "regular"; store_orders merged per store and the home store recomputed (kept
// when neither has store orders); opt-out bits ORed; identities united (the
// survivor's first); coupons united (same code,
// rule and time counted once, redeemed if either was) in issue order; rule
// states merged by rule_key (seen_first OR, count and sum added, min/max
// combined, firings merged sorted; the engine trims firings to its limits).
void MergeInto(CustomerRecord& survivor, CustomerRecord&& other);

}  // namespace patron
