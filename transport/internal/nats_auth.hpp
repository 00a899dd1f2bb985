#pragma once
// Private to transport/: puts NatsAuth and NatsTls (transport/nats_connection.hpp)
// into libnats options. Messages name files and settings, never a secret.

#include <nats/nats.h>

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "transport/nats_connection.hpp"

namespace patron::transport_internal {

// Signs the server's nonce with an NKey seed (libnats' signature callback).
// Must outlive every connection made with the options it was applied to.
struct NkeySigner {
  std::string seed;
  static natsStatus Sign(char** error_text, unsigned char** signature, int* signature_length,
                         const char* nonce, void* closure);
};

// Applies `auth` to `opts`; the NKey seed, if any, goes into `signer`.
// kInvalidArgument for a mix of methods, a password without a user (or the
// reverse), or a malformed seed; libnats' reason otherwise.
Status ApplyAuth(natsOptions* opts, const NatsAuth& auth, NkeySigner& signer);

// Applies `tls` to `opts` (TLS on when tls.used() or `url` starts with
// tls://). kInvalidArgument for a certificate without its key (or the
// reverse); kIoError naming the file libnats could not load.
Status ApplyTls(natsOptions* opts, const NatsTls& tls, std::string_view url);

}  // namespace patron::transport_internal
