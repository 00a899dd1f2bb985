#pragma once
// How rejection reasons quote what they found: one rule for every check at
// the door, so a reason never carries more than a short, valid excerpt.
// Pure, thread-safe. Internal to engine/.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/utf8.hpp"

namespace patron {

// Longest value quoted in a rejection reason.
inline constexpr size_t kMaxQuoted = 64;

// 'text', cut to kMaxQuoted bytes at a UTF-8 boundary with "..." if cut.
inline std::string Quote(std::string_view text) {
  std::string out = "'";
  const size_t n = Utf8Cut(text, kMaxQuoted);
  out.append(text.substr(0, n));
  if (n < text.size()) out += "...";
  out += '\'';
  return out;
}

}  // namespace patron
