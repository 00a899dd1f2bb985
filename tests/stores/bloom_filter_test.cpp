#include "stores/bloom_filter.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "base/stable_hash.hpp"

namespace patron {
namespace {

TEST_CASE("BloomFilter: no false negatives, few false positives at capacity") {
  BloomFilter filter(10'000);
  for (int i = 0; i < 10'000; ++i) filter.Add(StableHash({"in", std::to_string(i)}));
  for (int i = 0; i < 10'000; ++i) REQUIRE(filter.MayContain(StableHash({"in", std::to_string(i)})));
  int false_positives = 0;
  for (int i = 0; i < 100'000; ++i)
    false_positives += filter.MayContain(StableHash({"out", std::to_string(i)}));
  CHECK(false_positives < 1000);  // designed for about 0.1%; 1% is a generous bound
  CHECK(filter.count() == 10'000);
  CHECK(filter.capacity() == 10'000);
}

TEST_CASE("BloomFilter: an empty filter contains nothing") {
  BloomFilter filter;
  CHECK(filter.capacity() >= 1024);
  for (uint64_t h = 0; h < 1000; ++h) CHECK_FALSE(filter.MayContain(h * 0x9e3779b97f4a7c15ULL));
}

}  // namespace
}  // namespace patron
