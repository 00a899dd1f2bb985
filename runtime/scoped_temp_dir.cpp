#include "runtime/scoped_temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace patron::runtime {

Result<std::unique_ptr<ScopedTempDir>> ScopedTempDir::Create(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::Io("cannot create a temporary directory '" + pattern + "': " + std::strerror(errno));
  }
  return std::make_unique<ScopedTempDir>(pattern);
}

ScopedTempDir::~ScopedTempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace patron::runtime
