#include "transport/internal/max_deliver_advisory.hpp"

namespace patron::transport_internal {
namespace {

// The unsigned number after "<key>": in `json`, or nullopt.
std::optional<uint64_t> NumberAfter(std::string_view json, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t at = json.find(quoted);
  if (at == std::string_view::npos) return std::nullopt;
  at += quoted.size();
  while (at < json.size() && (json[at] == ' ' || json[at] == ':')) ++at;
  if (at >= json.size() || json[at] < '0' || json[at] > '9') return std::nullopt;
  uint64_t value = 0;
  for (; at < json.size() && json[at] >= '0' && json[at] <= '9'; ++at) value = value * 10 + (json[at] - '0');
  return value;
}

}  // namespace

std::string MaxDeliveriesSubject(std::string_view stream, std::string_view consumer) {
  return "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + std::string(stream) + "." + std::string(consumer);
}

std::optional<MaxDeliveries> ParseMaxDeliveries(std::string_view json) {
  auto seq = NumberAfter(json, "stream_seq");
  if (!seq) return std::nullopt;
  return MaxDeliveries{*seq, NumberAfter(json, "deliveries").value_or(0)};
}

std::string MaxDeliverReason(uint64_t deliveries) {
  return "delivered " + std::to_string(deliveries) + " times without being committed (max_deliver)";
}

}  // namespace patron::transport_internal
