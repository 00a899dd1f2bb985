#pragma once
// Derived profile attributes: the lifecycle (language.md "Lifecycle") and
// the home store. Pure functions over model/, thread-safe.

#include <string_view>
#include <vector>

#include "base/time.hpp"
#include "model/customer_record.hpp"

namespace patron::customer {

// language.md "Lifecycle": "prospect" with no order; with d = now -
// last_order_at, exact to the microsecond, "new" (one order) or "active" (two
// or more) when d <= 30 days, "sleeping" when 30 days < d <= 90 days, "lost"
// when d > 90 days. A last order after `now` counts as d <= 30 days.
std::string_view Lifecycle(const CustomerProfile& profile, TimePoint now);

// The home store of `store_orders`: most orders, tie -> latest last order,
// tie -> smaller name; empty when there is none.
std::string_view HomeStore(const std::vector<StoreOrders>& store_orders);

}  // namespace patron::customer
