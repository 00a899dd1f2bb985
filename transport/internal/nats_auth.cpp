#include "transport/internal/nats_auth.hpp"

#include <cstdlib>
#include <cstring>

#include "transport/internal/nats_error.hpp"
#include "transport/nkey.hpp"

namespace patron::transport_internal {

natsStatus NkeySigner::Sign(char** error_text, unsigned char** signature, int* signature_length,
                            const char* nonce, void* closure) {
  const auto* self = static_cast<const NkeySigner*>(closure);
  natsStatus s = nats_Sign(self->seed.c_str(), nonce, signature, signature_length);
  if (s != NATS_OK && error_text != nullptr) *error_text = strdup("cannot sign the server's nonce with the NKey seed");
  return s;
}

Status ApplyAuth(natsOptions* opts, const NatsAuth& auth, NkeySigner& signer) {
  const int methods = (!auth.user.empty() || !auth.password.empty() ? 1 : 0) + (!auth.token.empty() ? 1 : 0) +
                      (!auth.nkey_seed.empty() ? 1 : 0) + (!auth.credentials_file.empty() ? 1 : 0);
  if (methods > 1) {
    return Status::Invalid(
        "NATS authentication: give one of user and password, token, NKey seed or credentials file");
  }
  if (auth.user.empty() != auth.password.empty()) {
    return Status::Invalid(auth.user.empty() ? "NATS authentication: a password needs a user"
                                             : "NATS authentication: user '" + auth.user + "' needs a password");
  }
  natsStatus s = NATS_OK;
  if (!auth.user.empty()) {
    s = natsOptions_SetUserInfo(opts, auth.user.c_str(), auth.password.c_str());
    if (s != NATS_OK) return NatsError("NATS options: set user and password", s);
  } else if (!auth.token.empty()) {
    s = natsOptions_SetToken(opts, auth.token.c_str());
    if (s != NATS_OK) return NatsError("NATS options: set token", s);
  } else if (!auth.nkey_seed.empty()) {
    Result<std::string> public_key = NkeyPublicKey(auth.nkey_seed);
    if (!public_key.ok()) return Status::Invalid("NATS authentication: " + public_key.status().message());
    signer.seed = auth.nkey_seed;
    while (!signer.seed.empty() && std::strchr(" \t\r\n", signer.seed.back()) != nullptr) signer.seed.pop_back();
    while (!signer.seed.empty() && std::strchr(" \t\r\n", signer.seed.front()) != nullptr) signer.seed.erase(0, 1);
    s = natsOptions_SetNKey(opts, public_key->c_str(), &NkeySigner::Sign, &signer);
    if (s != NATS_OK) return NatsError("NATS options: set NKey", s);
  } else if (!auth.credentials_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(opts, auth.credentials_file.c_str(), nullptr);
    if (s != NATS_OK) return NatsError("NATS options: credentials file '" + auth.credentials_file + "'", s);
  }
  return Status::Ok();
}

Status ApplyTls(natsOptions* opts, const NatsTls& tls, std::string_view url) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return Status::Invalid("NATS TLS: a client certificate needs its key file, and a key its certificate");
  }
  if (!tls.used() && url.substr(0, 6) != "tls://") return Status::Ok();
  natsStatus s = natsOptions_SetSecure(opts, true);
  if (s != NATS_OK) return NatsError("NATS options: TLS", s);
  if (!tls.ca_file.empty()) {
    s = natsOptions_LoadCATrustedCertificates(opts, tls.ca_file.c_str());
    if (s != NATS_OK) return NatsError("NATS TLS: cannot load the CA file '" + tls.ca_file + "'", s);
  }
  if (!tls.cert_file.empty()) {
    s = natsOptions_LoadCertificatesChain(opts, tls.cert_file.c_str(), tls.key_file.c_str());
    if (s != NATS_OK) {
      return NatsError("NATS TLS: cannot load the client certificate '" + tls.cert_file + "' and key '" +
                           tls.key_file + "'",
                       s);
    }
  }
  return Status::Ok();
}

}  // namespace patron::transport_internal
