#pragma once
// Phone numbers: normalisation for identity matching (events.md) and masking
// for logs and staff-facing texts. Pure functions, thread-safe.

#include <string>
#include <string_view>

namespace patron {

// Removes spaces, dashes, dots and parentheses, and a leading "+86", "0086"
// or "86" country code when 11 digits remain: "+86 138 0013 8000" -> "13800138000".
std::string NormalisePhone(std::string_view raw);

// "13800138000" -> "138****8000": keeps the first 3 and last 4 characters
// of a number of 8 or more digits, stars in between; shorter ones become "****".
std::string MaskPhone(std::string_view phone);

// Replaces every run of 7 or more digits that looks like a phone number in
// `text` by its mask. Used for staff-facing texts and logs.
std::string MaskPhonesInText(std::string_view text);

}  // namespace patron
