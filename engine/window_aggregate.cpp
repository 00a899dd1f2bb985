// Windowed aggregates: one pass over the entries inside the window ending at
// the event's time gives count, sum, min and max; the event's own value then
// gives the "after" side without a second pass. Entries are kept in time order
// in RuleState::window (ties in arrival order), so the window is a contiguous
// range and expired entries are a prefix, erased in place (the vector keeps
// its capacity: no allocation in the steady state).

#include "engine/window_aggregate.hpp"

#include <algorithm>
#include <optional>

namespace patron {
namespace {

// The aggregate over a range of entries, with the event's value added or not.
struct Totals {
  int64_t count = 0;
  Decimal sum;
  std::optional<Decimal> min;
  std::optional<Decimal> max;

  void Add(const Decimal& x) {
    count += 1;
    sum += x;
    min = min ? std::min(*min, x) : x;
    max = max ? std::max(*max, x) : x;
  }
};

bool Holds(Decimal value, dsl::CompareOp op, Decimal threshold) {
  switch (op) {
    case dsl::CompareOp::kEq:
      return value == threshold;
    case dsl::CompareOp::kNe:
      return value != threshold;
    case dsl::CompareOp::kLt:
      return value < threshold;
    case dsl::CompareOp::kLe:
      return value <= threshold;
    case dsl::CompareOp::kGt:
      return value > threshold;
    case dsl::CompareOp::kGe:
      return value >= threshold;
  }
  return false;
}

// Null (an empty window's avg, min or max) compares false with anything.
bool Holds(const std::optional<Decimal>& value, dsl::CompareOp op, Decimal threshold) {
  return value.has_value() && Holds(*value, op, threshold);
}

bool Compare(const Totals& totals, dsl::Aggregate aggregate, dsl::CompareOp op, Decimal threshold) {
  switch (aggregate) {
    case dsl::Aggregate::kCount:
      return Holds(Decimal::FromInt(totals.count), op, threshold);
    case dsl::Aggregate::kSum:
      return Holds(totals.sum, op, threshold);
    case dsl::Aggregate::kAvg:
      if (totals.count == 0) return false;
      return Holds(Decimal::Divide(totals.sum, Decimal::FromInt(totals.count)), op, threshold);
    case dsl::Aggregate::kMin:
      return Holds(totals.min, op, threshold);
    case dsl::Aggregate::kMax:
      return Holds(totals.max, op, threshold);
  }
  return false;
}

CalendarPeriod PeriodOf(dsl::Window window) {
  switch (window) {
    case dsl::Window::kDay:
      return CalendarPeriod::kDay;
    case dsl::Window::kWeek:
      return CalendarPeriod::kWeek;
    case dsl::Window::kMonth:
      return CalendarPeriod::kMonth;
    default:
      return CalendarPeriod::kYear;
  }
}

// The lower edge of the window that ends at `end`: (end - D, end] for a
// sliding window, [PeriodStart(end), end] for a calendar one. The upper edge
// (time <= end) is the caller's.
struct LowerBound {
  bool sliding = true;
  TimePoint bound = 0;  // sliding: entries must be > bound; calendar: >= bound
  bool TooOld(TimePoint time) const { return sliding ? time <= bound : time < bound; }
};

LowerBound WindowStart(const WindowSpec& spec, TimePoint end) {
  if (spec.window == dsl::Window::kSliding) return LowerBound{true, end - spec.length};
  const CalendarPeriod period = PeriodOf(spec.window);
  if (spec.zone != nullptr) return LowerBound{false, PeriodStart(*spec.zone, end, period)};
  return LowerBound{false, PeriodStart(TimeZone::Utc(), end, period)};
}

// Drops the entries no window at or after the latest time seen (the newest
// entry's, or `t`) can hold: a prefix, since sorted. Returns that horizon.
LowerBound DropExpired(std::vector<RuleState::WindowEntry>& window, const WindowSpec& spec, TimePoint t,
                       TimePoint& latest) {
  // The newest entry is never dropped, so it remembers the latest time seen.
  latest = window.empty() ? t : std::max(window.back().time, t);
  const LowerBound horizon = WindowStart(spec, latest);
  auto keep = std::find_if(window.begin(), window.end(),
                           [&](const RuleState::WindowEntry& e) { return !horizon.TooOld(e.time); });
  window.erase(window.begin(), keep);
  return horizon;
}

// The totals of the entries inside the window ending at `t` (entries after
// its start, at or before t); `end` is set to the first entry after t.
Totals TotalsAt(const std::vector<RuleState::WindowEntry>& window, const LowerBound& start, TimePoint t,
                std::vector<RuleState::WindowEntry>::const_iterator& end) {
  end = std::upper_bound(window.begin(), window.end(), t,
                         [](TimePoint time, const RuleState::WindowEntry& e) { return time < e.time; });
  Totals totals;
  for (auto it = end; it != window.begin();) {
    --it;
    if (start.TooOld(it->time)) break;
    totals.Add(it->value);
  }
  return totals;
}

}  // namespace

EdgeVerdict StepWindowedAggregate(RuleState& state, const WindowSpec& spec, dsl::Aggregate aggregate,
                                  dsl::CompareOp compare, const Decimal& threshold, TimePoint t,
                                  const Decimal& x) {
  std::vector<RuleState::WindowEntry>& window = state.window;
  TimePoint latest = t;
  const LowerBound horizon = DropExpired(window, spec, t, latest);

  // The window ending at t: entries after its start, at or before t (earlier
  // events of the same time included). For an in-order event that is every
  // entry kept; for a late one, the range ends where later entries begin.
  const LowerBound start = latest == t ? horizon : WindowStart(spec, t);
  std::vector<RuleState::WindowEntry>::const_iterator end;
  Totals totals = TotalsAt(window, start, t, end);

  const Decimal value = aggregate == dsl::Aggregate::kCount ? Decimal() : x;
  EdgeVerdict verdict;
  verdict.before = Compare(totals, aggregate, compare, threshold);
  totals.Add(value);
  verdict.after = Compare(totals, aggregate, compare, threshold);

  // A late event already outside every future window is not kept.
  if (!horizon.TooOld(t)) window.insert(end, RuleState::WindowEntry{t, value});
  return verdict;
}

void AddWindowEntry(RuleState& state, const WindowSpec& spec, TimePoint t, const Decimal& x) {
  std::vector<RuleState::WindowEntry>& window = state.window;
  TimePoint latest = t;
  const LowerBound horizon = DropExpired(window, spec, t, latest);
  if (horizon.TooOld(t)) return;  // a late entry already outside every future window
  auto end = std::upper_bound(window.begin(), window.end(), t,
                              [](TimePoint time, const RuleState::WindowEntry& e) { return time < e.time; });
  window.insert(end, RuleState::WindowEntry{t, x});
}

std::optional<Decimal> AggregateValue(dsl::Aggregate aggregate, int64_t count, const Decimal& sum,
                                      const std::optional<Decimal>& min, const std::optional<Decimal>& max) {
  switch (aggregate) {
    case dsl::Aggregate::kCount:
      return Decimal::FromInt(count);
    case dsl::Aggregate::kSum:
      return sum;
    case dsl::Aggregate::kAvg:
      if (count == 0) return std::nullopt;
      return Decimal::Divide(sum, Decimal::FromInt(count));
    case dsl::Aggregate::kMin:
      return min;
    case dsl::Aggregate::kMax:
      return max;
  }
  return std::nullopt;
}

std::optional<Decimal> WindowAggregateAt(const RuleState& state, const WindowSpec& spec, dsl::Aggregate aggregate,
                                         TimePoint t) {
  std::vector<RuleState::WindowEntry>::const_iterator end;
  const Totals totals = TotalsAt(state.window, WindowStart(spec, t), t, end);
  return AggregateValue(aggregate, totals.count, totals.sum, totals.min, totals.max);
}

}  // namespace patron
