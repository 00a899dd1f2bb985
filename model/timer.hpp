#pragma once
// Durable timers: everything the engine must do later (absence deadlines,
// open `(not) followed by` A events, waits, actions deferred by `between`,
// date trigger occurrences, schedule broadcasts). A timer is stored by the
// StateStore in the same batch as the state change that armed it, keyed by
// (due, seq) so that the earliest is found in O(log n). `seq` is the arming
// order (StateStore::NextTimerSeq), which breaks ties between timers due at
// the same instant. Plain data.

#include <cstdint>
#include <optional>
#include <string>

#include "base/time.hpp"

namespace patron {

// Position of a timer in the due-ordered index: earlier due first, then
// earlier armed.
struct TimerKey {
  TimePoint due = 0;
  uint64_t seq = 0;
  friend bool operator==(const TimerKey&, const TimerKey&) = default;
  friend auto operator<=>(const TimerKey&, const TimerKey&) = default;
};

enum class TimerKind : uint8_t {
  kAbsence = 0,       // `no ... for`: the silence of `customer_id` ended at `due`
  kSequence = 1,      // an open A of `(not) followed by`: fires (not followed by) or expires (followed by)
  kWait = 2,          // `wait` ended: where, limit, holdout and actions run now
  kDeferred = 3,      // `between`: the actions of a firing run at the window's opening
  kDate = 4,          // a date trigger's occurrence
  kSchedule = 5,      // `every ...` / `on <date>`: a broadcast over every customer, resumable
};

// An event kept inside a timer (the A of a sequence, the cause of a wait or
// a deferred firing), enough to evaluate `event.*` again when it comes due.
struct StoredEvent {
  std::string source;
  std::string id;
  std::string type;
  TimePoint time = 0;
  std::string time_text;
  std::string store;
  std::string data_json;  // the event's `data` object, serialised
};

struct TimerRecord {
  TimerKey key;
  TimerKind kind = TimerKind::kAbsence;
  uint64_t rule_key = 0;           // StableHash({"rule", name}): the rule it belongs to
  std::string customer_id;         // "" when none (a key-correlated sequence keeps it anyway when known)
  std::string correlation;         // kSequence with `on`: the field's value (AppendKey form); kSchedule: broadcast cursor (last customer id done); kDeferred: which actions ("" all)
  std::optional<TimePoint> cause_deadline;  // absence, date and schedule firings: data.cause.deadline
  std::optional<StoredEvent> event;         // the triggering event, when there is one
  std::string limit_key;           // kDeferred: the `limit per <path>` key of the firing (action ids)
  TimePoint fired_at = 0;          // kDeferred: the firing's time (before the deferral)
};

}  // namespace patron
