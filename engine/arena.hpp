#pragma once
// A bump allocator for the values one event's evaluation creates (list
// projections, lowered strings). Reset() at the start of each event frees
// everything at once and keeps the first block, so that steady-state
// evaluation allocates nothing. Not thread-safe: one per engine thread.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/value.hpp"

namespace patron {

class Arena {
 public:
  // `block_bytes`: size of each ordinary block; bigger requests get a block of their own.
  explicit Arena(size_t block_bytes = 16 * 1024) : block_bytes_(block_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Room for `n` values, default-constructed (null). Valid until Reset().
  Value* NewValues(size_t n) {
    void* p = Allocate(n * sizeof(Value), alignof(Value));
    Value* v = static_cast<Value*>(p);
    for (size_t i = 0; i < n; ++i) new (v + i) Value();
    return v;
  }
  // Room for `n` chars. Valid until Reset().
  char* NewChars(size_t n) { return static_cast<char*>(Allocate(n, 1)); }
  // A copy of `s`. Valid until Reset().
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(Allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }
  // Frees everything allocated since the last Reset(), keeping the first block.
  void Reset() {
    if (blocks_.size() > 1) blocks_.resize(1);
    current_size_ = blocks_.empty() ? 0 : blocks_[0].size;
    used_ = 0;
  }

 private:
  struct Block {
    std::unique_ptr<std::byte[]> bytes;
    size_t size = 0;
  };

  void* Allocate(size_t bytes, size_t align) {
    if (bytes == 0) bytes = 1;
    if (!blocks_.empty()) {
      size_t at = (used_ + align - 1) & ~(align - 1);
      if (at + bytes <= current_size_) {
        used_ = at + bytes;
        return blocks_.back().bytes.get() + at;
      }
    }
    size_t size = bytes > block_bytes_ ? bytes : block_bytes_;
    blocks_.push_back(Block{std::make_unique<std::byte[]>(size), size});
    current_size_ = size;
    used_ = bytes;
    return blocks_.back().bytes.get();
  }

  size_t block_bytes_;
  std::vector<Block> blocks_;
  size_t current_size_ = 0;  // of blocks_.back()
  size_t used_ = 0;          // bytes used in blocks_.back()
};

}  // namespace patron
