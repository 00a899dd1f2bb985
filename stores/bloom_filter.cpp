#include "stores/bloom_filter.hpp"

#include <algorithm>

namespace patron {

namespace {

constexpr size_t kBitsPerKey = 16;
constexpr size_t kMinCapacity = 1024;

// A second, independent-looking hash for the in-block probes.
uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
  z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
  return z ^ (z >> 33);
}

}  // namespace

BloomFilter::BloomFilter(size_t capacity) : capacity_(std::max(capacity, kMinCapacity)) {
  blocks_ = (capacity_ * kBitsPerKey + kWordsPerBlock * 64 - 1) / (kWordsPerBlock * 64);
  words_.assign(blocks_ * kWordsPerBlock, 0);
}

size_t BloomFilter::BlockOf(uint64_t hash) const {
  // Multiply-shift maps the hash onto [0, blocks_) without a division.
  return static_cast<size_t>((static_cast<unsigned __int128>(hash) * blocks_) >> 64);
}

void BloomFilter::Add(uint64_t hash) {
  uint64_t* block = &words_[BlockOf(hash) * kWordsPerBlock];
  uint64_t bits = Mix(hash);
  for (int i = 0; i < kProbes; ++i, bits >>= 9) block[(bits >> 6) & 7] |= uint64_t{1} << (bits & 63);
  ++count_;
}

bool BloomFilter::MayContain(uint64_t hash) const {
  const uint64_t* block = &words_[BlockOf(hash) * kWordsPerBlock];
  uint64_t bits = Mix(hash);
  for (int i = 0; i < kProbes; ++i, bits >>= 9)
    if ((block[(bits >> 6) & 7] & (uint64_t{1} << (bits & 63))) == 0) return false;
  return true;
}

}  // namespace patron
