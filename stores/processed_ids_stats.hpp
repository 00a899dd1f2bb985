#pragma once
// What the processed-id table of an LmdbStateStore and its filters hold
// (stores/internal/processed_ids.hpp), for tests and metrics. Plain data.

#include <cstddef>
#include <cstdint>

#include "base/time.hpp"

namespace patron {

struct ProcessedIdsStats {
  uint64_t read_at_open = 0;    // ids the open read to build the filters (the unexpired ones)
  uint64_t pruned = 0;          // ids deleted by committed slices since the open
  size_t buckets = 0;           // time buckets in memory (one filter each)
  size_t in_filters = 0;        // ids the filters hold
  TimePoint clock = INT64_MIN;  // the directory's retention clock (INT64_MIN: never set)
};

}  // namespace patron
