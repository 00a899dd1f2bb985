#include "tests/support/nats_jwt.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>

namespace patron::testing {
namespace {

// Unpadded base64url (RFC 4648 section 5), three bytes to four characters.
std::string Base64Url(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (size_t i = 0; i < size; i += 3) {
    const size_t n = std::min<size_t>(3, size - i);
    uint32_t group = static_cast<uint32_t>(data[i]) << 16;
    if (n > 1) group |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (n > 2) group |= data[i + 2];
    for (size_t k = 0; k <= n; ++k) out.push_back(kAlphabet[(group >> (18 - 6 * k)) & 63]);
  }
  return out;
}

std::string Base64Url(const std::string& text) {
  return Base64Url(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

// "<header>.<claims>.<signature>" with `claims` (a JSON object's members
// after iss, sub and name) signed by `issuer`.
std::string SignJwt(const NkeyPair& issuer, const std::string& subject, const std::string& name,
                    const std::string& nats_claims) {
  static int counter = 0;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::string claims = "{\"jti\":\"TEST" + std::to_string(++counter) + name + "\",\"iat\":" +
                             std::to_string(now) + ",\"iss\":\"" + issuer.public_key + "\",\"name\":\"" + name +
                             "\",\"sub\":\"" + subject + "\",\"nats\":{" + nats_claims + "}}";
  const std::string signed_part = Base64Url(std::string(R"({"typ":"JWT","alg":"ed25519-nkey"})")) + "." +
                                  Base64Url(claims);
  // ed25519 over the text, as nkeys signs.
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, issuer.raw_seed.data(), 32);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char signature[64];
  size_t size = sizeof(signature);
  const bool ok = key != nullptr && ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
                  EVP_DigestSign(ctx, signature, &size, reinterpret_cast<const unsigned char*>(signed_part.data()),
                                 signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok ? signed_part + "." + Base64Url(signature, size) : "unsigned";
}

}  // namespace

NkeyPair MakeNkey(NkeyType type) {
  std::random_device random;
  NkeyPair pair;
  for (auto& b : pair.raw_seed) b = static_cast<uint8_t>(random());
  pair.seed = NkeyEncodeSeed(type, pair.raw_seed);
  pair.public_key = NkeyPublicKey(pair.seed).value();
  return pair;
}

JwtAuthority::JwtAuthority() : operator_(MakeNkey(NkeyType::kOperator)), account_(MakeNkey(NkeyType::kAccount)) {
  operator_jwt_ = SignJwt(operator_, operator_.public_key, "test-operator", R"("type":"operator","version":2)");
  account_jwt_ = SignJwt(operator_, account_.public_key, "test-account",
                         R"("limits":{"subs":-1,"data":-1,"payload":-1,"imports":-1,"exports":-1,)"
                         R"("wildcards":true,"conn":-1,"leaf":-1},"default_permissions":{"pub":{},"sub":{}},)"
                         R"("type":"account","version":2)");
}

std::string JwtAuthority::ServerConfig() const {
  return "operator: \"" + operator_jwt_ + "\"\nresolver: MEMORY\nresolver_preload: {\n  " + account_.public_key +
         ": \"" + account_jwt_ + "\"\n}\n";
}

std::string JwtAuthority::UserCreds(const std::string& name, const std::string& permissions) const {
  const NkeyPair user = MakeNkey(NkeyType::kUser);
  const std::string perms = permissions.empty() ? R"("pub":{},"sub":{})" : permissions;
  const std::string jwt =
      SignJwt(account_, user.public_key, name, perms + R"(,"subs":-1,"data":-1,"payload":-1,"type":"user","version":2)");
  return "-----BEGIN NATS USER JWT-----\n" + jwt +
         "\n------END NATS USER JWT------\n\n"
         "************************* IMPORTANT *************************\n"
         "NKEY Seed printed below can be used to sign and prove identity.\n"
         "NKEYs are sensitive and should be treated as secrets.\n\n"
         "-----BEGIN USER NKEY SEED-----\n" +
         user.seed + "\n------END USER NKEY SEED------\n";
}

}  // namespace patron::testing
