#pragma once
// NKeys and JWTs for tests, made at test time: random seeds
// (transport/nkey.hpp encodes them) and nats-server's decentralised auth
// (an operator, an account, users in .creds files) for a server in operator
// mode with a MEMORY resolver. Signatures are ed25519 (OpenSSL's libcrypto).

#include <array>
#include <cstdint>
#include <string>

#include "transport/nkey.hpp"

namespace patron::testing {

struct NkeyPair {
  std::string seed;        // "SU..."
  std::string public_key;  // "U..."
  std::array<uint8_t, 32> raw_seed{};
};

// A new random key of `type`.
NkeyPair MakeNkey(NkeyType type);

// One operator and one account, signed by it.
class JwtAuthority {
 public:
  JwtAuthority();

  // The nats-server configuration lines of operator mode: the operator JWT,
  // `resolver: MEMORY` and the account JWT preloaded.
  std::string ServerConfig() const;
  // The text of a .creds file for a new user of the account, signed by the
  // account; `permissions` is the JSON members of its permissions, e.g.
  // R"("pub":{"deny":["patron.actions.>"]},"sub":{})" (empty = all allowed).
  std::string UserCreds(const std::string& name, const std::string& permissions = {}) const;

 private:
  NkeyPair operator_;
  NkeyPair account_;
  std::string operator_jwt_;
  std::string account_jwt_;
};

}  // namespace patron::testing
