#include "stores/data_dir_lock.hpp"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace patron {

namespace {

std::string Errno(int err) { return strerror(err); }

// The PID text in LOCK (its first line), "unknown" when it is empty (the
// holder took the lock and has not written it yet).
std::string HolderOf(int fd) {
  char buf[32];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
  text = text.substr(0, text.find('\n'));
  return text.empty() ? "unknown" : text;
}

}  // namespace

Result<DataDirLock> DataDirLock::Acquire(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Io("cannot open " + path + ": " + Errno(errno));
  DataDirLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK)
      return Status::Unavailable("data directory " + dir + " is in use by process " + HolderOf(fd) +
                                 " (it holds " + path + "); one process owns a data directory at a time");
    return Status::Io("cannot lock " + path + ": " + Errno(err));
  }
  // Ours now: 0600 whatever the umask, and our PID in place of a dead owner's.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::fchmod(fd, 0600) != 0 || ::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    return Status::Io("cannot write " + path + ": " + Errno(errno));
  return lock;
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace patron
