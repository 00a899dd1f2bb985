#pragma once
// Decimal: a fixed-point number with 6 digits after the point, as language.md
// "Numbers are decimals" requires. Addition, subtraction and comparison are
// exact; multiplication and division round to 6 places, half to even.
// Range: about +-9.2e12. Plain value type, safe to copy across threads.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace patron {

class Decimal {
 public:
  static constexpr int64_t kScale = 1'000'000;

  constexpr Decimal() = default;
  static constexpr Decimal FromMicros(int64_t micros) { Decimal d; d.micros_ = micros; return d; }
  static constexpr Decimal FromInt(int64_t v) { return FromMicros(v * kScale); }
  // Parses "12", "-3", "12.5", "1e3"; more than 6 fraction digits round half to even.
  // nullopt on anything else or on overflow.
  static std::optional<Decimal> Parse(std::string_view text);
  // The decimal that prints the same as the shortest round-trip form of `v`
  // (so the JSON number 128.5 becomes exactly 128.5). nullopt if not finite or too large.
  static std::optional<Decimal> FromDouble(double v);

  constexpr int64_t micros() const { return micros_; }
  double ToDouble() const { return static_cast<double>(micros_) / kScale; }
  bool IsInteger() const { return micros_ % kScale == 0; }
  // Integer part, truncated toward zero.
  int64_t Truncate() const { return micros_ / kScale; }

  // language.md "Values in texts": 500, 2 (for 2.0), 128.5, -0.25.
  std::string ToString() const;
  // Appends ToString() to `out` without a temporary.
  void AppendTo(std::string& out) const;

  friend constexpr Decimal operator+(Decimal a, Decimal b) { return FromMicros(a.micros_ + b.micros_); }
  friend constexpr Decimal operator-(Decimal a, Decimal b) { return FromMicros(a.micros_ - b.micros_); }
  friend constexpr Decimal operator-(Decimal a) { return FromMicros(-a.micros_); }
  Decimal& operator+=(Decimal o) { micros_ += o.micros_; return *this; }
  Decimal& operator-=(Decimal o) { micros_ -= o.micros_; return *this; }
  // Rounded to 6 places, half to even.
  static Decimal Multiply(Decimal a, Decimal b);
  // Rounded to 6 places, half to even; nullopt when b is zero.
  static std::optional<Decimal> Divide(Decimal a, Decimal b);

  friend constexpr auto operator<=>(Decimal a, Decimal b) = default;
  friend constexpr bool operator==(Decimal a, Decimal b) = default;

 private:
  int64_t micros_ = 0;
};

}  // namespace patron
