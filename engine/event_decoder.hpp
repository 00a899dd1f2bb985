#pragma once
// Decodes one message (a CloudEvents 1.0 JSON object, structured mode) into
// an Event, checking what events.md requires: valid JSON, an object,
// specversion "1.0", non-empty string id, source and type, a dotted type, a
// time in RFC 3339 with an offset, data (if present) an object,
// data.customer (if present) an object of string identifiers.
// One decoder per thread; it reuses its parser's memory between calls.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/event.hpp"

namespace patron {

class EventDecoder {
 public:
  EventDecoder();
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Fills `out` from `message`. Returns nullopt on success, or the reason the
  // message is rejected ("not valid JSON at offset 17", "missing 'time'",
  // "time '2026-02-30T10:00:00+08:00' is not RFC 3339 with an offset", ...).
  std::optional<std::string> Decode(std::string_view message, Event& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace patron
