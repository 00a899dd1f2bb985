#pragma once
// Private to transport/: the server's max-deliveries advisory, published on
// $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer> when a
// message was delivered max_deliver times without an ack and the server gives
// up on it (at the redelivery that would have exceeded the limit). Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace patron::transport_internal {

std::string MaxDeliveriesSubject(std::string_view stream, std::string_view consumer);

struct MaxDeliveries {
  uint64_t stream_sequence = 0;
  uint64_t deliveries = 0;
};

// The stream sequence and delivery count of an advisory's JSON
// ({"type":"io.nats.jetstream.advisory.v1.max_deliver", ..., "stream_seq":N,
// "deliveries":M}); nullopt when stream_seq is missing or not a number.
std::optional<MaxDeliveries> ParseMaxDeliveries(std::string_view json);

// "delivered N times without being committed (max_deliver)".
std::string MaxDeliverReason(uint64_t deliveries);

}  // namespace patron::transport_internal
