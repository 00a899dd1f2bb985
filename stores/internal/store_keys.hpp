#pragma once
// The keys under which the state store (and its reader) file identities,
// processed events, keyed rule states and outcome counts (layout in
// stores/lmdb_state_store.hpp), and the string-keyed hash maps of its caches.
// Each builder overwrites `out` and reuses its capacity, so that a look-up
// allocates nothing once the buffer has grown. Internal to stores/.

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "model/identity.hpp"
#include "model/outcome.hpp"
#include "stores/byte_codec.hpp"

namespace patron::store_keys {

inline constexpr char kFieldSeparator = '\x1f';

// "<kind>:<value>", e.g. "phone:13800138000".
inline std::string_view Identity(std::string& out, IdentityKind kind, std::string_view value) {
  out.assign(IdentityKindName(kind)).append(1, ':').append(value);
  return out;
}

// "<source>\x1f<id>".
inline std::string_view Processed(std::string& out, std::string_view source, std::string_view id) {
  out.assign(source).append(1, kFieldSeparator).append(id);
  return out;
}

// 8-byte big-endian rule_key, then the key.
inline std::string_view Keyed(std::string& out, uint64_t rule_key, std::string_view key) {
  out.clear();
  codec::PutFixed64BigEndian(out, rule_key);
  out.append(key);
  return out;
}

// "<rule>\x1f<outcome kind name>".
inline std::string_view RuleStat(std::string& out, std::string_view rule, OutcomeKind kind) {
  out.assign(rule).append(1, kFieldSeparator).append(OutcomeKindName(kind));
  return out;
}

// Hash maps keyed by std::string that are searched with a string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// map[key] = value without a temporary std::string when `key` is present.
template <typename V, typename T>
void Upsert(StringMap<V>& map, std::string_view key, T&& value) {
  if (auto it = map.find(key); it != map.end()) {
    it->second = std::forward<T>(value);
  } else {
    map.emplace(std::string(key), std::forward<T>(value));
  }
}

}  // namespace patron::store_keys
