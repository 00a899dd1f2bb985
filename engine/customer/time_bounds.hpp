#pragma once
// Earliest/latest bookkeeping of the profile's optional times
// (first_order_at, joined_at, last_order_at, last_seen_at), shared by the
// built-in updates and merges. Pure, thread-safe.

#include <optional>

#include "base/time.hpp"

namespace patron::customer {

// slot = min(slot, t); an empty slot takes t.
inline void KeepEarliest(std::optional<TimePoint>& slot, TimePoint t) {
  if (!slot || t < *slot) slot = t;
}
// slot = max(slot, t); an empty slot takes t.
inline void KeepLatest(std::optional<TimePoint>& slot, TimePoint t) {
  if (!slot || t > *slot) slot = t;
}

}  // namespace patron::customer
