#pragma once
// A bump allocator for the JSON of one message at a time: the event decoder
// parses each message into it instead of the heap, so a message costs no
// malloc/free per string, object and array. It counts the allocations not
// yet given back; only when none is left may its memory be reused (Reset()).
// Values that outlive their message (a copy kept somewhere) keep the arena
// alive through the shared storage_ptr and are never overwritten: the owner
// then starts a new arena instead. One thread at a time.

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/json/storage_ptr.hpp>

namespace patron {

class JsonArena {
 public:
  // `block_bytes`: size of the first block; later blocks double.
  explicit JsonArena(size_t block_bytes = size_t{16} << 10);
  JsonArena(const JsonArena&) = delete;
  JsonArena& operator=(const JsonArena&) = delete;

  // A storage_ptr allocating in `arena`. shared_ptr because JSON values keep
  // their storage alive: the arena lives as long as the caller or any value
  // allocated through this storage holds it.
  static boost::json::storage_ptr Storage(std::shared_ptr<JsonArena> arena);

  // True when every allocation has been deallocated.
  bool idle() const { return live_ == 0; }
  // Makes all the memory available again, as one block big enough for what
  // the last round used. Only when idle().
  void Reset();

  // `bytes` aligned to `align` (a power of two). Throws std::bad_alloc only.
  void* Allocate(size_t bytes, size_t align);
  // Gives one allocation back (the memory is reused at Reset()).
  void Deallocate() { --live_; }

 private:
  std::unique_ptr<unsigned char[]> block_;  // the block being filled
  size_t capacity_ = 0;
  size_t used_ = 0;
  std::vector<std::unique_ptr<unsigned char[]>> full_;  // earlier blocks of this round
  size_t round_bytes_ = 0;                              // capacity of every block of this round
  size_t live_ = 0;                                     // allocations not yet deallocated
};

}  // namespace patron
