#include "transport/internal/setting_differences.hpp"

namespace patron::transport_internal {

std::string FormatDuration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms == 0) return "0";
  struct Unit {
    int64_t ms;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}, {1, "ms"}};
  for (const Unit& u : kUnits) {
    // One day reads better as 24h.
    if (ms % u.ms == 0 && !(u.ms == 86'400'000 && ms == u.ms)) return std::to_string(ms / u.ms) + u.suffix;
  }
  return std::to_string(ms) + "ms";
}

std::string FormatLimit(int64_t value) { return value < 0 ? "unlimited" : std::to_string(value); }

void SettingDifferences::Compare(std::string_view field, const std::string& actual,
                                 const std::string& configured) {
  if (actual == configured) return;
  std::string line = what_ + " " + name_ + ": ";
  line += field;
  line += " is " + actual + ", configured " + configured + "; using the " + what_ + "'s";
  lines_.push_back(std::move(line));
}

}  // namespace patron::transport_internal
