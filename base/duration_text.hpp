#pragma once
// Durations as operators write them in flags and the configuration file:
// a whole number and a unit, `500us`, `250ms`, `5s`, `10m`, `2h`, `7d` (several may
// follow each other: `1h30m`); `0` alone is zero. Pure, thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"

namespace patron {

// The duration `text` names, or nullopt when it is empty, has an unknown
// unit, a missing number, or overflows.
std::optional<Duration> ParseDurationText(std::string_view text);

// The shortest text ParseDurationText reads back as `d` (`90s` is `1m30s`,
// zero is `0`); negative durations start with `-`.
std::string FormatDurationText(Duration d);

}  // namespace patron
