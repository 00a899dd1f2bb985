#pragma once
// NATS NKeys (ed25519 keys in NATS' text form: base32 of a type prefix, the
// key and a CRC16): what `patron` needs to authenticate with an NKey seed,
// and what the tests need to make operators, accounts and users. Pure
// functions, thread-safe. A seed is a secret: these functions never put it
// in an error message.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace patron {

// The kinds of key that Patron and its tests use (nkeys' prefix bytes).
enum class NkeyType : uint8_t {
  kOperator,  // public keys "O...", seeds "SO..."
  kAccount,   // "A...", "SA..."
  kUser,      // "U...", "SU..."
};

// The encoded seed ("SU...") of a raw 32-byte ed25519 seed.
std::string NkeyEncodeSeed(NkeyType type, const std::array<uint8_t, 32>& raw_seed);

// The public key ("U...") of an encoded seed ("SU...", surrounding
// whitespace ignored). kInvalidArgument when it is not a seed of one of the
// types above (bad base32, bad checksum, not a seed).
Result<std::string> NkeyPublicKey(std::string_view seed);

}  // namespace patron
