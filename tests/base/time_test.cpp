#include <catch2/catch.hpp>

#include "base/phone.hpp"
#include "base/time.hpp"

using namespace patron;

TEST_CASE("RFC 3339 times need an offset and a possible date") {
  auto t = ParseRfc3339("2026-03-01T12:34:56+08:00");
  REQUIRE(t.has_value());
  CHECK(FormatRfc3339Utc(*t) == "2026-03-01T04:34:56Z");
  CHECK(ParseRfc3339("2026-03-01T04:34:56Z") == t);
  CHECK(ParseRfc3339("2026-03-01T04:34:56.250Z") == *t + 250000);
  CHECK(FormatRfc3339Utc(*t + 250000) == "2026-03-01T04:34:56.25Z");
  CHECK_FALSE(ParseRfc3339("2026-03-01T12:34:56").has_value());
  CHECK_FALSE(ParseRfc3339("2026-02-30T12:34:56Z").has_value());
  CHECK_FALSE(ParseRfc3339("2026-03-01T24:00:00Z").has_value());
  CHECK(ParseRfc3339("2024-02-29T00:00:00Z").has_value());
  CHECK_FALSE(ParseRfc3339("2025-02-29T00:00:00Z").has_value());
}

TEST_CASE("dates and times of day") {
  CHECK(ParseDate("1970-01-02") == 1);
  CHECK(FormatDate(*ParseDate("2026-02-17")) == "2026-02-17");
  CHECK(ParseTimeOfDay("10:00") == 600);
  CHECK_FALSE(ParseTimeOfDay("24:00").has_value());
}

TEST_CASE("phones are normalised and masked") {
  CHECK(NormalisePhone("+86 138 0013 8000") == "13800138000");
  CHECK(NormalisePhone("0086-138-0013-8000") == "13800138000");
  CHECK(NormalisePhone("138 0013 8000") == "13800138000");
  CHECK(MaskPhone("13800138000") == "138****8000");
  CHECK(MaskPhonesInText("call 13800138000 now") == "call 138****8000 now");
}

TEST_CASE("RFC 3339 output round-trips over many instants") {
  // Every 7 hours and 13 microseconds across 1969..2100, both directions.
  for (TimePoint t = -400 * kMicrosPerDay; t < 47'500 * kMicrosPerDay; t += 7 * kMicrosPerHour + 13) {
    std::string text = FormatRfc3339Utc(t);
    INFO(text);
    REQUIRE(ParseRfc3339(text) == t);
  }
  CHECK(FormatRfc3339Utc(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339Utc(-1) == "1969-12-31T23:59:59.999999Z");
  CHECK(FormatRfc3339Utc(*ParseRfc3339("2024-02-29T23:59:59.5+00:00")) == "2024-02-29T23:59:59.5Z");
}
