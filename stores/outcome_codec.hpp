#pragma once
// The stored form of one Outcome (model/outcome.hpp) in the LMDB
// `outcomes` table. Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "model/outcome.hpp"

namespace patron {

// A version byte, the kind, then the strings and the time. Never fails.
std::string EncodeOutcome(const Outcome& outcome);
// Corruption on truncated, trailing or malformed bytes.
Status DecodeOutcome(std::string_view bytes, Outcome& out);

}  // namespace patron
