#pragma once
// Base64 (RFC 4648, standard alphabet, with padding), for raw bytes that are
// not text: a dead letter keeps a message that is not valid UTF-8 this way.
// Pure and thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace patron {

// Appends the base64 form of `bytes` (4 characters per 3 bytes, rounded up).
void AppendBase64(std::string& out, std::string_view bytes);

// The length of the base64 form of `n` bytes.
constexpr size_t Base64Size(size_t n) { return (n + 2) / 3 * 4; }

}  // namespace patron
