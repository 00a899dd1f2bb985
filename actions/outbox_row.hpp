#pragma once
// The bytes of one durable outbox row (engine/outbox_writer.hpp): where it
// goes and what is sent. Written by OutboxEncoder on the engine's thread,
// read back by OutboxDelivery on its own, and at the next start. Pure.
//
// Layout (version 1): u8 version, u8 target, u32le id length, id, u32le
// address length, address, payload (the rest).

#include <cstdint>
#include <string>
#include <string_view>

namespace patron {

enum class OutboxTarget : uint8_t {
  kNats = 1,     // address: the subject; published to JetStream (or core NATS)
  kWebhook = 2,  // address: the endpoint's name; POSTed with Idempotency-Key = id
};

struct OutboxMessage {
  OutboxTarget target = OutboxTarget::kNats;
  std::string id;       // the action id (Nats-Msg-Id, Idempotency-Key); a dead letter's own id
  std::string address;  // subject or endpoint name
  std::string payload;  // the JSON sent
};

// Appends the row of `m` to `out`.
void EncodeOutboxRow(const OutboxMessage& m, std::string& out);
// Reads a row; false when `row` is not one (truncated, unknown version or target).
bool DecodeOutboxRow(std::string_view row, OutboxMessage& m);

}  // namespace patron
