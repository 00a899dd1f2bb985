#pragma once
// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// when the object goes out of scope. For LMDB environments and files in tests.

#include <filesystem>
#include <string>

namespace patron::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace patron::testing
