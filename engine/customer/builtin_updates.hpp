#pragma once
// The built-in profile (language.md "Customer attributes", events.md "Events
// Patron understands without any rule") as pure functions over a
// CustomerRecord. The engine calls them in language.md's order of work:
// TouchCustomer and ApplyBuiltinUpdate after identity resolution and merges,
// before rules run. No I/O, no allocation beyond the record's own growth;
// thread-compatible (one thread per record).

#include <optional>
#include <string>

#include "model/customer_record.hpp"
#include "model/event.hpp"

namespace patron::customer {

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
//   see engine/customer/consent.hpp.
// Other types: returns an effect with builtin = false and changes nothing.
// JSON null counts as absent. Never throws.
BuiltinEffect ApplyBuiltinUpdate(CustomerRecord& record, const Event& event);

}  // namespace patron::customer
