#include "base/duration_text.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

namespace patron {

namespace {

struct Unit {
  std::string_view name;
  Duration micros;
};

// Longest names first where one is a prefix of another (`ms` before `m`).
constexpr std::array<Unit, 6> kUnits{{
    {"us", 1},
    {"ms", 1'000},
    {"s", kMicrosPerSecond},
    {"m", kMicrosPerMinute},
    {"h", kMicrosPerHour},
    {"d", kMicrosPerDay},
}};

}  // namespace

std::optional<Duration> ParseDurationText(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  Duration total = 0;
  size_t i = 0;
  while (i < text.size()) {
    uint64_t number = 0;
    size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      if (number > (std::numeric_limits<uint64_t>::max() - 9) / 10) return std::nullopt;
      number = number * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    if (digits == 0) return std::nullopt;
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    i += unit->name.size();
    const auto limit = static_cast<uint64_t>(std::numeric_limits<Duration>::max() / unit->micros);
    if (number > limit) return std::nullopt;
    const Duration part = static_cast<Duration>(number) * unit->micros;
    if (total > std::numeric_limits<Duration>::max() - part) return std::nullopt;
    total += part;
  }
  return total;
}

std::string FormatDurationText(Duration d) {
  if (d == 0) return "0";
  std::string out;
  uint64_t rest = d < 0 ? static_cast<uint64_t>(-(d + 1)) + 1 : static_cast<uint64_t>(d);
  if (d < 0) out += '-';
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    const auto per = static_cast<uint64_t>(it->micros);
    if (rest >= per) {
      out += std::to_string(rest / per);
      out += it->name;
      rest %= per;
    }
  }
  return out;
}

}  // namespace patron
