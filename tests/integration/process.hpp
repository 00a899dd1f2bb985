#pragma once
// Running the built `patron` executable as a child process in the
// integration tests: arguments as given (no shell), stdout and stderr into
// files of a temp dir, bounded waits by polling. Header-only because
// tests/CMakeLists.txt builds tests/integration from its *_test.cpp files.
// One object per child; not thread-safe.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"

extern char** environ;

namespace patron::testing {

// <build dir>/cli/patron.
inline std::string PatronBinary() { return std::string(PATRON_BINARY_DIR) + "/cli/patron"; }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Polls `done` every few milliseconds until it is true or `timeout` passed.
// Returns its last value.
inline bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// A child process with stdout and stderr captured in files.
class Process {
 public:
  // Starts `args` (args[0] the executable path), stdin from /dev/null.
  explicit Process(std::vector<std::string> args) : args_(std::move(args)) {
    out_path_ = (dir_.path() / "stdout").string();
    err_path_ = (dir_.path() / "stderr").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (auto& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Process() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !exit_code_; }
  void Signal(int sig) {
    if (running()) ::kill(pid_, sig);
  }
  // The exit status (128 + signal when killed by one), or nullopt when the
  // child is still running after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    if (pid_ <= 0) return -1;
    WaitUntil(
        [&] {
          if (exit_code_) return true;
          int status = 0;
          if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          }
          return exit_code_.has_value();
        },
        timeout);
    return exit_code_;
  }
  std::string out() const { return ReadFile(out_path_); }
  std::string err() const { return ReadFile(err_path_); }
  // For failure messages: the command line and what it printed.
  std::string Describe() const {
    std::ostringstream s;
    for (const auto& a : args_) s << a << ' ';
    s << "\n--- stdout:\n" << out().substr(0, 4000) << "\n--- stderr:\n" << err().substr(0, 4000);
    return s.str();
  }

 private:
  std::vector<std::string> args_;
  TempDir dir_;
  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Result of a command run to completion.
struct Ran {
  int code = -1;
  std::string out;
  std::string err;
  std::string described;
};

// Runs `patron <args...>` to completion (bounded: a child still running
// after `timeout` is killed and reported as code -1).
inline Ran RunPatron(std::vector<std::string> args,
                     std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  args.insert(args.begin(), PatronBinary());
  Process p(std::move(args));
  Ran r;
  std::optional<int> code = p.Wait(timeout);
  r.code = code ? *code : -1;
  r.out = p.out();
  r.err = p.err();
  r.described = p.Describe();
  return r;
}

// Splits text into its lines (without the newlines; no empty last line).
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace patron::testing
