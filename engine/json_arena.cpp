#include "engine/json_arena.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include <boost/json/memory_resource.hpp>

namespace patron {
namespace {

// What boost::json::make_shared_resource wraps: forwards to the arena.
class ArenaResource final : public boost::json::memory_resource {
 public:
  explicit ArenaResource(std::shared_ptr<JsonArena> arena) : arena_(std::move(arena)) {}

 private:
  void* do_allocate(size_t bytes, size_t align) override { return arena_->Allocate(bytes, align); }
  void do_deallocate(void*, size_t, size_t) override { arena_->Deallocate(); }
  bool do_is_equal(const boost::json::memory_resource& other) const noexcept override { return this == &other; }

  std::shared_ptr<JsonArena> arena_;
};

}  // namespace

JsonArena::JsonArena(size_t block_bytes)
    : block_(std::make_unique_for_overwrite<unsigned char[]>(std::max<size_t>(block_bytes, 64))),
      capacity_(std::max<size_t>(block_bytes, 64)),
      round_bytes_(capacity_) {}

boost::json::storage_ptr JsonArena::Storage(std::shared_ptr<JsonArena> arena) {
  return boost::json::make_shared_resource<ArenaResource>(std::move(arena));
}

void JsonArena::Reset() {
  if (!full_.empty()) {
    // This round needed several blocks: next time one block holds it all.
    full_.clear();
    block_.reset();
    block_ = std::make_unique_for_overwrite<unsigned char[]>(round_bytes_);
    capacity_ = round_bytes_;
  }
  used_ = 0;
}

void* JsonArena::Allocate(size_t bytes, size_t align) {
  auto aligned = [&](size_t offset) {
    uintptr_t base = reinterpret_cast<uintptr_t>(block_.get());
    return static_cast<size_t>(((base + offset + align - 1) & ~(uintptr_t{align} - 1)) - base);
  };
  size_t at = aligned(used_);
  if (at + bytes > capacity_) {
    size_t grown = std::max(capacity_ * 2, bytes + align);
    full_.push_back(std::move(block_));
    block_ = std::make_unique_for_overwrite<unsigned char[]>(grown);
    capacity_ = grown;
    round_bytes_ += grown;
    at = aligned(0);
  }
  used_ = at + bytes;
  ++live_;
  return block_.get() + at;
}

}  // namespace patron
