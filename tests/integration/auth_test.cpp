// `patron run --core`, `publish` and `subscribe` against a nats-server that
// authenticates: end to end in each mode (user and password, token, NKey,
// credentials file, TLS with and without a client certificate); waiting for
// a server that is not up yet; a URL's password kept out of the log and the
// process title; a user who may not publish actions; a store's app user who
// may not read coupons.

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <fstream>

#include "tests/integration/process.hpp"
#include "tests/support/message_collector.hpp"
#include "tests/support/nats_auth_servers.hpp"
#include "tests/support/nats_jwt.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

using namespace std::chrono_literals;

const std::string kExample = PATRON_SOURCE_DIR "/examples/restaurant";
const std::string kEvents = kExample + "/events.jsonl";
constexpr std::chrono::seconds kBound{30};
// examples/restaurant's events make well over this many actions.
constexpr size_t kSomeActions = 20;

NatsServerOptions WithConfig(std::string config) {
  NatsServerOptions o;
  o.config = std::move(config);
  return o;
}

bool Listening(const Process& engine) {
  return engine.err().find("listening on patron.events.>") != std::string::npos;
}

std::string WriteSecret(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = (dir.path() / name).string();
  std::ofstream(path) << text << "\n";
  return path;
}

// Runs the engine with `auth` flags, publishes the example's events with the
// same flags, and requires actions to reach `listener` (subscribed to
// patron.actions.>) and the engine to stop cleanly.
void RequireEndToEnd(const std::string& url, const std::vector<std::string>& auth, MessageCollector& actions) {
  TempDir dir;
  std::vector<std::string> run = {PatronBinary(), "run",  "--core", "--rules", kExample, "--nats", url,
                                  "--data",       (dir.path() / "data").string(), "--log-format", "json"};
  run.insert(run.end(), auth.begin(), auth.end());
  Process engine(run);
  REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
  INFO(engine.Describe());
  REQUIRE(Listening(engine));
  std::vector<std::string> publish = {"publish", "--nats", url, "--events", kEvents};
  publish.insert(publish.end(), auth.begin(), auth.end());
  Ran published = RunPatron(publish);
  INFO(published.described);
  REQUIRE(published.code == 0);
  REQUIRE(actions.WaitForCount(kSomeActions, kBound));
  engine.Signal(SIGTERM);
  auto code = engine.Wait(kBound);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(engine.err().find("\"level\":\"error\"") == std::string::npos);
}

}  // namespace

TEST_CASE("run and publish work end to end in each way of authenticating", "[integration][auth]") {
  TempDir secrets;
  MessageCollector actions;
  NatsConnectionOptions listener;
  std::vector<std::string> auth;
  std::string config;
  std::string scheme = "nats://";

  SECTION("user and password from a file") {
    config = PermissionsConfig();
    listener.auth = {.user = "admin", .password = "admin-pw"};
    auth = {"--nats-user", "admin", "--nats-password-file", WriteSecret(secrets, "password", "admin-pw")};
  }
  SECTION("token from the environment") {
    config = "authorization { token: \"tok-123\" }\n";
    listener.auth.token = "tok-123";
    ::setenv("PATRON_TEST_NATS_TOKEN", "tok-123", 1);
    auth = {"--nats-token-env", "PATRON_TEST_NATS_TOKEN"};
  }
  SECTION("NKey seed from a file") {
    NkeyPair user = MakeNkey(NkeyType::kUser);
    config = "authorization { users = [ {nkey: " + user.public_key + "} ] }\n";
    listener.auth.nkey_seed = user.seed;
    auth = {"--nats-nkey-seed-file", WriteSecret(secrets, "seed", user.seed)};
  }
  SECTION("credentials file (JWT, operator mode)") {
    JwtAuthority authority;
    config = authority.ServerConfig();
    listener.auth.credentials_file = WriteSecret(secrets, "listener.creds", authority.UserCreds("listener"));
    auth = {"--nats-credentials-file", WriteSecret(secrets, "engine.creds", authority.UserCreds("engine"))};
  }
  SECTION("TLS, the server verified against a CA") {
    auto certs = MakeTestCerts(secrets.path());
    REQUIRE(certs.ok());
    config = TlsConfig(*certs, false);
    listener.tls.ca_file = certs->ca_file;
    auth = {"--nats-tls-ca-file", certs->ca_file};
  }
  SECTION("TLS with a client certificate, and a password") {
    auto certs = MakeTestCerts(secrets.path());
    REQUIRE(certs.ok());
    config = TlsConfig(*certs, true) + PermissionsConfig();
    listener.tls = {.enabled = true, .ca_file = certs->ca_file, .cert_file = certs->client_cert_file,
                    .key_file = certs->client_key_file};
    listener.auth = {.user = "admin", .password = "admin-pw"};
    ::setenv("PATRON_TEST_NATS_PASSWORD", "admin-pw", 1);
    auth = {"--nats-tls-ca-file",   certs->ca_file,         "--nats-tls-cert-file", certs->client_cert_file,
            "--nats-tls-key-file",  certs->client_key_file, "--nats-user",          "admin",
            "--nats-password-env",  "PATRON_TEST_NATS_PASSWORD"};
    scheme = "tls://";
  }

  NatsServer server(WithConfig(config));
  RequireStarted(server);
  const std::string url = scheme + "127.0.0.1:" + std::to_string(server.port());
  NatsConnection listening = RequireConnect(url, listener);
  auto sub = listening.Subscribe("patron.actions.>", actions.Handler());
  REQUIRE(sub.ok());
  REQUIRE(listening.Flush(5s).ok());
  RequireEndToEnd(url, auth, actions);

  // Without the credentials the same server refuses the engine, at once.
  TempDir data;
  Ran refused = RunPatron({"run", "--core", "--rules", kExample, "--nats", url, "--data", data.str()});
  INFO(refused.described);
  CHECK(refused.code == 1);
}

TEST_CASE("run waits for a server that is not up yet, and a URL's password is in neither the log nor argv",
          "[integration][auth]") {
  NatsServer server(WithConfig(PermissionsConfig()));
  RequireStarted(server);
  server.Stop();  // the port is known and nobody listens
  const std::string url = "nats://admin:admin-pw@127.0.0.1:" + std::to_string(server.port());
  TempDir dir;
  Process engine({PatronBinary(), "run", "--core", "--rules", kExample, "--nats", url, "--data",
                  (dir.path() / "data").string(), "--log-format", "json"});
  REQUIRE(WaitUntil([&] { return engine.err().find("attempt 2") != std::string::npos || !engine.running(); },
                    kBound));
  INFO(engine.Describe());
  REQUIRE(engine.running());
  const std::string cmdline = ReadFile("/proc/" + std::to_string(engine.pid()) + "/cmdline");
  CHECK(cmdline.find("admin-pw") == std::string::npos);
  CHECK(cmdline.find("nats://admin:********@127.0.0.1") != std::string::npos);

  RequireStarted(server);
  REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
  REQUIRE(Listening(engine));
  Ran published = RunPatron({"publish", "--nats", url, "--events", kEvents});
  INFO(published.described);
  REQUIRE(published.code == 0);
  engine.Signal(SIGTERM);
  auto code = engine.Wait(kBound);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(engine.err().find("admin:***@127.0.0.1") != std::string::npos);
  CHECK(engine.err().find("admin-pw") == std::string::npos);
  CHECK(published.err.find("admin-pw") == std::string::npos);
  // publish fails fast by default, without the password in its message.
  server.Stop();
  Ran failed = RunPatron({"publish", "--nats", url, "--events", kEvents});
  CHECK(failed.code == 1);
  CHECK(failed.err.find("admin-pw") == std::string::npos);
  CHECK(failed.err.find("admin:***@") != std::string::npos);
}

TEST_CASE("run as a user who may not publish actions logs an error naming the subject, and goes on",
          "[integration][auth]") {
  NatsServer server(WithConfig(PermissionsConfig()));
  RequireStarted(server);
  TempDir dir;
  const std::string password = WriteSecret(dir, "password", "engine-pw");
  Process engine({PatronBinary(), "run", "--core", "--rules", kExample, "--nats", server.url(), "--data",
                  (dir.path() / "data").string(), "--log-format", "json", "--nats-user", "engine",
                  "--nats-password-file", password});
  REQUIRE(WaitUntil([&] { return Listening(engine) || !engine.running(); }, kBound));
  INFO(engine.Describe());
  REQUIRE(Listening(engine));
  ::setenv("PATRON_TEST_ADMIN_PASSWORD", "admin-pw", 1);
  Ran published = RunPatron({"publish", "--nats", server.url(), "--events", kEvents, "--nats-user", "admin",
                             "--nats-password-env", "PATRON_TEST_ADMIN_PASSWORD"});
  REQUIRE(published.code == 0);
  REQUIRE(WaitUntil(
      [&] { return engine.err().find("Permissions Violation for Publish to \\\"patron.actions.") != std::string::npos; },
      kBound));
  CHECK(engine.err().find("\"level\":\"error\"") != std::string::npos);
  CHECK(engine.running());
  engine.Signal(SIGTERM);
  auto code = engine.Wait(kBound);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
}

TEST_CASE("subscribe as a store's app: its tickets yes, coupons refused", "[integration][auth]") {
  NatsServer server(WithConfig(PermissionsConfig()));
  RequireStarted(server);
  ::setenv("PATRON_TEST_S012_PASSWORD", "s012-pw", 1);
  auto subscribe_as_app = [&](const std::string& subject) {
    return RunPatron({"subscribe", "--subject", subject, "--nats", server.url(), "--nats-user", "s012",
                      "--nats-password-env", "PATRON_TEST_S012_PASSWORD", "--timeout-ms", "300"});
  };
  Ran refused = subscribe_as_app("patron.actions.coupon.s012");
  INFO(refused.described);
  CHECK(refused.code == 1);
  CHECK(refused.err.find("refused the subscription") != std::string::npos);
  CHECK(refused.err.find("patron.actions.coupon.s012") != std::string::npos);
  Ran allowed = subscribe_as_app("patron.actions.ticket.s012");
  INFO(allowed.described);
  CHECK(allowed.code == 0);
  CHECK(allowed.err.find("subscribed to patron.actions.ticket.s012") != std::string::npos);
}

}  // namespace patron::testing
