#include <catch2/catch.hpp>

#include "base/time.hpp"
#include "base/timezone.hpp"

using namespace patron;

namespace {

TimePoint At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  REQUIRE(t.has_value());
  return *t;
}

int32_t Day(const char* date) {
  auto d = ParseDate(date);
  REQUIRE(d.has_value());
  return *d;
}

TimeZone Zone(const char* name) {
  auto zone = TimeZone::Load(name);
  REQUIRE(zone.ok());
  return *zone;
}

constexpr int32_t Hm(int32_t h, int32_t m) { return h * 60 + m; }

}  // namespace

TEST_CASE("time zones load by IANA name, unknown names are errors") {
  CHECK(Zone("Asia/Shanghai").name() == "Asia/Shanghai");
  CHECK(Zone("UTC").name() == "UTC");
  CHECK(TimeZone::Utc().name() == "UTC");
  for (const char* bad :
       {"Mars/Olympus", "", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "asia/shanghai"}) {
    auto zone = TimeZone::Load(bad);
    REQUIRE_FALSE(zone.ok());
    CHECK(zone.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(zone.status().message(), Catch::Contains("'" + std::string(bad) + "'"));
  }
}

TEST_CASE("Shanghai is UTC+8 all year") {
  TimeZone sh = Zone("Asia/Shanghai");
  LocalTime l = sh.ToLocal(At("2026-03-31T23:30:00Z"));
  CHECK(l.days == Day("2026-04-01"));
  CHECK(l.since_midnight == 7 * kMicrosPerHour + 30 * kMicrosPerMinute);
  l = sh.ToLocal(At("2026-07-01T12:00:00.000001Z"));
  CHECK(l.days == Day("2026-07-01"));
  CHECK(l.since_midnight == 20 * kMicrosPerHour + 1);
  CHECK(sh.AtLocal(Day("2026-04-01"), Hm(9, 0)) == At("2026-04-01T01:00:00Z"));
  CHECK(sh.StartOfDay(Day("2026-01-01")) == At("2025-12-31T16:00:00Z"));
}

TEST_CASE("UTC needs no tzdata and handles times before 1970") {
  TimeZone utc = TimeZone::Utc();
  LocalTime l = utc.ToLocal(-1);
  CHECK(l.days == -1);
  CHECK(l.since_midnight == kMicrosPerDay - 1);
  CHECK(utc.AtLocal(Day("1969-12-31"), Hm(23, 59)) == At("1969-12-31T23:59:00Z"));
  CHECK(utc.AtLocal(Day("2026-03-08"), Hm(2, 30)) == At("2026-03-08T02:30:00Z"));
}

TEST_CASE("New York: a gap means its end, a repeated hour the earlier instant") {
  TimeZone ny = Zone("America/New_York");
  // 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
  CHECK(ny.AtLocal(Day("2026-03-08"), Hm(1, 59)) == At("2026-03-08T06:59:00Z"));
  CHECK(ny.AtLocal(Day("2026-03-08"), Hm(2, 0)) == At("2026-03-08T07:00:00Z"));
  CHECK(ny.AtLocal(Day("2026-03-08"), Hm(2, 30)) == At("2026-03-08T07:00:00Z"));
  CHECK(ny.AtLocal(Day("2026-03-08"), Hm(3, 0)) == At("2026-03-08T07:00:00Z"));
  CHECK(ny.AtLocal(Day("2026-03-08"), Hm(3, 1)) == At("2026-03-08T07:01:00Z"));
  CHECK(ny.StartOfDay(Day("2026-03-08")) == At("2026-03-08T05:00:00Z"));
  CHECK(ny.StartOfDay(Day("2026-03-09")) == At("2026-03-09T04:00:00Z"));
  // 2026-11-01: 02:00 EDT goes back to 01:00 EST (06:00Z); 01:00..01:59 happen twice.
  CHECK(ny.AtLocal(Day("2026-11-01"), Hm(0, 59)) == At("2026-11-01T04:59:00Z"));
  CHECK(ny.AtLocal(Day("2026-11-01"), Hm(1, 0)) == At("2026-11-01T05:00:00Z"));
  CHECK(ny.AtLocal(Day("2026-11-01"), Hm(1, 30)) == At("2026-11-01T05:30:00Z"));
  CHECK(ny.AtLocal(Day("2026-11-01"), Hm(2, 0)) == At("2026-11-01T07:00:00Z"));
  // Both 01:30s read as 01:30 local on 1 November.
  for (const char* t : {"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"}) {
    LocalTime l = ny.ToLocal(At(t));
    CHECK(l.days == Day("2026-11-01"));
    CHECK(l.since_midnight == 90 * kMicrosPerMinute);
  }
  LocalTime l = ny.ToLocal(At("2026-03-08T07:00:00Z"));
  CHECK(l.since_midnight == 3 * kMicrosPerHour);
}

TEST_CASE("Berlin: gap and repeated hour") {
  TimeZone berlin = Zone("Europe/Berlin");
  // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z).
  CHECK(berlin.AtLocal(Day("2026-03-29"), Hm(1, 59)) == At("2026-03-29T00:59:00Z"));
  CHECK(berlin.AtLocal(Day("2026-03-29"), Hm(2, 30)) == At("2026-03-29T01:00:00Z"));
  CHECK(berlin.AtLocal(Day("2026-03-29"), Hm(3, 0)) == At("2026-03-29T01:00:00Z"));
  // 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00Z); 02:00..02:59 happen twice.
  CHECK(berlin.AtLocal(Day("2026-10-25"), Hm(2, 30)) == At("2026-10-25T00:30:00Z"));
  CHECK(berlin.AtLocal(Day("2026-10-25"), Hm(3, 0)) == At("2026-10-25T02:00:00Z"));
  CHECK(berlin.ToLocal(At("2026-10-25T01:30:00Z")).since_midnight == 150 * kMicrosPerMinute);
}

TEST_CASE("PeriodStart: day, week from Monday, month, year") {
  TimeZone sh = Zone("Asia/Shanghai");
  const TimePoint wed = At("2026-03-04T10:00:00+08:00");
  CHECK(PeriodStart(sh, wed, CalendarPeriod::kDay) == At("2026-03-04T00:00:00+08:00"));
  CHECK(PeriodStart(sh, wed, CalendarPeriod::kWeek) == At("2026-03-02T00:00:00+08:00"));
  CHECK(PeriodStart(sh, wed, CalendarPeriod::kMonth) == At("2026-03-01T00:00:00+08:00"));
  CHECK(PeriodStart(sh, wed, CalendarPeriod::kYear) == At("2026-01-01T00:00:00+08:00"));
  // Local midnight, not UTC midnight: 16:00Z is already the next local day.
  CHECK(PeriodStart(sh, At("2026-03-01T16:00:00Z"), CalendarPeriod::kDay) == At("2026-03-02T00:00:00+08:00"));
  CHECK(PeriodStart(sh, At("2026-03-01T15:59:59Z"), CalendarPeriod::kDay) == At("2026-03-01T00:00:00+08:00"));
  // A Sunday belongs to the week that began the Monday before, here in February.
  CHECK(PeriodStart(sh, At("2026-03-01T23:59:59+08:00"), CalendarPeriod::kWeek) ==
        At("2026-02-23T00:00:00+08:00"));
  CHECK(PeriodStart(sh, At("2026-03-02T00:00:00+08:00"), CalendarPeriod::kWeek) ==
        At("2026-03-02T00:00:00+08:00"));
  // Friday 2 January 2026: the week began Monday 29 December 2025.
  CHECK(PeriodStart(sh, At("2026-01-02T08:00:00+08:00"), CalendarPeriod::kWeek) ==
        At("2025-12-29T00:00:00+08:00"));
  CHECK(PeriodStart(sh, At("2026-01-01T00:00:00+08:00"), CalendarPeriod::kYear) ==
        At("2026-01-01T00:00:00+08:00"));
  CHECK(PeriodStart(sh, At("2025-12-31T23:59:59+08:00"), CalendarPeriod::kYear) ==
        At("2025-01-01T00:00:00+08:00"));
  // Before 1970 (Wednesday 31 December 1969, UTC).
  CHECK(PeriodStart(TimeZone::Utc(), At("1969-12-31T12:00:00Z"), CalendarPeriod::kWeek) ==
        At("1969-12-29T00:00:00Z"));
}

TEST_CASE("PeriodStart across daylight-saving changes") {
  TimeZone ny = Zone("America/New_York");
  // Sunday 8 March (EDT since 03:00): the week began Monday 2 March, in EST.
  CHECK(PeriodStart(ny, At("2026-03-08T12:00:00-04:00"), CalendarPeriod::kWeek) ==
        At("2026-03-02T00:00:00-05:00"));
  CHECK(PeriodStart(ny, At("2026-03-20T12:00:00-04:00"), CalendarPeriod::kMonth) ==
        At("2026-03-01T00:00:00-05:00"));
  CHECK(PeriodStart(ny, At("2026-07-01T12:00:00-04:00"), CalendarPeriod::kYear) ==
        At("2026-01-01T00:00:00-05:00"));
  // 1 November is 25 hours long; its last hour still belongs to it.
  CHECK(PeriodStart(ny, At("2026-11-01T23:59:00-05:00"), CalendarPeriod::kDay) ==
        At("2026-11-01T00:00:00-04:00"));
  CHECK(PeriodStart(ny, At("2026-11-02T00:00:00-05:00"), CalendarPeriod::kDay) ==
        At("2026-11-02T00:00:00-05:00"));
}

TEST_CASE("NextDailyAt is strictly after") {
  TimeZone sh = Zone("Asia/Shanghai");
  const TimePoint nine = At("2026-03-04T09:00:00+08:00");
  CHECK(NextDailyAt(sh, nine - 1, Hm(9, 0)) == nine);
  CHECK(NextDailyAt(sh, nine, Hm(9, 0)) == At("2026-03-05T09:00:00+08:00"));
  CHECK(NextDailyAt(sh, At("2026-03-04T23:30:00+08:00"), Hm(9, 0)) == At("2026-03-05T09:00:00+08:00"));
  CHECK(NextDailyAt(sh, At("2026-12-31T23:30:00+08:00"), Hm(0, 0)) == At("2027-01-01T00:00:00+08:00"));

  TimeZone ny = Zone("America/New_York");
  // 02:30 does not exist on 8 March: it fires at 03:00 EDT, then 02:30 EDT the next day.
  const TimePoint gap = NextDailyAt(ny, At("2026-03-08T00:00:00-05:00"), Hm(2, 30));
  CHECK(gap == At("2026-03-08T03:00:00-04:00"));
  CHECK(NextDailyAt(ny, gap, Hm(2, 30)) == At("2026-03-09T02:30:00-04:00"));
  // 01:30 happens twice on 1 November: it fires once, at the first.
  const TimePoint first = NextDailyAt(ny, At("2026-11-01T00:00:00-04:00"), Hm(1, 30));
  CHECK(first == At("2026-11-01T01:30:00-04:00"));
  CHECK(NextDailyAt(ny, first, Hm(1, 30)) == At("2026-11-02T01:30:00-05:00"));
  CHECK(NextDailyAt(ny, At("2026-11-01T01:30:00-05:00"), Hm(1, 30)) == At("2026-11-02T01:30:00-05:00"));
}

TEST_CASE("NextWeekdayAt") {
  TimeZone sh = Zone("Asia/Shanghai");
  const TimePoint wednesday = At("2026-03-04T10:00:00+08:00");
  CHECK(NextWeekdayAt(sh, wednesday, 1, Hm(9, 0)) == At("2026-03-09T09:00:00+08:00"));
  CHECK(NextWeekdayAt(sh, wednesday, 0, Hm(9, 0)) == At("2026-03-08T09:00:00+08:00"));
  CHECK(NextWeekdayAt(sh, wednesday, 6, Hm(9, 0)) == At("2026-03-07T09:00:00+08:00"));
  // Wednesday itself: later today, else next week.
  CHECK(NextWeekdayAt(sh, wednesday, 3, Hm(11, 0)) == At("2026-03-04T11:00:00+08:00"));
  CHECK(NextWeekdayAt(sh, wednesday, 3, Hm(10, 0)) == At("2026-03-11T10:00:00+08:00"));
  CHECK(NextWeekdayAt(sh, At("2026-03-09T08:59:59+08:00"), 1, Hm(9, 0)) == At("2026-03-09T09:00:00+08:00"));
  CHECK(NextWeekdayAt(sh, At("2026-03-09T09:00:00+08:00"), 1, Hm(9, 0)) == At("2026-03-16T09:00:00+08:00"));
  // Across a year end: Thursday 31 December 2026 to Friday 1 January 2027.
  CHECK(NextWeekdayAt(sh, At("2026-12-31T12:00:00+08:00"), 5, Hm(8, 0)) == At("2027-01-01T08:00:00+08:00"));
}

TEST_CASE("NextDateOccurrence: 29 February birthdays") {
  TimeZone sh = Zone("Asia/Shanghai");
  const int32_t leap_birthday = Day("2000-02-29");
  const int32_t ten = Hm(10, 0);
  CHECK(NextDateOccurrence(sh, leap_birthday, 0, true, ten, At("2026-01-01T00:00:00+08:00")) ==
        At("2026-02-28T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, leap_birthday, 0, true, ten, At("2026-02-28T10:00:00+08:00")) ==
        At("2027-02-28T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, leap_birthday, 0, true, ten, At("2027-03-01T00:00:00+08:00")) ==
        At("2028-02-29T10:00:00+08:00"));
  // Offsets count from 28 February in common years.
  const Duration three_days = 3 * kMicrosPerDay;
  CHECK(NextDateOccurrence(sh, leap_birthday, -three_days, true, ten, At("2026-01-01T00:00:00+08:00")) ==
        At("2026-02-25T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, leap_birthday, -three_days, true, ten, At("2027-12-01T00:00:00+08:00")) ==
        At("2028-02-26T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, leap_birthday, kMicrosPerDay, true, ten, At("2026-01-01T00:00:00+08:00")) ==
        At("2026-03-01T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, leap_birthday, kMicrosPerDay, true, ten, At("2027-12-01T00:00:00+08:00")) ==
        At("2028-03-01T10:00:00+08:00"));
}

TEST_CASE("NextDateOccurrence: offsets across a year end") {
  TimeZone sh = Zone("Asia/Shanghai");
  const int32_t ten = Hm(10, 0);
  // 7 days before a 2 January birthday is 26 December of the year before.
  const int32_t jan2 = Day("1990-01-02");
  const Duration week = 7 * kMicrosPerDay;
  CHECK(NextDateOccurrence(sh, jan2, -week, true, ten, At("2025-12-01T00:00:00+08:00")) ==
        At("2025-12-26T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, jan2, -week, true, ten, At("2025-12-27T00:00:00+08:00")) ==
        At("2026-12-26T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, jan2, -week, true, ten, At("2026-01-01T00:00:00+08:00")) ==
        At("2026-12-26T10:00:00+08:00"));
  // 5 days after 30 December is 4 January of the year after.
  const int32_t dec30 = Day("2020-12-30");
  const Duration five_days = 5 * kMicrosPerDay;
  CHECK(NextDateOccurrence(sh, dec30, five_days, true, ten, At("2026-01-01T00:00:00+08:00")) ==
        At("2026-01-04T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, dec30, five_days, true, ten, At("2026-01-05T00:00:00+08:00")) ==
        At("2027-01-04T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, dec30, five_days, true, ten, At("2026-12-31T00:00:00+08:00")) ==
        At("2027-01-04T10:00:00+08:00"));
  // Without yearly, the one moment in 2021.
  CHECK(NextDateOccurrence(sh, dec30, five_days, false, ten, At("2021-01-01T00:00:00+08:00")) ==
        At("2021-01-04T10:00:00+08:00"));
  // Offsets far larger than a year still find the next moment.
  CHECK(NextDateOccurrence(sh, dec30, 400 * kMicrosPerDay, true, ten, At("2026-01-01T00:00:00+08:00")) ==
        At("2026-02-03T10:00:00+08:00"));
}

TEST_CASE("NextDateOccurrence: yearly or once, 0 days, remainders") {
  TimeZone sh = Zone("Asia/Shanghai");
  const int32_t ten = Hm(10, 0);
  const int32_t may1 = Day("2026-05-01");
  const TimePoint moment = At("2026-05-01T10:00:00+08:00");
  CHECK(NextDateOccurrence(sh, may1, 0, false, ten, At("2026-04-30T00:00:00+08:00")) == moment);
  CHECK(NextDateOccurrence(sh, may1, 0, false, ten, moment - 1) == moment);
  CHECK_FALSE(NextDateOccurrence(sh, may1, 0, false, ten, moment).has_value());
  CHECK_FALSE(NextDateOccurrence(sh, may1, 0, false, ten, At("2027-01-01T00:00:00+08:00")).has_value());
  CHECK(NextDateOccurrence(sh, may1, 0, true, ten, moment) == At("2027-05-01T10:00:00+08:00"));
  // A yearly date in the future recurs from the current year on.
  CHECK(NextDateOccurrence(sh, Day("2030-06-15"), 0, true, ten, At("2026-01-01T00:00:00+08:00")) ==
        At("2026-06-15T10:00:00+08:00"));
  // `0 days after` on the day itself, before and at the time.
  const int32_t june15 = Day("1990-06-15");
  CHECK(NextDateOccurrence(sh, june15, 0, true, ten, At("2026-06-15T09:00:00+08:00")) ==
        At("2026-06-15T10:00:00+08:00"));
  CHECK(NextDateOccurrence(sh, june15, 0, true, ten, At("2026-06-15T10:00:00+08:00")) ==
        At("2027-06-15T10:00:00+08:00"));
  // 36 hours before: one calendar day earlier at 10:00, then 12 hours earlier.
  const Duration d36h = -(kMicrosPerDay + 12 * kMicrosPerHour);
  CHECK(NextDateOccurrence(sh, Day("2026-05-10"), d36h, false, ten, At("2026-05-01T00:00:00+08:00")) ==
        At("2026-05-08T22:00:00+08:00"));
  // 2 hours after: the same day at 12:00.
  CHECK(NextDateOccurrence(sh, Day("2026-05-10"), 2 * kMicrosPerHour, false, ten,
                           At("2026-05-01T00:00:00+08:00")) == At("2026-05-10T12:00:00+08:00"));
  // The whole days move the local date: 1 day before 9 March in New York at
  // 02:30 is the gap of 8 March, so 03:00 EDT.
  TimeZone ny = Zone("America/New_York");
  CHECK(NextDateOccurrence(ny, Day("2026-03-09"), -kMicrosPerDay, false, Hm(2, 30),
                           At("2026-01-01T00:00:00Z")) == At("2026-03-08T03:00:00-04:00"));
  CHECK(NextDateOccurrence(ny, Day("2026-03-09"), -kMicrosPerDay, false, Hm(12, 0),
                           At("2026-01-01T00:00:00Z")) == At("2026-03-08T12:00:00-04:00"));
}

TEST_CASE("daily windows: from included, to excluded, wrapping midnight") {
  TimeZone sh = Zone("Asia/Shanghai");
  const int32_t from = Hm(22, 0);
  const int32_t to = Hm(2, 0);
  CHECK(InDailyWindow(sh, At("2026-03-04T22:00:00+08:00"), from, to));
  CHECK(InDailyWindow(sh, At("2026-03-04T23:00:00+08:00"), from, to));
  CHECK(InDailyWindow(sh, At("2026-03-05T00:00:00+08:00"), from, to));
  CHECK(InDailyWindow(sh, At("2026-03-05T01:59:59.999999+08:00"), from, to));
  CHECK_FALSE(InDailyWindow(sh, At("2026-03-05T02:00:00+08:00"), from, to));
  CHECK_FALSE(InDailyWindow(sh, At("2026-03-04T21:59:59.999999+08:00"), from, to));
  CHECK_FALSE(InDailyWindow(sh, At("2026-03-04T12:00:00+08:00"), from, to));

  const TimePoint inside = At("2026-03-04T23:00:00+08:00");
  CHECK(NextWindowOpening(sh, inside, from, to) == inside);
  CHECK(NextWindowOpening(sh, At("2026-03-05T01:00:00+08:00"), from, to) == At("2026-03-05T01:00:00+08:00"));
  CHECK(NextWindowOpening(sh, At("2026-03-05T02:00:00+08:00"), from, to) == At("2026-03-05T22:00:00+08:00"));
  CHECK(NextWindowOpening(sh, At("2026-03-04T12:00:00+08:00"), from, to) == At("2026-03-04T22:00:00+08:00"));
  CHECK(NextWindowOpening(sh, At("2026-03-04T22:00:00+08:00"), from, to) == At("2026-03-04T22:00:00+08:00"));

  // Not wrapping: 09:00-21:00.
  CHECK(InDailyWindow(sh, At("2026-03-04T09:00:00+08:00"), Hm(9, 0), Hm(21, 0)));
  CHECK_FALSE(InDailyWindow(sh, At("2026-03-04T21:00:00+08:00"), Hm(9, 0), Hm(21, 0)));
  CHECK(NextWindowOpening(sh, At("2026-03-04T21:00:00+08:00"), Hm(9, 0), Hm(21, 0)) ==
        At("2026-03-05T09:00:00+08:00"));
  CHECK(NextWindowOpening(sh, At("2026-03-04T08:00:00+08:00"), Hm(9, 0), Hm(21, 0)) ==
        At("2026-03-04T09:00:00+08:00"));

  // from == to: always open.
  CHECK(InDailyWindow(sh, At("2026-03-04T03:00:00+08:00"), Hm(8, 0), Hm(8, 0)));
  CHECK(NextWindowOpening(sh, At("2026-03-04T03:00:00+08:00"), Hm(8, 0), Hm(8, 0)) ==
        At("2026-03-04T03:00:00+08:00"));
}

TEST_CASE("daily windows across daylight-saving changes") {
  TimeZone ny = Zone("America/New_York");
  // 01:00-03:00 on 8 March is one real hour long (01:00 EST to 03:00 EDT).
  CHECK(InDailyWindow(ny, At("2026-03-08T01:59:00-05:00"), Hm(1, 0), Hm(3, 0)));
  CHECK_FALSE(InDailyWindow(ny, At("2026-03-08T03:00:00-04:00"), Hm(1, 0), Hm(3, 0)));
  // A window opening inside the gap opens at its end.
  CHECK(NextWindowOpening(ny, At("2026-03-08T01:00:00-05:00"), Hm(2, 30), Hm(4, 0)) ==
        At("2026-03-08T03:00:00-04:00"));
  // On 1 November the window opening at 01:00 opens once, at the first 01:00.
  CHECK(NextWindowOpening(ny, At("2026-11-01T00:30:00-04:00"), Hm(1, 0), Hm(1, 30)) ==
        At("2026-11-01T01:00:00-04:00"));
  // The repeated 01:15 (EST) is inside it again: local time of day decides.
  CHECK(InDailyWindow(ny, At("2026-11-01T01:15:00-05:00"), Hm(1, 0), Hm(1, 30)));
}
