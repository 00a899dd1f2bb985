#pragma once
// An action that a firing produced, fully rendered (placeholders filled,
// staff-facing phones masked), ready for a sink to serialise as the
// CloudEvents envelope of events.md "Actions out". Plain data.

#include <cstdint>
#include <optional>
#include <string>

#include "base/decimal.hpp"
#include "base/time.hpp"
#include "model/action_kind.hpp"
#include "model/delivery.hpp"

namespace patron {

struct Action {
  std::string id;          // stable: hash of (rule, customer or key, cause, action index)
  ActionKind kind = ActionKind::kCoupon;
  std::string rule;        // rule name
  TimePoint time = 0;      // when it ran
  // Customer: empty id means "no customer" (data.customer is left out).
  std::string customer_id;
  std::string customer_phone;  // full, or masked for staff-facing kinds
  std::string store;       // "" when unknown (subject suffix "_")
  std::string cause_event;                 // data.cause.event, when there is one
  std::optional<TimePoint> cause_deadline; // data.cause.deadline (absence, schedules)

  // coupon
  std::string code;
  std::optional<Decimal> value;
  std::optional<TimePoint> valid_until;
  // message
  Channel channel = Channel::kSms;
  std::string template_name;
  // ticket / remind
  std::string title;       // ticket
  std::string text;        // remind
  TicketPriority priority = TicketPriority::kNormal;
  std::string role;
  // tag / untag
  std::string tag;
  // set: attr without "customer." ("tier", "attrs.vip_since"); value as JSON text
  std::string attr;
  std::string value_json;
  // points
  Decimal delta;
  Decimal balance;
  // emit
  std::string emit_type;
  // webhook
  std::string endpoint;
};

// A message the engine could not accept, with the reason.
struct DeadLetter {
  std::string message;  // the bytes received, or their first bytes when `message_cut`
  std::string reason;
  std::string subject;  // NATS subject it came from, if any
  DeliveryToken origin;  // the message's token: a replay's input line, a live intake's sequence
  uint64_t message_bytes = 0;   // size of the whole message received
  uint64_t message_hash = 0;    // StableHash({whole message}) (base/stable_hash.hpp)
  bool message_cut = false;     // `message` is only its first bytes (the dead-letter limit)
  bool message_binary = false;  // not valid UTF-8: sinks also write `message` as base64
};

}  // namespace patron
