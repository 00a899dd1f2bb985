#pragma once
// The form under which a key is filed in LMDB. Keys up to LMDB's key limit
// are filed as they are; a longer one as its first kLongKeyPrefix bytes, a
// NUL and a 16-hex-digit stable hash of the whole key (two long keys with
// the same prefix and hash would share a row: the tables that can meet one
// keep the whole key in the value and check it). Internal to stores/; pure
// functions, thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace patron::stored_key {

// A long key keeps this many leading bytes before its hash.
inline constexpr size_t kLongKeyPrefix = 256;

// The long-key form of `raw`, built in `buf` (the view lives as long as
// `buf` is not changed).
std::string_view LongForm(std::string_view raw, std::string& buf);

// `raw` when it is at most `max_key` bytes, else LongForm(raw, buf).
inline std::string_view Of(std::string_view raw, size_t max_key, std::string& buf) {
  return raw.size() <= max_key ? raw : LongForm(raw, buf);
}

// Whether `key` has the long-key form (prefix, NUL, 16 hex digits).
inline bool IsLongForm(std::string_view key) {
  return key.size() == kLongKeyPrefix + 1 + 16 && key[kLongKeyPrefix] == '\0';
}

}  // namespace patron::stored_key
