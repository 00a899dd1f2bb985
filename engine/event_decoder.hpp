#pragma once
// Decodes one message (a CloudEvents 1.0 JSON object, structured mode) into
// an Event, checking what events.md requires: valid JSON, an object,
// specversion "1.0", non-empty string id, source and type, a dotted type, a
// time in RFC 3339 with an offset, data (if present) an object,
// data.customer (if present) an object of string identifiers; and the limits
// of IntakeLimits that need no clock (size, nesting, repeated keys, numbers
// out of range, identifier lengths, leap seconds; docs/architecture.md "Bad
// input at the door"). One decoder per thread; it reuses its parser's memory
// between calls.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/intake_limits.hpp"
#include "model/event.hpp"

namespace patron {

class EventDecoder {
 public:
  // Uses max_event_bytes, max_json_depth and max_identifier_bytes of `limits`.
  explicit EventDecoder(const IntakeLimits& limits = {});
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Fills `out` from `message`. Returns nullopt on success, or the reason the
  // message is rejected ("not valid JSON at offset 17", "missing 'time'",
  // "time '2026-02-30T10:00:00+08:00' is not RFC 3339 with an offset",
  // "event is 2000000 bytes, over the limit of 1048576", ...).
  std::optional<std::string> Decode(std::string_view message, Event& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace patron
