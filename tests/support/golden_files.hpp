#pragma once
// Golden-file helpers for the walkers of tests/engine/cases (STYLE.md §5):
// list a folder's cases, read files, and compare a result with its expected
// file or, with PATRON_UPDATE_GOLDEN=1 in the environment, rewrite that file.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace patron::testing {

// The whole file as bytes; "" when it cannot be read.
inline std::string ReadFileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// True when PATRON_UPDATE_GOLDEN=1: expected files are rewritten, not compared.
inline bool UpdatingGolden() {
  const char* update = std::getenv("PATRON_UPDATE_GOLDEN");
  return update != nullptr && std::string(update) == "1";
}

// The files under `root` (recursively) whose names end in `suffix`, sorted.
inline std::vector<std::filesystem::path> CaseFiles(const std::filesystem::path& root,
                                                    const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs `run(path, name)` in a section of its own (named `name`, the path
// relative to `root`) for each file under `root` ending in `suffix`; fails
// when there are fewer than `min_cases`.
template <typename Run>
void ForEachCase(const std::filesystem::path& root, const std::string& suffix, size_t min_cases, Run run) {
  const auto cases = CaseFiles(root, suffix);
  REQUIRE(cases.size() >= min_cases);
  for (const std::filesystem::path& path : cases) {
    const std::string name = std::filesystem::relative(path, root).generic_string();
    DYNAMIC_SECTION(name) { run(path, name); }
  }
}

// Compares `actual` with the file `expected`, or rewrites it when updating.
// With `keep_empty` false, an empty result means "no file": the file is
// removed when updating, and a missing file expects "".
inline void CheckGolden(const std::filesystem::path& expected, const std::string& actual,
                        bool keep_empty = true) {
  if (UpdatingGolden()) {
    if (actual.empty() && !keep_empty) {
      std::filesystem::remove(expected);
    } else {
      std::ofstream(expected, std::ios::binary) << actual;
    }
    return;
  }
  INFO("expected file " << expected.string() << " (PATRON_UPDATE_GOLDEN=1 rewrites it)");
  if (keep_empty) REQUIRE(std::filesystem::exists(expected));
  CHECK(actual == ReadFileBytes(expected));
}

}  // namespace patron::testing
