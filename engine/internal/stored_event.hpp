#pragma once
// Events kept inside durable timers (engine/timer.hpp StoredEvent): the A of
// a sequence, the cause of a wait or of a deferred firing. Converting back
// gives an Event that evaluates exactly as the original did for `event.*`
// paths (source, id, type, time, store, data). Engine thread only.

#include "base/result.hpp"
#include "model/event.hpp"
#include "model/timer.hpp"

namespace patron {

// The parts of `event` that rules can read, with `data` serialised.
StoredEvent ToStoredEvent(const Event& event);
// Fills `out` from `stored` (identifiers from data.customer, phone
// normalised). Corruption when data_json is not a JSON object.
Status FromStoredEvent(const StoredEvent& stored, Event& out);

}  // namespace patron
