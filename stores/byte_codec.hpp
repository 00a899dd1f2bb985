#pragma once
// Little building blocks of the stored binary formats (customer_codec,
// outcome_codec, LMDB keys): LEB128 varints, zig-zag signed varints,
// length-prefixed strings and fixed 8-byte big-endian integers.
// ByteReader never reads past its input and never allocates more than the
// input could describe, so decoding garbage is safe (it just fails).
// Internal to stores/; pure, thread-compatible.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace patron::codec {

inline void PutVarint(std::string& out, uint64_t v) {
  if (v < 0x80) {  // most counts, flags and lengths
    out.push_back(static_cast<char>(v));
    return;
  }
  // Longer ones (times, sums) in one append rather than a push_back per byte.
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

inline void PutSigned(std::string& out, int64_t v) { PutVarint(out, ZigZag(v)); }

inline void PutBytes(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

// 8 bytes, most significant first, so that LMDB's byte order is numeric order.
inline void PutFixed64BigEndian(std::string& out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
  out.append(buf, 8);
}

inline uint64_t GetFixed64BigEndian(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < in.size(); ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// Sequential reader. After the first failure every getter returns false and
// ok() stays false; the caller turns that into Status::Corruption.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == in_.size(); }
  size_t remaining() const { return in_.size() - pos_; }

  bool GetByte(uint8_t& v) {
    if (!ok_ || pos_ >= in_.size()) return Fail();
    v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  // At most 10 bytes; an overlong or overflowing encoding fails.
  bool GetVarint(uint64_t& v) {
    v = 0;
    for (int i = 0; i < 10; ++i) {
      uint8_t b;
      if (!GetByte(b)) return false;
      if (i == 9 && b > 1) return Fail();
      v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) return true;
    }
    return Fail();
  }

  bool GetSigned(int64_t& v) {
    uint64_t u;
    if (!GetVarint(u)) return false;
    v = UnZigZag(u);
    return true;
  }

  // A view into the input; valid as long as the input.
  bool GetBytes(std::string_view& s) {
    uint64_t n;
    if (!GetVarint(n)) return false;
    if (n > remaining()) return Fail();
    s = in_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }

  bool GetString(std::string& s) {
    std::string_view v;
    if (!GetBytes(v)) return false;
    s.assign(v);
    return true;
  }

  // An element count that cannot exceed the bytes left (each element takes
  // at least `min_element_size` bytes): guards allocations against garbage.
  bool GetCount(uint64_t& n, size_t min_element_size = 1) {
    if (!GetVarint(n)) return false;
    if (min_element_size == 0) min_element_size = 1;
    if (n > remaining() / min_element_size) return Fail();
    return true;
  }

  bool Fail() {
    ok_ = false;
    return false;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Runs `get(reader)` over `bytes`. Corruption naming `what` when it returns
// false, or when it throws (only allocation failures can: they must not
// leave the module).
template <typename Get>
Status DecodeWith(std::string_view bytes, const char* what, Get get) {
  bool ok = false;
  try {
    ByteReader r(bytes);
    ok = get(r);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string(what) + ": " + e.what());
  }
  if (!ok) return Status::Corruption(std::string(what) + ": truncated or malformed bytes");
  return Status::Ok();
}

}  // namespace patron::codec
