#pragma once
// The stored form of one Outcome (engine/state_store.hpp) in the LMDB
// `outcomes` table, and the names of outcome kinds used as `rule_stats`
// keys and in reports. Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "engine/state_store.hpp"

namespace patron {

// "fired", "skipped_limit", "held_out", "suppressed", "converted".
std::string_view OutcomeKindName(OutcomeKind kind);
// The kind named `name`, nullopt for an unknown name.
std::optional<OutcomeKind> OutcomeKindFromName(std::string_view name);

// A version byte, the kind, then the strings and the time. Never fails.
std::string EncodeOutcome(const Outcome& outcome);
// Corruption on truncated, trailing or malformed bytes.
Status DecodeOutcome(std::string_view bytes, Outcome& out);

}  // namespace patron
