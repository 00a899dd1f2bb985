#pragma once
// One owner per data directory: an exclusive flock(2) on `<dir>/LOCK`, which
// holds the owner's PID as text. The kernel drops the lock when the owning
// file description closes, also when the process dies (kill -9 included), so
// a LOCK file left behind by a dead process blocks nobody. flock locks belong
// to an open file description, so a second Acquire() of the same directory
// fails even inside one process. Readers (MDB_RDONLY, `patron inspect`) do
// not take it. Movable, not copyable; any thread.

#include <string>

#include "base/result.hpp"

namespace patron {

class DataDirLock {
 public:
  // Takes the lock on `dir` (which must exist), creating LOCK with mode 0600
  // when missing, and writes this process's PID into it. Unavailable, naming
  // the directory and the holder's PID, when another open holds it (LOCK is
  // then left as it was); IoError when LOCK cannot be opened or written.
  static Result<DataDirLock> Acquire(const std::string& dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  // Releases the lock (the PID stays in the file: a later owner rewrites it).
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace patron
