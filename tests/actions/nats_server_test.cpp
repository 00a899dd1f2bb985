// tests/support/nats_server: the helper every NATS test relies on.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/nats_server.hpp"

namespace {

bool CanConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

TEST_CASE("NatsServer starts on a free port and stops", "[nats_server]") {
  patron::testing::NatsServer server;
  auto started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  REQUIRE(server.running());
  REQUIRE(server.port() > 0);
  CHECK(server.url() == "nats://127.0.0.1:" + std::to_string(server.port()));
  CHECK(CanConnect(server.port()));
  const int port = server.port();

  server.Stop();
  CHECK_FALSE(server.running());
  CHECK_FALSE(CanConnect(port));

  // A second start reuses the port, so clients can reconnect after an outage.
  auto restarted = server.Start();
  INFO(restarted.ToString());
  REQUIRE(restarted.ok());
  CHECK(server.port() == port);
  CHECK(CanConnect(port));
}

TEST_CASE("NatsServer with JetStream", "[nats_server]") {
  patron::testing::NatsServerOptions options;
  options.jetstream = true;
  patron::testing::NatsServer server(options);
  auto started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  CHECK(server.LogTail().find("JetStream") != std::string::npos);
}

TEST_CASE("NatsServer reports a missing binary", "[nats_server]") {
  patron::testing::NatsServerOptions options;
  options.binary = "/nonexistent/nats-server";
  patron::testing::NatsServer server(options);
  auto started = server.Start();
  CHECK(started.code() == patron::StatusCode::kNotFound);
  CHECK_FALSE(server.running());
}

TEST_CASE("NatsServer fails with the log tail when the server exits", "[nats_server]") {
  patron::testing::NatsServerOptions options;
  options.extra_args = {"--no-such-flag"};
  options.port_attempts = 1;
  patron::testing::NatsServer server(options);
  auto started = server.Start();
  CHECK_FALSE(started.ok());
  CHECK(started.message().find("exited early") != std::string::npos);
  CHECK(started.message().find("no-such-flag") != std::string::npos);
}
