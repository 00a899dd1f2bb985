#include "base/decimal.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace patron {
namespace {

// Divides with rounding half to even.
__int128 DivRoundHalfEven(__int128 num, __int128 den) {
  if (den < 0) { num = -num; den = -den; }
  __int128 q = num / den;
  __int128 r = num % den;
  if (r == 0) return q;
  __int128 twice = (r < 0 ? -r : r) * 2;
  bool negative = num < 0;
  if (twice > den || (twice == den && (q % 2 != 0))) q += negative ? -1 : 1;
  return q;
}

bool FitsInt64(__int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

}  // namespace

std::optional<Decimal> Decimal::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) { negative = text[i] == '-'; ++i; }
  __int128 digits = 0;  // all significant digits read, as an integer
  int frac_digits = 0;
  bool any = false, point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (digits > (__int128(1) << 100)) return std::nullopt;
      digits = digits * 10 + (c - '0');
      if (point) ++frac_digits;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) return std::nullopt;
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    int sign = 1;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) { sign = text[i] == '-' ? -1 : 1; ++i; }
    int e = 0;
    bool edigits = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      edigits = true;
      if (e < 1000) e = e * 10 + (text[i] - '0');
    }
    if (!edigits) return std::nullopt;
    exponent = sign * e;
  }
  if (i != text.size()) return std::nullopt;
  // value = digits * 10^(exponent - frac_digits); we want value * 10^6.
  int shift = exponent - frac_digits + 6;
  __int128 micros = digits;
  if (shift >= 0) {
    for (int k = 0; k < shift; ++k) {
      micros *= 10;
      if (micros > std::numeric_limits<int64_t>::max()) return std::nullopt;
    }
  } else {
    if (-shift > 38) return Decimal{};
    __int128 den = 1;
    for (int k = 0; k < -shift; ++k) den *= 10;
    micros = DivRoundHalfEven(micros, den);
  }
  if (negative) micros = -micros;
  if (!FitsInt64(micros)) return std::nullopt;
  return FromMicros(static_cast<int64_t>(micros));
}

std::optional<Decimal> Decimal::FromDouble(double v) {
  if (!std::isfinite(v) || std::fabs(v) > 9.2e12) return std::nullopt;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  if (res.ec != std::errc()) return std::nullopt;
  return Parse(std::string_view(buf, res.ptr - buf));
}

void Decimal::AppendTo(std::string& out) const {
  int64_t m = micros_;
  unsigned __int128 mag = m < 0 ? static_cast<unsigned __int128>(-static_cast<__int128>(m)) : m;
  if (m < 0) out.push_back('-');
  uint64_t int_part = static_cast<uint64_t>(mag / kScale);
  uint64_t frac = static_cast<uint64_t>(mag % kScale);
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, int_part);
  out.append(buf, r.ptr);
  if (frac != 0) {
    char fb[7];
    for (int k = 5; k >= 0; --k) { fb[k] = static_cast<char>('0' + frac % 10); frac /= 10; }
    int len = 6;
    while (len > 0 && fb[len - 1] == '0') --len;
    out.push_back('.');
    out.append(fb, len);
  }
}

std::string Decimal::ToString() const {
  std::string s;
  AppendTo(s);
  return s;
}

Decimal Decimal::Multiply(Decimal a, Decimal b) {
  __int128 p = static_cast<__int128>(a.micros_) * b.micros_;
  __int128 q = DivRoundHalfEven(p, kScale);
  if (!FitsInt64(q)) q = q < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  return FromMicros(static_cast<int64_t>(q));
}

std::optional<Decimal> Decimal::Divide(Decimal a, Decimal b) {
  if (b.micros_ == 0) return std::nullopt;
  __int128 q = DivRoundHalfEven(static_cast<__int128>(a.micros_) * kScale, b.micros_);
  if (!FitsInt64(q)) return std::nullopt;
  return FromMicros(static_cast<int64_t>(q));
}

}  // namespace patron
