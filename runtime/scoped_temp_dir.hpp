#pragma once
// A fresh directory under $TMPDIR (or /tmp), removed with its contents when
// the object is destroyed. `patron replay` keeps its throwaway state there.

#include <memory>
#include <string>

#include "base/result.hpp"

namespace patron::runtime {

class ScopedTempDir {
 public:
  // Creates "<tmp>/<prefix>XXXXXX"; kIoError when it cannot.
  static Result<std::unique_ptr<ScopedTempDir>> Create(const std::string& prefix);
  explicit ScopedTempDir(std::string path) : path_(std::move(path)) {}
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace patron::runtime
