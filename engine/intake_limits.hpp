#pragma once
// IntakeLimits: what the engine accepts at the door and how big what it
// writes may get (docs/architecture.md "Bad input at the door"), a member of
// EngineOptions. Plain values; 0 never means "no limit".

#include <cstddef>
#include <cstdint>

#include "base/time.hpp"

namespace patron {

// A message breaking one of these goes to the dead letters with a reason
// naming the limit; a text over its limit is cut.
struct IntakeLimits {
  // A message larger than this is rejected before it is parsed.
  size_t max_event_bytes = size_t{1} << 20;
  // JSON nested deeper than this (objects and arrays) is rejected; the
  // parser keeps its own stack, so any depth is safe to reject.
  size_t max_json_depth = 64;
  // `id`, `source` and each identifier of data.customer: at most this many bytes.
  size_t max_identifier_bytes = 256;
  // An event time later than the reference plus this is rejected. The
  // reference is the later of the clock's Now() and `time_reference`.
  Duration max_future_skew = 365 * kMicrosPerDay;
  // The earliest "now" the skew counts from: `patron replay` sets it to the
  // wall clock when it starts (its event-time clock knows no time before the
  // first event); INT64_MIN = only the clock.
  TimePoint time_reference = INT64_MIN;
  // An event time before this is rejected (default 2000-01-01T00:00:00Z).
  TimePoint earliest_event_time = 946'684'800 * kMicrosPerSecond;
  // A dead letter carries the rejected message cut so that its rendered
  // (escaped or base64) form is at most this many bytes.
  size_t max_dead_message_bytes = size_t{64} << 10;
  // A ticket title or reminder text longer than this after rendering is cut
  // at a UTF-8 boundary and ends with "…" (the whole is at most this long).
  size_t max_text_bytes = size_t{4} << 10;
};

}  // namespace patron
