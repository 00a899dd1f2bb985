#include "tests/support/nats_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/free_port.hpp"

namespace patron::testing {
namespace {

using Clock = std::chrono::steady_clock;
// Interval of the bounded polls (server readiness, process exit).
constexpr std::chrono::milliseconds kPollInterval{5};

// True when 127.0.0.1:<port> accepts a connection and greets with "INFO"
// (so it is a NATS server, not whoever took the port meanwhile).
bool ServerGreets(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) == 1) {
      char buf[8] = {};
      ssize_t n = ::recv(fd, buf, 4, 0);
      ok = n == 4 && std::memcmp(buf, "INFO", 4) == 0;
    }
  }
  ::close(fd);
  return ok;
}

std::string FindBinary(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  std::string dirs;
  if (const char* path = std::getenv("PATH")) dirs = path;
  dirs += ":/usr/sbin:/usr/bin:/usr/local/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

NatsServer::NatsServer(NatsServerOptions options) : options_(std::move(options)) {}

NatsServer::~NatsServer() { Stop(); }

std::string NatsServer::url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

std::string NatsServer::log_path() const { return (dir_.path() / "nats-server.log").string(); }

std::string NatsServer::LogTail(size_t max_bytes) const {
  std::ifstream in(log_path(), std::ios::binary);
  if (!in) return "(no log)";
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > max_bytes) text.erase(0, text.size() - max_bytes);
  return text;
}

Status NatsServer::Start() {
  if (pid_ > 0) return Status::Ok();
  if (binary_path_.empty()) binary_path_ = FindBinary(options_.binary);
  if (binary_path_.empty()) return Status::NotFound("nats-server binary '" + options_.binary + "' not found");
  const bool fixed_port = port_ != 0;
  const int attempts = fixed_port ? 1 : std::max(1, options_.port_attempts);
  Status last;
  for (int i = 0; i < attempts; ++i) {
    if (!fixed_port) {
      port_ = FindFreePort();
      if (port_ == 0) return Status::Io(std::string("cannot find a free port: ") + std::strerror(errno));
    }
    last = Launch();
    if (last.ok()) return last;
    // Only an early exit (the port was taken meanwhile, say) is worth a new port.
    if (last.code() != StatusCode::kUnavailable) break;
  }
  if (!fixed_port) port_ = 0;
  return last;
}

Status NatsServer::Launch() {
  std::vector<std::string> args = {binary_path_, "-a", "127.0.0.1", "-p", std::to_string(port_)};
  if (options_.jetstream) {
    args.insert(args.end(), {"-js", "-sd", (dir_.path() / "jetstream").string()});
  }
  if (!options_.config.empty()) {
    const std::string config_path = (dir_.path() / "nats-server.conf").string();
    std::ofstream(config_path, std::ios::binary) << options_.config;
    args.insert(args.end(), {"-c", config_path});
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  // Everything the child needs is prepared before fork: after fork only
  // async-signal-safe calls are allowed (the test process has threads).
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int log_fd = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::Io("cannot open " + log_path() + ": " + std::strerror(errno));
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Status::Io(std::string("fork failed: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  pid_ = pid;

  const auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("nats-server exited early (status " + std::to_string(wstatus) +
                                 ") on port " + std::to_string(port_) + "; log tail:\n" + LogTail());
    }
    if (ServerGreets(port_)) return Status::Ok();
    std::this_thread::sleep_for(kPollInterval);
  }
  Stop();
  return Status::Io("nats-server did not accept connections on port " + std::to_string(port_) + " within " +
                    std::to_string(options_.start_timeout.count()) + " ms; log tail:\n" + LogTail());
}

bool NatsServer::Reap(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int wstatus = 0;
    pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

void NatsServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!Reap(options_.stop_timeout)) return Kill();
  pid_ = -1;
}

void NatsServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace patron::testing
