// base/duration_text.hpp: the durations of flags and the configuration file.

#include <catch2/catch.hpp>

#include "base/duration_text.hpp"

using namespace patron;

TEST_CASE("durations: units, sums, and what is refused") {
  CHECK(ParseDurationText("0") == Duration{0});
  CHECK(ParseDurationText("500us") == Duration{500});
  CHECK(ParseDurationText("250ms") == Duration{250'000});
  CHECK(ParseDurationText("5s") == 5 * kMicrosPerSecond);
  CHECK(ParseDurationText("10m") == 10 * kMicrosPerMinute);
  CHECK(ParseDurationText("2h") == 2 * kMicrosPerHour);
  CHECK(ParseDurationText("7d") == 7 * kMicrosPerDay);
  CHECK(ParseDurationText("1h30m") == 90 * kMicrosPerMinute);
  for (const char* bad : {"", "s", "5", "5x", "-5s", "5 s", "1.5s", "99999999999999999999d", "106751992d"}) {
    INFO(bad);
    CHECK_FALSE(ParseDurationText(bad).has_value());
  }
}

TEST_CASE("durations: formatting reads back") {
  CHECK(FormatDurationText(0) == "0");
  CHECK(FormatDurationText(90 * kMicrosPerSecond) == "1m30s");
  CHECK(FormatDurationText(7 * kMicrosPerDay) == "7d");
  CHECK(FormatDurationText(-5 * kMicrosPerSecond) == "-5s");
  for (Duration d : {Duration{1}, Duration{1'001}, 3 * kMicrosPerDay + 4 * kMicrosPerHour + 5, kMicrosPerDay * 365}) {
    INFO(d);
    CHECK(ParseDurationText(FormatDurationText(d)) == d);
  }
}
