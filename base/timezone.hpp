#pragma once
// IANA time zones (Debian's tzdata, read by Howard Hinnant's date/tz) and the
// calendar arithmetic the time-driven constructs need: `at HH:MM`, calendar
// windows (`this day|week|month|year`), date triggers and `between` quiet
// hours. Every clock time is local to one TimeZone; every TimePoint is UTC.
//
// Local times that do not exist (a daylight-saving gap, 02:30 on the day the
// clocks jump from 02:00 to 03:00) mean the first instant after the gap
// (03:00 local); local times that happen twice (the hour repeated when the
// clocks go back) mean the earlier of the two. Weeks start on Monday (ISO).
// A TimeZone is a cheap handle to immutable data: copy it freely, use it from
// any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/time.hpp"

namespace date {
class time_zone;
}

namespace patron {

// A local calendar position: the civil date (days since 1970-01-01) and the
// time since local midnight.
struct LocalTime {
  int32_t days = 0;
  Duration since_midnight = 0;  // 0 <= since_midnight < 24 h (25 h on a fall-back day is folded)
};

class TimeZone {
 public:
  // The zone called `iana_name` ("Asia/Shanghai", "America/New_York", "UTC").
  // InvalidArgument naming the zone when tzdata has no such zone.
  static Result<TimeZone> Load(std::string_view iana_name);
  // UTC: for tests and as a default before a rule set is loaded.
  static TimeZone Utc();

  const std::string& name() const { return name_; }

  // Where `t` falls on the local calendar.
  LocalTime ToLocal(TimePoint t) const;
  // The instant of local date `days` at `minutes` after midnight (gap: the
  // first instant after it; repeated hour: the earlier instant).
  TimePoint AtLocal(int32_t days, int32_t minutes) const;
  // The instant local date `days` begins (AtLocal(days, 0), gap rules apply).
  TimePoint StartOfDay(int32_t days) const { return AtLocal(days, 0); }

 private:
  TimeZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}
  const date::time_zone* zone_ = nullptr;  // null: UTC
  std::string name_;
};

// Calendar periods of `this day|week|month|year`.
enum class CalendarPeriod : uint8_t { kDay, kWeek, kMonth, kYear };

// The instant the calendar period containing `t` began, in `zone`
// (local midnight of the day, of that week's Monday, of the 1st, of 1 January).
TimePoint PeriodStart(const TimeZone& zone, TimePoint t, CalendarPeriod period);

// The first instant strictly after `after` that is `minutes` past local
// midnight (`every day at HH:MM`).
TimePoint NextDailyAt(const TimeZone& zone, TimePoint after, int32_t minutes);
// The same on a given weekday (0 = Sunday .. 6 = Saturday): `every monday at`.
TimePoint NextWeekdayAt(const TimeZone& zone, TimePoint after, int32_t weekday, int32_t minutes);

// Date triggers (language.md "Date triggers"): the first moment strictly
// after `after` that is local date `date` (days since the epoch) moved by
// `offset` (negative: before), at `minutes` past midnight. The offset's whole
// days move the calendar date; any remainder is added to the instant. With
// `yearly`, `date`'s month and day recur every year (29 February counts as 28
// February in common years, and the offset counts from that day) and the
// result is the first such moment after `after`; without it, nullopt when
// the one moment is not after `after`.
std::optional<TimePoint> NextDateOccurrence(const TimeZone& zone, int32_t date, Duration offset, bool yearly,
                                            int32_t minutes, TimePoint after);

// Quiet hours (`between HH:MM and HH:MM`): whether `t`'s local time of day is
// in [from, to) (minutes after midnight; the window wraps midnight when
// to < from; from == to means always open).
bool InDailyWindow(const TimeZone& zone, TimePoint t, int32_t from_minutes, int32_t to_minutes);
// `t` itself when it is inside the window, else the first instant after `t`
// at which the window opens (local `from` on the same or the next day).
TimePoint NextWindowOpening(const TimeZone& zone, TimePoint t, int32_t from_minutes, int32_t to_minutes);

}  // namespace patron
