#pragma once
// Time values shared by every module. A TimePoint is microseconds since the
// Unix epoch (UTC); a Duration is microseconds. Dates are days since
// 1970-01-01. All functions are pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace patron {

using TimePoint = int64_t;  // microseconds since 1970-01-01T00:00:00Z
using Duration = int64_t;   // microseconds

inline constexpr Duration kMicrosPerSecond = 1'000'000;
inline constexpr Duration kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr Duration kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr Duration kMicrosPerDay = 24 * kMicrosPerHour;
// The last whole second RFC 3339 can write (four-digit years): 9999-12-31T23:59:59Z.
// No action carries a later time and no timer is due after it.
inline constexpr TimePoint kLastRfc3339Time = 253'402'300'799 * kMicrosPerSecond;

struct CivilDate {
  int32_t year = 1970;
  uint32_t month = 1;  // 1..12
  uint32_t day = 1;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
int32_t DaysFromCivil(CivilDate date);
CivilDate CivilFromDays(int32_t days);
bool IsLeapYear(int32_t year);
uint32_t DaysInMonth(int32_t year, uint32_t month);

// RFC 3339 with a mandatory offset ("Z", "+08:00"), optional fraction.
// nullopt for a missing offset, an impossible date or time, or trailing text.
std::optional<TimePoint> ParseRfc3339(std::string_view text);
// "2026-03-31T12:34:56Z", with ".ffffff" (trailing zeros dropped) when the
// time has a fraction of a second. Always UTC.
std::string FormatRfc3339Utc(TimePoint t);
void AppendRfc3339Utc(std::string& out, TimePoint t);

// "YYYY-MM-DD" to days since the epoch; nullopt if malformed or impossible.
std::optional<int32_t> ParseDate(std::string_view text);
std::string FormatDate(int32_t days);

// "HH:MM" (00:00..23:59) to minutes after midnight.
std::optional<int32_t> ParseTimeOfDay(std::string_view text);

}  // namespace patron
