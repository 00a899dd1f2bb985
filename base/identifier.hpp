#pragma once
// The language's identifiers ([A-Za-z_][A-Za-z0-9_]*) and dotted names
// (`order.completed`), shared by the rule parser and the event decoder so
// that an event type means the same in both. Pure, constexpr.

#include <string_view>

namespace patron {

constexpr bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
constexpr bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// "a.b.c": identifiers separated by single dots; false for "", ".a", "a.", "a..b".
constexpr bool IsDottedName(std::string_view s) {
  bool at_start = true;
  for (char c : s) {
    if (at_start) {
      if (!IsIdentStart(c)) return false;
      at_start = false;
    } else if (c == '.') {
      at_start = true;
    } else if (!IsIdentChar(c)) {
      return false;
    }
  }
  return !at_start;
}

}  // namespace patron
