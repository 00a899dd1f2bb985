// One owner per data directory (stores/data_dir_lock.hpp) and the modes of
// what a store creates: flock(2) on <dir>/LOCK, held by an open file
// description, so two acquisitions conflict even in one process; the
// holder's PID in the refusal; a LOCK left by a process killed with SIGKILL
// blocks nobody; the directory 0700 and its files 0600 whatever the umask.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "stores/data_dir_lock.hpp"
#include "stores/lmdb_state_store.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Sets the umask for a scope.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST_CASE("DataDirLock: a second acquisition is refused with the holder's PID, and the lock is released") {
  TempDir dir;
  auto first = DataDirLock::Acquire(dir.str());
  REQUIRE(first.ok());
  CHECK(ReadFile(dir.str() + "/LOCK") == std::to_string(::getpid()) + "\n");
  auto second = DataDirLock::Acquire(dir.str());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(second.status().message(), Catch::Contains("in use by process " + std::to_string(::getpid())));
  CHECK_THAT(second.status().message(), Catch::Contains(dir.str()));
  CHECK(ReadFile(dir.str() + "/LOCK") == std::to_string(::getpid()) + "\n");  // the refusal changed nothing
  { DataDirLock released = std::move(first).value(); }
  CHECK(DataDirLock::Acquire(dir.str()).ok());
}

TEST_CASE("DataDirLock: a LOCK file left by a process killed with SIGKILL blocks nobody") {
  TempDir dir;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto held = DataDirLock::Acquire(dir.str());
    char c = held.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    for (;;) ::pause();  // holds the lock until killed
  }
  ::close(ready[1]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  REQUIRE(c == 'y');
  auto refused = DataDirLock::Acquire(dir.str());
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("in use by process " + std::to_string(child)));
  REQUIRE(::kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(ReadFile(dir.str() + "/LOCK") == std::to_string(child) + "\n");  // stale, left behind
  auto taken = DataDirLock::Acquire(dir.str());
  INFO(taken.status().ToString());
  REQUIRE(taken.ok());
  CHECK(ReadFile(dir.str() + "/LOCK") == std::to_string(::getpid()) + "\n");
}

TEST_CASE("LmdbStateStore: a second open of a directory in use is refused and the first goes on") {
  TempDir dir;
  LmdbStoreOptions options;
  options.sync_on_commit = false;
  auto first = LmdbStateStore::Open(dir.str(), options);
  REQUIRE(first.ok());
  auto second = LmdbStateStore::Open(dir.str(), options);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(second.status().message(), Catch::Contains("in use by process " + std::to_string(::getpid())));
  REQUIRE((*first)->PutIdentity(IdentityKind::kPhone, "13800138000", "c-1").ok());
  REQUIRE((*first)->Commit().ok());
  first->reset();  // closing releases the lock
  auto reopened = LmdbStateStore::Open(dir.str(), options);
  REQUIRE(reopened.ok());
  auto found = (*reopened)->FindIdentity(IdentityKind::kPhone, "13800138000");
  REQUIRE(found.ok());
  CHECK(*found == std::optional<std::string>("c-1"));
}

TEST_CASE("LmdbStateStore: the directory it creates is 0700 and its files 0600, whatever the umask") {
  for (mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0277}}) {
    INFO("umask " << std::oct << mask);
    TempDir parent;
    const std::string dir = parent.str() + "/state";
    {
      ScopedUmask scoped(mask);
      auto store = LmdbStateStore::Open(dir);
      INFO(store.status().ToString());
      REQUIRE(store.ok());
    }
    CHECK(ModeOf(dir) == 0700);
    for (const char* file : {"/LOCK", "/data.mdb", "/lock.mdb"}) {
      INFO(file);
      CHECK(ModeOf(dir + file) == 0600);
    }
  }
}

}  // namespace
}  // namespace patron::testing
