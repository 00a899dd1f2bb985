#include "stores/outcome_codec.hpp"

#include "stores/byte_codec.hpp"

namespace patron {

namespace {

constexpr uint8_t kOutcomeCodecVersion = 1;
constexpr size_t kKindCount = kOutcomeKindNames.size();

}  // namespace

std::string EncodeOutcome(const Outcome& outcome) {
  std::string out;
  out.reserve(16 + outcome.rule.size() + outcome.customer_id.size() + outcome.cause.size() +
              outcome.detail.size());
  out.push_back(static_cast<char>(kOutcomeCodecVersion));
  out.push_back(static_cast<char>(outcome.kind));
  codec::PutBytes(out, outcome.rule);
  codec::PutBytes(out, outcome.customer_id);
  codec::PutSigned(out, outcome.time);
  codec::PutBytes(out, outcome.cause);
  codec::PutBytes(out, outcome.detail);
  return out;
}

Status DecodeOutcome(std::string_view bytes, Outcome& out) {
  codec::ByteReader r(bytes);
  uint8_t version = 0, kind = 0;
  bool ok = r.GetByte(version) && version == kOutcomeCodecVersion && r.GetByte(kind) && kind < kKindCount &&
            r.GetString(out.rule) && r.GetString(out.customer_id) && r.GetSigned(out.time) &&
            r.GetString(out.cause) && r.GetString(out.detail) && r.AtEnd();
  if (!ok) return Status::Corruption("outcome: truncated or malformed bytes");
  out.kind = static_cast<OutcomeKind>(kind);
  return Status::Ok();
}

}  // namespace patron
