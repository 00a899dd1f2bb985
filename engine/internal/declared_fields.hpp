#pragma once
// Run-time check of declared event types (language.md "Declared event types
// at run time"): a declared field that is missing (or JSON null) is null; one
// present with the wrong JSON type rejects the event. Pure function.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "model/event.hpp"
#include "engine/graph.hpp"

namespace patron {

// The reason `event` breaks its type's declaration `fields`, naming the
// field ("field 'rating' of review.posted must be a number, got a string"),
// or nullopt when it conforms. A `time` field must be an RFC 3339 string
// with an offset.
// A declared number must also fit a decimal (language.md "Numbers are
// decimals"): 12345678901234567890.5 is rejected, not read as null.
std::optional<std::string> CheckDeclaredFields(const Event& event, const std::vector<DeclaredField>& fields);

// The same range check for the numbers the built-in profile reads
// (order.completed's `amount`, which would otherwise leave the spend
// silently unchanged); other types and non-numbers pass (the built-in update
// warns about those as before).
std::optional<std::string> CheckBuiltinFields(const Event& event);

// The reason field `name` of `event` is rejected when `v` is a number that
// does not fit a decimal; nullopt otherwise.
std::optional<std::string> CheckNumberFits(const Event& event, std::string_view name, const boost::json::value& v);

}  // namespace patron
