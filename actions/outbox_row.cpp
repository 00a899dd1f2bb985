#include "actions/outbox_row.hpp"

namespace patron {

namespace {

constexpr uint8_t kVersion = 1;

void PutLength(std::string& out, size_t n) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}

bool GetPart(std::string_view& in, std::string& part) {
  if (in.size() < 4) return false;
  size_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<size_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  in.remove_prefix(4);
  if (in.size() < n) return false;
  part.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

}  // namespace

void EncodeOutboxRow(const OutboxMessage& m, std::string& out) {
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(m.target));
  PutLength(out, m.id.size());
  out += m.id;
  PutLength(out, m.address.size());
  out += m.address;
  out += m.payload;
}

bool DecodeOutboxRow(std::string_view row, OutboxMessage& m) {
  if (row.size() < 2 || static_cast<uint8_t>(row[0]) != kVersion) return false;
  const auto target = static_cast<uint8_t>(row[1]);
  if (target != static_cast<uint8_t>(OutboxTarget::kNats) && target != static_cast<uint8_t>(OutboxTarget::kWebhook))
    return false;
  m.target = static_cast<OutboxTarget>(target);
  row.remove_prefix(2);
  if (!GetPart(row, m.id) || !GetPart(row, m.address)) return false;
  m.payload.assign(row);
  return true;
}

}  // namespace patron
