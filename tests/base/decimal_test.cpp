#include <catch2/catch.hpp>

#include "base/decimal.hpp"

using patron::Decimal;

TEST_CASE("decimals add money exactly") {
  auto a = *Decimal::Parse("166.66"), b = *Decimal::Parse("166.67"), c = *Decimal::Parse("166.67");
  CHECK(a + b + c == Decimal::FromInt(500));
  CHECK_FALSE(a + b + c > Decimal::FromInt(500));
  CHECK((*Decimal::FromDouble(0.1) + *Decimal::FromDouble(0.2)) == *Decimal::Parse("0.3"));
}

TEST_CASE("decimals print as the spec's values in texts") {
  CHECK(Decimal::FromInt(500).ToString() == "500");
  CHECK(Decimal::Parse("2.0")->ToString() == "2");
  CHECK(Decimal::Parse("128.5")->ToString() == "128.5");
  CHECK(Decimal::Parse("-0.25")->ToString() == "-0.25");
  CHECK(Decimal::Parse("1e3")->ToString() == "1000");
  CHECK_FALSE(Decimal::Parse("12a").has_value());
  CHECK_FALSE(Decimal::Parse("").has_value());
}

TEST_CASE("multiplication and division round half to even at 6 places") {
  // 0.0000005 rounds to 0.000000 (even), 0.0000015 to 0.000002.
  CHECK(Decimal::Multiply(*Decimal::Parse("0.000001"), *Decimal::Parse("0.5")) == Decimal::FromMicros(0));
  CHECK(Decimal::Multiply(*Decimal::Parse("0.000003"), *Decimal::Parse("0.5")) == Decimal::FromMicros(2));
  CHECK(Decimal::Divide(Decimal::FromInt(1), Decimal::FromInt(3))->ToString() == "0.333333");
  CHECK(Decimal::Divide(Decimal::FromInt(2), Decimal::FromInt(3))->ToString() == "0.666667");
  CHECK_FALSE(Decimal::Divide(Decimal::FromInt(1), Decimal::FromInt(0)).has_value());
}
