#include "base/time.hpp"

#include <charconv>

namespace patron {

int32_t DaysFromCivil(CivilDate d) {
  int32_t y = d.year - (d.month <= 2 ? 1 : 0);
  int32_t era = (y >= 0 ? y : y - 399) / 400;
  uint32_t yoe = static_cast<uint32_t>(y - era * 400);
  uint32_t mp = d.month > 2 ? d.month - 3 : d.month + 9;
  uint32_t doy = (153 * mp + 2) / 5 + d.day - 1;
  uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

CivilDate CivilFromDays(int32_t z) {
  z += 719468;
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  uint32_t doe = static_cast<uint32_t>(z - era * 146097);
  uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int32_t y = static_cast<int32_t>(yoe) + era * 400;
  uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  uint32_t mp = (5 * doy + 2) / 153;
  uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (m <= 2 ? 1 : 0), m, d};
}

bool IsLeapYear(int32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

uint32_t DaysInMonth(int32_t year, uint32_t month) {
  static constexpr uint32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

void AppendPadded(std::string& out, int64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int k = static_cast<int>(r.ptr - buf); k < width; ++k) out.push_back('0');
  out.append(buf, r.ptr);
}

}  // namespace

std::optional<int32_t> ParseDate(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || !Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, m) || s[7] != '-' ||
      !Digits(s, 8, 2, d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || static_cast<uint32_t>(d) > DaysInMonth(y, m)) return std::nullopt;
  return DaysFromCivil({y, static_cast<uint32_t>(m), static_cast<uint32_t>(d)});
}

std::string FormatDate(int32_t days) {
  CivilDate c = CivilFromDays(days);
  std::string out;
  AppendPadded(out, c.year, 4);
  out.push_back('-');
  AppendPadded(out, c.month, 2);
  out.push_back('-');
  AppendPadded(out, c.day, 2);
  return out;
}

std::optional<int32_t> ParseTimeOfDay(std::string_view s) {
  int h, m;
  if (s.size() != 5 || !Digits(s, 0, 2, h) || s[2] != ':' || !Digits(s, 3, 2, m)) return std::nullopt;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::optional<TimePoint> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.f+](Z|+HH:MM|-HH:MM)
  if (s.size() < 20) return std::nullopt;
  auto days = ParseDate(s.substr(0, 10));
  if (!days || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
  int hh, mm, ss;
  if (!Digits(s, 11, 2, hh) || s[13] != ':' || !Digits(s, 14, 2, mm) || s[16] != ':' || !Digits(s, 17, 2, ss))
    return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  if (ss == 60) ss = 59;  // leap second: clamp, as most systems do
  size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 6) { micros = micros * 10 + (s[i] - '0'); ++n; }
      ++i;
    }
    if (i == start) return std::nullopt;
    for (; n < 6; ++n) micros *= 10;
  }
  if (i >= s.size()) return std::nullopt;  // offset is mandatory
  int64_t offset_minutes = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh, om;
    if (!Digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !Digits(s, i + 4, 2, om))
      return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;
    offset_minutes = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  int64_t secs = static_cast<int64_t>(*days) * 86400 + hh * 3600 + mm * 60 + ss - offset_minutes * 60;
  return secs * kMicrosPerSecond + micros;
}

void AppendRfc3339Utc(std::string& out, TimePoint t) {
  // Written into a fixed buffer: this runs for every action and log line.
  int64_t secs = t >= 0 ? t / kMicrosPerSecond : -((-t + kMicrosPerSecond - 1) / kMicrosPerSecond);
  int64_t frac = t - secs * kMicrosPerSecond;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  CivilDate c = CivilFromDays(static_cast<int32_t>(days));
  if (c.year < 0 || c.year > 9999) {  // outside RFC 3339's four-digit years: the slow, general path
    out += FormatDate(static_cast<int32_t>(days));
  } else {
    char d[10] = {static_cast<char>('0' + c.year / 1000), static_cast<char>('0' + c.year / 100 % 10),
                  static_cast<char>('0' + c.year / 10 % 10), static_cast<char>('0' + c.year % 10), '-',
                  static_cast<char>('0' + c.month / 10), static_cast<char>('0' + c.month % 10), '-',
                  static_cast<char>('0' + c.day / 10), static_cast<char>('0' + c.day % 10)};
    out.append(d, sizeof d);
  }
  const int64_t h = rem / 3600, m = (rem / 60) % 60, sec = rem % 60;
  char tm[9] = {'T', static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10), ':',
                static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10), ':',
                static_cast<char>('0' + sec / 10), static_cast<char>('0' + sec % 10)};
  out.append(tm, sizeof tm);
  if (frac != 0) {
    char fb[7] = {'.'};
    int64_t f = frac;
    for (int k = 6; k >= 1; --k) { fb[k] = static_cast<char>('0' + f % 10); f /= 10; }
    int len = 7;
    while (fb[len - 1] == '0') --len;
    out.append(fb, len);
  }
  out.push_back('Z');
}

std::string FormatRfc3339Utc(TimePoint t) {
  std::string s;
  AppendRfc3339Utc(s, t);
  return s;
}

}  // namespace patron
