#pragma once
// Durations as operators write them in flags and configuration files: an
// integer and a unit, "90s", "15m", "36h", "7d" (also "500ms"), or several
// of them in a row ("1h30m"); "us" for microseconds. Pure functions,
// thread-safe.

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/time.hpp"

namespace patron {

// The duration `text` names (units us, ms, s, m, h, d; "0" alone is zero).
// kInvalidArgument saying what was expected for anything else (no unit, an
// unknown unit, a negative number, or more than about 290,000 years).
Result<Duration> ParseDurationText(std::string_view text);

// The shortest text of `d` that ParseDurationText reads back ("7d", "1h30m",
// "0"); `d` must not be negative.
std::string FormatDurationText(Duration d);

}  // namespace patron
