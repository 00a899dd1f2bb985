// Durations as flags and configuration files write them (base/duration_text.hpp).

#include <catch2/catch.hpp>

#include "base/duration_text.hpp"

namespace patron {
namespace {

TEST_CASE("ParseDurationText: a number and a unit, or several in a row") {
  CHECK(*ParseDurationText("7d") == 7 * kMicrosPerDay);
  CHECK(*ParseDurationText("36h") == 36 * kMicrosPerHour);
  CHECK(*ParseDurationText("15m") == 15 * kMicrosPerMinute);
  CHECK(*ParseDurationText("90s") == 90 * kMicrosPerSecond);
  CHECK(*ParseDurationText("500ms") == 500'000);
  CHECK(*ParseDurationText("250us") == 250);
  CHECK(*ParseDurationText("1h30m") == 90 * kMicrosPerMinute);
  CHECK(*ParseDurationText("0") == 0);
  CHECK(*ParseDurationText("0s") == 0);
}

TEST_CASE("ParseDurationText: anything else is refused with what was expected") {
  for (const char* bad :
       {"", "7", "d", "7 d", "-5s", "7w", "1.5h", "5s ", "99999999999999999999d", "300000000d"}) {
    INFO(bad);
    auto parsed = ParseDurationText(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(parsed.status().message(), Catch::Contains("is not a duration"));
  }
}

TEST_CASE("FormatDurationText: the shortest text that reads back") {
  CHECK(FormatDurationText(7 * kMicrosPerDay) == "7d");
  CHECK(FormatDurationText(90 * kMicrosPerMinute) == "1h30m");
  CHECK(FormatDurationText(1'500'000) == "1s500ms");
  CHECK(FormatDurationText(0) == "0");
  for (Duration d : {Duration{1}, Duration{999}, 61 * kMicrosPerSecond + 7, 400 * kMicrosPerDay + 3})
    CHECK(*ParseDurationText(FormatDurationText(d)) == d);
}

}  // namespace
}  // namespace patron
