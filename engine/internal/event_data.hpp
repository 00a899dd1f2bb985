#pragma once
// The parts of an event's `data` that Patron itself reads, decoded in one
// place for every way an event arrives (a message at intake, an event kept
// in a durable timer): data.store and the identifiers of data.customer
// (events.md "Events in").
//
// Choices beyond events.md (documented here for publishers):
// - An identifier of data.customer may be a string or an integer number
//   (POS systems send member numbers and phones as numbers); an integer is
//   taken as its decimal text. Other types are rejected. null, "" and a
//   phone that normalises to nothing count as absent; phones are normalised.
// - data.store may be a string or an integer (as decimal text); null is absent.
// Pure functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

#include "model/event.hpp"

namespace patron {

// "null", "a boolean", "a number", "a string", "an array", "an object": a
// JSON value's kind, for rejection reasons.
const char* JsonKindName(const boost::json::value& v);

// What to do with a field of the wrong type.
enum class MalformedField : uint8_t {
  kReject,  // intake: the event is rejected with the reason
  kSkip,    // an event kept in a timer (it may come from `emit`, whose fields
            // intake never checked): the field counts as absent
};

// Fills `out.store` and `out.identity` from `data` (both cleared first).
// Returns nullopt, or (kReject) the reason the event is rejected
// ("'data.customer' is an array, not an object", "'data.customer.phone' is
// 300 bytes, over the limit of 256": an identifier longer than
// `max_identifier_bytes` as received); identifier values are never quoted
// (phones). With kSkip, such an identifier counts as absent.
std::optional<std::string> ReadStoreAndCustomer(const boost::json::object& data, Event& out,
                                                MalformedField malformed = MalformedField::kReject,
                                                size_t max_identifier_bytes = SIZE_MAX);

}  // namespace patron
