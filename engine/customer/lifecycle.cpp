#include "engine/customer/lifecycle.hpp"

namespace patron::customer {

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

}  // namespace patron::customer
