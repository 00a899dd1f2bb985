#pragma once
// One customer as a JSON object for `patron inspect` and reports. Pure,
// thread-safe.

#include <string>

#include "base/time.hpp"
#include "model/customer_record.hpp"

namespace patron {

// One line of JSON, members in this order: id, name, phone, gender,
// birthday ("YYYY-MM-DD" or null), tier, points, tags, orders, spent,
// first_order_at, last_order_at, joined_at, last_seen_at (RFC 3339 UTC or
// null), store, owner, lifecycle (computed at `now`), registered, attrs,
// identities ([{"kind","value"}]), opted_out (channel names, "all" last),
// coupons ([{"code","rule","issued_at","redeemed"}]), store_orders
// ([{"store","orders","last_order_at"}]), rule_states (how many rules keep
// state), timers (the customer's armed timers, rule by rule:
// [{"rule_key" (16 hex digits), "due", "kind": "armed" for an absence, date
// or schedule timer, "open" for an open sequence A}]). Numbers print as
// Decimal::ToString does.
// With `mask_personal` the phone (and every phone identifier) is MaskPhone'd
// ("138****8000") and the birthday keeps only month and day ("****-05-01");
// names and other identifiers are shown as they are.
std::string CustomerToJson(const CustomerRecord& record, TimePoint now, bool mask_personal);

}  // namespace patron
