#pragma once
// A blocked Bloom filter over 64-bit hashes: every probe of one key falls in
// one 64-byte block, so a look-up costs one cache miss. Used by the LMDB
// store to answer "not processed" for new events without a B-tree search.
// False positives (about 0.1% at capacity) only cost that search; there are
// no false negatives. Plain value type; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace patron {

class BloomFilter {
 public:
  // Room for `capacity` keys at the designed false-positive rate (16 bits a
  // key, 6 probes); more keys still work, with more false positives.
  explicit BloomFilter(size_t capacity = 0);

  void Add(uint64_t hash);
  // False only when `hash` was never added.
  bool MayContain(uint64_t hash) const;

  size_t count() const { return count_; }
  size_t capacity() const { return capacity_; }

 private:
  static constexpr size_t kWordsPerBlock = 8;  // 512 bits, one cache line
  static constexpr int kProbes = 6;
  size_t BlockOf(uint64_t hash) const;

  std::vector<uint64_t> words_;
  size_t blocks_ = 0;
  size_t count_ = 0;
  size_t capacity_ = 0;
};

}  // namespace patron
