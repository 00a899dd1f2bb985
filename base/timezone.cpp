#include "base/timezone.hpp"

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

// date:: and std::chrono share many names in C++20 (floor, sys_seconds,
// local_t, ...): every name below is qualified, and times cross into date
// only as whole seconds.
//
// date 3.0.1 reads only the explicit transitions of a zone file, not its
// POSIX TZ footer (HowardHinnant/date issue #794): Debian's "fat" tzdata lists
// them up to 2037, after which the zone's last offset holds all year.

namespace patron {
namespace {

constexpr int64_t kSecondsPerDay = 24 * 60 * 60;

// Floor division and its non-negative remainder (times before 1970 are negative).
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// Weekday of a day count: 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday).
int32_t WeekdayOf(int32_t days) { return static_cast<int32_t>(FloorMod(int64_t{days} + 4, 7)); }

date::sys_seconds SysSeconds(int64_t s) { return date::sys_seconds{std::chrono::seconds{s}}; }
date::local_seconds LocalSeconds(int64_t s) { return date::local_seconds{std::chrono::seconds{s}}; }
int64_t OffsetSeconds(const date::sys_info& info) { return info.offset.count(); }

}  // namespace

Result<TimeZone> TimeZone::Load(std::string_view iana_name) {
  std::string name(iana_name);
  if (name == "UTC") return Utc();
  try {
    const date::time_zone* zone = date::locate_zone(name);
    // The OS database reads a zone's file on first use: read it here, where a
    // failure can still be reported, so that later lookups cannot throw.
    (void)zone->get_info(SysSeconds(0));
    return TimeZone(zone, std::move(name));
  } catch (const std::exception& e) {
    return Status::Invalid("unknown time zone '" + name + "' (" + e.what() + ")");
  }
}

TimeZone TimeZone::Utc() { return TimeZone(nullptr, "UTC"); }

LocalTime TimeZone::ToLocal(TimePoint t) const {
  TimePoint local = t;
  if (zone_ != nullptr) {
    local += OffsetSeconds(zone_->get_info(SysSeconds(FloorDiv(t, kMicrosPerSecond)))) * kMicrosPerSecond;
  }
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  return LocalTime{static_cast<int32_t>(days), local - days * kMicrosPerDay};
}

TimePoint TimeZone::AtLocal(int32_t days, int32_t minutes) const {
  const int64_t local_s = int64_t{days} * kSecondsPerDay + int64_t{minutes} * 60;
  if (zone_ == nullptr) return local_s * kMicrosPerSecond;
  const date::local_info info = zone_->get_info(LocalSeconds(local_s));
  int64_t sys_s = 0;
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // `first` is the earlier of the two instants
      sys_s = local_s - OffsetSeconds(info.first);
      break;
    case date::local_info::nonexistent:  // the gap ends where `second` begins
      sys_s = info.second.begin.time_since_epoch().count();
      break;
  }
  return sys_s * kMicrosPerSecond;
}

TimePoint PeriodStart(const TimeZone& zone, TimePoint t, CalendarPeriod period) {
  const int32_t days = zone.ToLocal(t).days;
  switch (period) {
    case CalendarPeriod::kDay:
      return zone.StartOfDay(days);
    case CalendarPeriod::kWeek:  // Monday is (weekday + 6) % 7 == 0
      return zone.StartOfDay(days - static_cast<int32_t>(FloorMod(WeekdayOf(days) + 6, 7)));
    case CalendarPeriod::kMonth: {
      const CivilDate c = CivilFromDays(days);
      return zone.StartOfDay(DaysFromCivil({c.year, c.month, 1}));
    }
    case CalendarPeriod::kYear:
      return zone.StartOfDay(DaysFromCivil({CivilFromDays(days).year, 1, 1}));
  }
  return zone.StartOfDay(days);
}

TimePoint NextDailyAt(const TimeZone& zone, TimePoint after, int32_t minutes) {
  // A local date's instants can precede `after` when a fall-back repeats
  // midnight, hence the loop rather than "today or tomorrow".
  for (int32_t d = zone.ToLocal(after).days;; ++d) {
    const TimePoint at = zone.AtLocal(d, minutes);
    if (at > after) return at;
  }
}

TimePoint NextWeekdayAt(const TimeZone& zone, TimePoint after, int32_t weekday, int32_t minutes) {
  const int32_t today = zone.ToLocal(after).days;
  for (int32_t d = today + static_cast<int32_t>(FloorMod(int64_t{weekday} - WeekdayOf(today), 7));; d += 7) {
    const TimePoint at = zone.AtLocal(d, minutes);
    if (at > after) return at;
  }
}

std::optional<TimePoint> NextDateOccurrence(const TimeZone& zone, int32_t date, Duration offset, bool yearly,
                                            int32_t minutes, TimePoint after) {
  // Whole days toward zero ("-36 h" is one day earlier, then 12 hours earlier).
  const int32_t offset_days = static_cast<int32_t>(offset / kMicrosPerDay);
  const Duration offset_rest = offset % kMicrosPerDay;
  if (!yearly) {
    const TimePoint at = zone.AtLocal(date + offset_days, minutes) + offset_rest;
    if (at > after) return at;
    return std::nullopt;
  }
  const CivilDate base = CivilFromDays(date);
  // The year whose (unshifted) date lies near `after`; one year either side
  // covers the remainder and the time of day.
  const int32_t near_year = CivilFromDays(zone.ToLocal(after).days - offset_days).year;
  for (int32_t year = near_year - 1; year <= near_year + 2; ++year) {
    const uint32_t day = std::min(base.day, DaysInMonth(year, base.month));
    const TimePoint at =
        zone.AtLocal(DaysFromCivil({year, base.month, day}) + offset_days, minutes) + offset_rest;
    if (at > after) return at;
  }
  return std::nullopt;  // unreachable: the last year tried is more than a year after `after`
}

bool InDailyWindow(const TimeZone& zone, TimePoint t, int32_t from_minutes, int32_t to_minutes) {
  if (from_minutes == to_minutes) return true;
  const Duration now = zone.ToLocal(t).since_midnight;
  const Duration from = from_minutes * kMicrosPerMinute;
  const Duration to = to_minutes * kMicrosPerMinute;
  if (from < to) return from <= now && now < to;
  return now >= from || now < to;
}

TimePoint NextWindowOpening(const TimeZone& zone, TimePoint t, int32_t from_minutes, int32_t to_minutes) {
  if (InDailyWindow(zone, t, from_minutes, to_minutes)) return t;
  return NextDailyAt(zone, t, from_minutes);
}

}  // namespace patron
