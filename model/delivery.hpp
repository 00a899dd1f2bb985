#pragma once
// Where a message came from, carried with it from the intake through the
// engine to its dead letter, and back to the intake when its batch is
// committed (an acknowledgement, for a durable intake). So a line number or
// an ack travels with the event instead of beside it. Plain data.

#include <cstdint>
#include <string>

namespace patron {

struct DeliveryToken {
  enum class Kind : uint8_t {
    kNone,      // nothing to report or acknowledge (tests, emitted events)
    kLine,      // `value` is the 1-based line of an input file (replay)
    kSequence,  // `value` is the intake's own delivery sequence (live intakes)
  };
  Kind kind = Kind::kNone;
  uint64_t value = 0;

  static DeliveryToken Line(uint64_t line) { return {Kind::kLine, line}; }
  static DeliveryToken Sequence(uint64_t seq) { return {Kind::kSequence, seq}; }
  friend bool operator==(const DeliveryToken&, const DeliveryToken&) = default;
};

// One message as an intake received it: its subject ("" for a file line),
// its bytes, and its token.
struct InboundMessage {
  std::string subject;
  std::string payload;
  DeliveryToken token;
  // Non-empty: the intake refuses this message without evaluating it (it was
  // delivered max_deliver times); the engine dead-letters it with this reason.
  std::string refused;
};

}  // namespace patron
