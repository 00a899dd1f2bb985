#include "base/duration_text.hpp"

#include <cstdint>

namespace patron {

namespace {

struct Unit {
  std::string_view name;
  Duration micros;
};
// Largest first (the order FormatDurationText writes them in).
constexpr Unit kUnits[] = {{"d", kMicrosPerDay},    {"h", kMicrosPerHour}, {"m", kMicrosPerMinute},
                           {"s", kMicrosPerSecond}, {"ms", 1000},          {"us", 1}};

Status Bad(std::string_view text) {
  return Status::Invalid("'" + std::string(text) +
                         "' is not a duration (a number and a unit: ms, s, m, h or d, e.g. 30s or 7d)");
}

}  // namespace

Result<Duration> ParseDurationText(std::string_view text) {
  if (text == "0") return Duration{0};
  if (text.empty()) return Bad(text);
  Duration total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits = i;
    int64_t n = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
      if (n > (INT64_MAX - 9) / 10) return Bad(text);
      n = n * 10 + (text[digits++] - '0');
    }
    if (digits == i) return Bad(text);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits)  // the longest name that matches ("ms" over "m")
      if (text.substr(digits, u.name.size()) == u.name &&
          (unit == nullptr || u.name.size() > unit->name.size()))
        unit = &u;
    if (unit == nullptr) return Bad(text);
    if (n > (INT64_MAX - total) / unit->micros) return Bad(text);
    total += n * unit->micros;
    i = digits + unit->name.size();
  }
  return total;
}

std::string FormatDurationText(Duration d) {
  if (d <= 0) return "0";
  std::string out;
  for (const Unit& u : kUnits) {
    if (d >= u.micros) {
      out += std::to_string(d / u.micros);
      out += u.name;
      d %= u.micros;
    }
  }
  return out;
}

}  // namespace patron
