#include "transport/nkey.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace patron {
namespace {

// nkeys' prefix bytes (github.com/nats-io/nkeys, strkey.go).
constexpr uint8_t kPrefixSeed = 18 << 3;
constexpr uint8_t kPrefixOperator = 14 << 3;
constexpr uint8_t kPrefixAccount = 0;
constexpr uint8_t kPrefixUser = 20 << 3;
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

uint8_t PrefixOf(NkeyType type) {
  switch (type) {
    case NkeyType::kOperator:
      return kPrefixOperator;
    case NkeyType::kAccount:
      return kPrefixAccount;
    case NkeyType::kUser:
      return kPrefixUser;
  }
  return kPrefixUser;
}

// CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys' crc16.go.
uint16_t Crc16(const std::vector<uint8_t>& data) {
  uint16_t crc = 0;
  for (uint8_t byte : data) {
    crc ^= static_cast<uint16_t>(byte) << 8;
    for (int i = 0; i < 8; ++i) crc = (crc & 0x8000) != 0 ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : crc << 1;
  }
  return crc;
}

// Appends the little-endian CRC and encodes in unpadded base32.
std::string Encode(std::vector<uint8_t> raw) {
  const uint16_t crc = Crc16(raw);
  raw.push_back(static_cast<uint8_t>(crc & 0xff));
  raw.push_back(static_cast<uint8_t>(crc >> 8));
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : raw) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32[(buffer << (5 - bits)) & 31]);
  return out;
}

// Decodes unpadded base32 and checks and strips the CRC; false when invalid.
bool Decode(std::string_view text, std::vector<uint8_t>& raw) {
  raw.clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const size_t v = kBase32.find(c);
    if (v == std::string_view::npos) return false;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      raw.push_back(static_cast<uint8_t>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  if (raw.size() < 3) return false;
  const uint16_t stored = static_cast<uint16_t>(raw[raw.size() - 2] | (raw[raw.size() - 1] << 8));
  raw.resize(raw.size() - 2);
  return Crc16(raw) == stored;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

}  // namespace

std::string NkeyEncodeSeed(NkeyType type, const std::array<uint8_t, 32>& raw_seed) {
  const uint8_t prefix = PrefixOf(type);
  std::vector<uint8_t> raw;
  raw.push_back(static_cast<uint8_t>(kPrefixSeed | (prefix >> 5)));
  raw.push_back(static_cast<uint8_t>((prefix & 31) << 3));
  raw.insert(raw.end(), raw_seed.begin(), raw_seed.end());
  return Encode(std::move(raw));
}

Result<std::string> NkeyPublicKey(std::string_view seed) {
  std::vector<uint8_t> raw;
  if (!Decode(Trim(seed), raw) || raw.size() != 2 + 32 || (raw[0] & 248) != kPrefixSeed) {
    return Status::Invalid("not an NKey seed (expected the text form \"SU...\" of a user seed)");
  }
  const uint8_t prefix = static_cast<uint8_t>(((raw[0] & 7) << 5) | ((raw[1] & 248) >> 3));
  if (prefix != kPrefixOperator && prefix != kPrefixAccount && prefix != kPrefixUser) {
    return Status::Invalid("NKey seed of an unsupported key type");
  }
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, raw.data() + 2, 32));
  std::fill(raw.begin(), raw.end(), 0);
  std::vector<uint8_t> pub(33);
  size_t pub_size = 32;
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), pub.data() + 1, &pub_size) != 1 || pub_size != 32) {
    return Status::Invalid("cannot derive the public key of the NKey seed");
  }
  pub[0] = prefix;
  return Encode(std::move(pub));
}

}  // namespace patron
