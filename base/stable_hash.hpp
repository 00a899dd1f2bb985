#pragma once
// Stable hashing: the same bytes give the same value on every machine, run
// and build, so ids derived from it (customer ids, action ids, holdout
// groups) survive replays and restarts. Not for security.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace patron {

// 64-bit FNV-1a, extended with a final avalanche mix.
class StableHasher {
 public:
  StableHasher& Add(std::string_view bytes) {
    for (unsigned char c : bytes) { h_ ^= c; h_ *= 0x100000001b3ULL; }
    // A separator so that ("ab","c") and ("a","bc") differ.
    h_ ^= 0xff; h_ *= 0x100000001b3ULL;
    return *this;
  }
  StableHasher& Add(uint64_t v) {
    for (int i = 0; i < 8; ++i) { h_ ^= (v >> (8 * i)) & 0xff; h_ *= 0x100000001b3ULL; }
    return *this;
  }
  uint64_t Finish() const {
    uint64_t z = h_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

inline uint64_t StableHash(std::initializer_list<std::string_view> parts) {
  StableHasher h;
  for (auto p : parts) h.Add(p);
  return h.Finish();
}

// 16 lower-case hex digits.
inline std::string Hex64(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) { s[i] = kDigits[v & 0xf]; v >>= 4; }
  return s;
}

}  // namespace patron
