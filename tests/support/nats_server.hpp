#pragma once
// A real nats-server for tests, on a free 127.0.0.1 port, in its own temp
// dir (log file, JetStream store). Not thread-safe: use one object from one
// thread (the thread that calls Start() should outlive the server, because
// the child is killed when that thread's process dies: PR_SET_PDEATHSIG).
//
//   patron::testing::NatsServer server;
//   auto started = server.Start();
//   INFO(started.ToString());
//   REQUIRE(started.ok());
//   ... connect to server.url() ...
//
// The destructor stops the server (SIGTERM, then SIGKILL after a bound).

#include <sys/types.h>
#include <chrono>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {

struct NatsServerOptions {
  // Executable name or path; a bare name is looked up in $PATH, then in
  // /usr/sbin and /usr/bin (Debian installs nats-server in /usr/sbin).
  std::string binary = "nats-server";
  // Adds `-js -sd <temp dir>/jetstream`.
  bool jetstream = false;
  // The text of a configuration file (authorization, accounts, tls blocks),
  // written into the server's temp dir and passed as `-c`; empty = none. The
  // address and port flags win over it.
  std::string config;
  // More command-line arguments, appended as given.
  std::vector<std::string> extra_args;
  // How long Start() waits for the port to accept connections.
  std::chrono::milliseconds start_timeout{10'000};
  // How long Stop() waits after SIGTERM before it sends SIGKILL.
  std::chrono::milliseconds stop_timeout{5'000};
  // Free ports tried when the chosen one turns out to be taken meanwhile.
  int port_attempts = 3;
};

class NatsServer {
 public:
  explicit NatsServer(NatsServerOptions options = {});
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // Launches the server and returns once its port accepts TCP connections.
  // The first call picks a free port; a later call after Stop() reuses the
  // same port (and JetStream store), so a test can simulate an outage.
  // On failure (no binary, early exit, timeout) the Status message carries
  // the tail of the server's log. Ok and a no-op when already running.
  Status Start();
  // SIGTERM and wait (SIGKILL after options.stop_timeout). No-op when stopped.
  void Stop();
  // SIGKILL and wait: a crash (JetStream's last writes may be lost). A later
  // Start() reuses the port and store. No-op when stopped.
  void Kill();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // "nats://127.0.0.1:<port>"; valid after the first successful Start().
  std::string url() const;
  // The server's combined stdout/stderr.
  std::string log_path() const;
  // The last `max_bytes` of the log (for failure messages).
  std::string LogTail(size_t max_bytes = 4096) const;

 private:
  Status Launch();
  bool Reap(std::chrono::milliseconds timeout);

  NatsServerOptions options_;
  TempDir dir_;
  std::string binary_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace patron::testing
