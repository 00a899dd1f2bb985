#pragma once
// One table of names per enum of model/: each name is written once, next to
// its enum, and these two helpers turn values into names and back. An enum
// `E` with enumerators 0..N-1 has `constexpr std::array<std::string_view, N>`
// of their names, in order. Pure, thread-safe.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace patron {

// The name of `value`; "unknown" for a value outside the table.
template <typename E, size_t N>
constexpr std::string_view EnumName(const std::array<std::string_view, N>& names, E value) {
  const auto i = static_cast<size_t>(value);
  return i < N ? names[i] : std::string_view("unknown");
}

// The enumerator named `name`, or nullopt when no name matches exactly.
template <typename E, size_t N>
constexpr std::optional<E> EnumFromName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace patron
