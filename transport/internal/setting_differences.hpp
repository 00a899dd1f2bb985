#pragma once
// Private to transport/: the lines EnsureStream / EnsureConsumer log when a
// stream or consumer exists with other settings than configured.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace patron::transport_internal {

// "7d", "24h", "2m", "30s", "250ms", "0" (whole units, the largest that fits;
// one day is "24h").
std::string FormatDuration(std::chrono::milliseconds d);
// "-1" and below as "unlimited", else the number.
std::string FormatLimit(int64_t value);

// Collects "<what> <name>: <field> is <actual>, configured <wanted>; using
// the <what>'s" for each field that differs.
class SettingDifferences {
 public:
  SettingDifferences(std::string_view what, std::string_view name) : what_(what), name_(name) {}
  void Compare(std::string_view field, const std::string& actual, const std::string& configured);
  std::vector<std::string> Take() { return std::move(lines_); }

 private:
  std::string what_;
  std::string name_;
  std::vector<std::string> lines_;
};

}  // namespace patron::transport_internal
