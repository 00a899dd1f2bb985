#pragma once
// Run-time check of declared event types (language.md "Declared event types
// at run time"): a declared field that is missing (or JSON null) is null; one
// present with the wrong JSON type rejects the event. Pure function.

#include <optional>
#include <string>
#include <vector>

#include "model/event.hpp"
#include "engine/graph.hpp"

namespace patron {

// The reason `event` breaks its type's declaration `fields`, naming the
// field ("field 'rating' of review.posted must be a number, got a string"),
// or nullopt when it conforms. A `time` field must be an RFC 3339 string
// with an offset.
std::optional<std::string> CheckDeclaredFields(const Event& event, const std::vector<DeclaredField>& fields);

}  // namespace patron
