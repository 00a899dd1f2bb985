#pragma once
// Credentials inside URLs ("nats://user:pass@host", "nats://token@host"):
// finding them, to redact them in logs and messages and to overwrite them in
// the process's argv. Pure functions, thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace patron {

// A range of bytes [begin, begin + size) of a text that holds a secret.
struct SecretSpan {
  size_t begin = 0;
  size_t size = 0;
};

// The secrets of every URL in `text` (one URL, a comma-separated list, or a
// command-line word such as "--nats=nats://u:p@h"): in the userinfo before
// '@', the password after "user:", or the whole userinfo when it has no ':'
// (NATS reads a lone userinfo as a token). Empty when there is none.
std::vector<SecretSpan> FindUrlSecrets(std::string_view text);

// `text` with each secret of FindUrlSecrets replaced by "***":
// "nats://ann:pw@h:4222,nats://tok@g" -> "nats://ann:***@h:4222,nats://***@g".
// Every log line and error message that shows a NATS URL shows this.
std::string RedactUrl(std::string_view text);

}  // namespace patron
