#pragma once
// One slice of a broadcast over every customer (schedule triggers, the
// daily segment refresh): the committed customers after the timer's cursor
// (`correlation`, the last id done), in id order, skipping those who
// joined after the timer's due time. Internal to engine/; engine thread only.

#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "engine/state_store.hpp"
#include "model/timer.hpp"

namespace patron {

// Visits up to `slice` customers with `visit`. When the slice was full, the
// cursor moves and the timer is put again (same batch as the visits) and
// `done` is false; otherwise `done` is true and the timer is left as it is
// (the caller deletes it and arms the next occurrence). `ids` is scratch.
inline Status BroadcastSlice(StateStore& store, TimerRecord& timer, size_t slice,
                             std::vector<std::string>& ids, bool& done,
                             const std::function<Status(CustomerRecord&)>& visit) {
  slice = slice == 0 ? 1 : slice;
  PATRON_RETURN_IF_ERROR(store.ListCustomerIds(timer.correlation, slice, ids));
  for (const std::string& id : ids) {
    auto customer = store.FindCustomer(id);
    if (!customer.ok()) return customer.status();
    CustomerRecord* c = *customer;
    if (c == nullptr || (c->profile.joined_at && *c->profile.joined_at > timer.key.due)) continue;
    PATRON_RETURN_IF_ERROR(visit(*c));
  }
  done = ids.size() < slice;
  if (done) return Status::Ok();
  timer.correlation = ids.back();
  return store.PutTimer(timer);  // the cursor, in the same batch as the slice
}

}  // namespace patron
