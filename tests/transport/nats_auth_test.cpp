// transport/nats_connection: authentication (user and password, token,
// NKey, credentials file), TLS and permissions, against a real nats-server
// configured by the test; connecting to a server that is not up yet.
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <thread>

#include "tests/support/message_collector.hpp"
#include "tests/support/nats_auth_servers.hpp"
#include "tests/support/nats_jwt.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/nats_connection.hpp"
#include "transport/nkey.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;
using testing::RequireConnect;
using testing::RequireStarted;

testing::NatsServerOptions WithConfig(std::string config) {
  testing::NatsServerOptions o;
  o.config = std::move(config);
  return o;
}

NatsConnectionOptions Auth(NatsAuth auth) {
  NatsConnectionOptions o;
  o.auth = std::move(auth);
  return o;
}

// Publishes on one connection and receives on another: the pair works.
void RequireRoundTrip(NatsConnection& a, NatsConnection& b) {
  testing::MessageCollector got;
  auto sub = b.Subscribe("t.x", got.Handler());
  REQUIRE(sub.ok());
  REQUIRE(b.Flush(5s).ok());
  REQUIRE(a.Publish("t.x", "hello").ok());
  REQUIRE(a.Flush(5s).ok());
  REQUIRE(got.WaitForCount(1));
  CHECK(got.messages()[0].data == "hello");
}

}  // namespace

TEST_CASE("NKey seeds: encoded, decoded, their public key derived", "[nats][auth]") {
  testing::NkeyPair user = testing::MakeNkey(NkeyType::kUser);
  CHECK(user.seed.rfind("SU", 0) == 0);
  CHECK(user.seed.size() == 58);
  CHECK(user.public_key.rfind("U", 0) == 0);
  CHECK(user.public_key.size() == 56);
  CHECK(NkeyPublicKey(" " + user.seed + "\n").value() == user.public_key);
  CHECK(testing::MakeNkey(NkeyType::kAccount).public_key.rfind("A", 0) == 0);
  CHECK(testing::MakeNkey(NkeyType::kOperator).seed.rfind("SO", 0) == 0);
  std::string broken = user.seed;
  broken[10] = broken[10] == 'A' ? 'B' : 'A';  // the CRC no longer matches
  CHECK(NkeyPublicKey(broken).status().code() == StatusCode::kInvalidArgument);
  CHECK(NkeyPublicKey(user.public_key).status().code() == StatusCode::kInvalidArgument);  // not a seed
  CHECK(NkeyPublicKey(broken).status().message().find(broken) == std::string::npos);
}

TEST_CASE("user and password: the right ones connect, a wrong password is refused", "[nats][auth]") {
  testing::NatsServer server(WithConfig(testing::PermissionsConfig()));
  RequireStarted(server);
  NatsConnection admin = RequireConnect(server.url(), Auth({.user = "admin", .password = "admin-pw"}));
  NatsConnection other = RequireConnect(server.url(), Auth({.user = "admin", .password = "admin-pw"}));
  RequireRoundTrip(admin, other);

  auto wrong = NatsConnection::Connect(server.url(), "test", Auth({.user = "admin", .password = "not-it"}));
  REQUIRE_FALSE(wrong.ok());
  INFO(wrong.status().ToString());
  CHECK(wrong.status().code() != StatusCode::kUnavailable);  // refused, not "try later"
  CHECK(wrong.status().message().find("uthoriz") != std::string::npos);
  CHECK(wrong.status().message().find("not-it") == std::string::npos);
  auto none = NatsConnection::Connect(server.url(), "test");
  CHECK_FALSE(none.ok());
  // Credentials in the URL work too, and no message shows them.
  const std::string with_password = "nats://admin:admin-pw@127.0.0.1:" + std::to_string(server.port());
  CHECK(NatsConnection::Connect(with_password, "test").ok());
  const std::string wrong_in_url = "nats://admin:hunter2@127.0.0.1:" + std::to_string(server.port());
  auto refused = NatsConnection::Connect(wrong_in_url, "test");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("hunter2") == std::string::npos);
  CHECK(refused.status().message().find("admin:***@") != std::string::npos);
}

TEST_CASE("settings that cannot work are refused before connecting", "[nats][auth]") {
  auto mixed = NatsConnection::Connect("nats://127.0.0.1:1", "test",
                                       Auth({.user = "a", .password = "b", .token = "c"}));
  CHECK(mixed.status().code() == StatusCode::kInvalidArgument);
  auto no_password = NatsConnection::Connect("nats://127.0.0.1:1", "test", Auth({.user = "a"}));
  CHECK(no_password.status().code() == StatusCode::kInvalidArgument);
  auto bad_seed = NatsConnection::Connect("nats://127.0.0.1:1", "test", Auth({.nkey_seed = "SUnotaseed"}));
  CHECK(bad_seed.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad_seed.status().message().find("SUnotaseed") == std::string::npos);
  NatsConnectionOptions half_tls;
  half_tls.tls.cert_file = "/nonexistent/client.pem";
  CHECK(NatsConnection::Connect("nats://127.0.0.1:1", "test", half_tls).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("token: the right one connects, a wrong one is refused", "[nats][auth]") {
  testing::NatsServer server(WithConfig("authorization { token: \"tok-123\" }\n"));
  RequireStarted(server);
  NatsConnection a = RequireConnect(server.url(), Auth({.token = "tok-123"}));
  NatsConnection b = RequireConnect("nats://tok-123@127.0.0.1:" + std::to_string(server.port()));
  RequireRoundTrip(a, b);
  auto wrong = NatsConnection::Connect(server.url(), "test", Auth({.token = "tok-999"}));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() != StatusCode::kUnavailable);
  CHECK(wrong.status().message().find("tok-999") == std::string::npos);
}

TEST_CASE("NKey: the user's seed connects, another key is refused", "[nats][auth]") {
  testing::NkeyPair user = testing::MakeNkey(NkeyType::kUser);
  testing::NatsServer server(WithConfig("authorization { users = [ {nkey: " + user.public_key + "} ] }\n"));
  RequireStarted(server);
  NatsConnection a = RequireConnect(server.url(), Auth({.nkey_seed = user.seed}));
  NatsConnection b = RequireConnect(server.url(), Auth({.nkey_seed = user.seed + "\n"}));
  RequireRoundTrip(a, b);
  const std::string other = testing::MakeNkey(NkeyType::kUser).seed;
  auto wrong = NatsConnection::Connect(server.url(), "test", Auth({.nkey_seed = other}));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() != StatusCode::kUnavailable);
  CHECK(wrong.status().message().find(other) == std::string::npos);
}

TEST_CASE("credentials file: a user JWT of the operator's account connects, another's is refused",
          "[nats][auth]") {
  testing::JwtAuthority authority;
  testing::NatsServer server(WithConfig(authority.ServerConfig()));
  RequireStarted(server);
  testing::TempDir dir;
  const std::string good = (dir.path() / "good.creds").string();
  const std::string foreign = (dir.path() / "foreign.creds").string();
  std::ofstream(good) << authority.UserCreds("engine");
  std::ofstream(foreign) << testing::JwtAuthority().UserCreds("stranger");  // another operator's account
  NatsConnection a = RequireConnect(server.url(), Auth({.credentials_file = good}));
  NatsConnection b = RequireConnect(server.url(), Auth({.credentials_file = good}));
  RequireRoundTrip(a, b);
  auto wrong = NatsConnection::Connect(server.url(), "test", Auth({.credentials_file = foreign}));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() != StatusCode::kUnavailable);
  auto missing = NatsConnection::Connect(server.url(), "test", Auth({.credentials_file = good + ".missing"}));
  REQUIRE_FALSE(missing.ok());
}

TEST_CASE("TLS: plain text refused, the server verified against the CA, client certificates", "[nats][auth]") {
  testing::TempDir dir;
  auto certs = testing::MakeTestCerts(dir.path());
  INFO(certs.status().ToString());
  REQUIRE(certs.ok());

  SECTION("server certificate only") {
    testing::NatsServer server(WithConfig(testing::TlsConfig(*certs, false)));
    RequireStarted(server);
    auto plain = NatsConnection::Connect(server.url(), "test");
    REQUIRE_FALSE(plain.ok());
    INFO(plain.status().ToString());
    CHECK(plain.status().code() != StatusCode::kUnavailable);
    // libnats upgrades to TLS when the server asks; without the CA the
    // server's certificate is not trusted.
    CHECK(plain.status().message().find("SSL") != std::string::npos);

    NatsConnectionOptions tls;
    tls.tls.ca_file = certs->ca_file;
    NatsConnection a = RequireConnect(server.url(), tls);
    NatsConnection b = RequireConnect("tls://127.0.0.1:" + std::to_string(server.port()), tls);
    RequireRoundTrip(a, b);

    NatsConnectionOptions untrusted;
    untrusted.tls.ca_file = certs->other_ca_file;
    auto refused = NatsConnection::Connect(server.url(), "test", untrusted);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() != StatusCode::kUnavailable);
  }
  SECTION("client certificate required") {
    testing::NatsServer server(WithConfig(testing::TlsConfig(*certs, true)));
    RequireStarted(server);
    NatsConnectionOptions without;
    without.tls.ca_file = certs->ca_file;
    auto refused = NatsConnection::Connect(server.url(), "test", without);
    REQUIRE_FALSE(refused.ok());
    NatsConnectionOptions with = without;
    with.tls.cert_file = certs->client_cert_file;
    with.tls.key_file = certs->client_key_file;
    NatsConnection a = RequireConnect(server.url(), with);
    NatsConnection b = RequireConnect(server.url(), with);
    RequireRoundTrip(a, b);
  }
}

TEST_CASE("permissions: a refused publish is logged as an error naming its subject", "[nats][auth]") {
  testing::NatsServer server(WithConfig(testing::PermissionsConfig()));
  RequireStarted(server);
  testing::CapturedLog log;
  NatsConnectionOptions engine = Auth({.user = "engine", .password = "engine-pw"});
  engine.logger = log.logger;
  NatsConnection conn = RequireConnect(server.url(), engine);
  NatsConnection admin = RequireConnect(server.url(), Auth({.user = "admin", .password = "admin-pw"}));
  testing::MessageCollector got;
  auto sub = admin.Subscribe("patron.>", got.Handler());
  REQUIRE(sub.ok());
  REQUIRE(admin.Flush(5s).ok());

  REQUIRE(conn.Publish("patron.actions.coupon.s012", "{}").ok());  // queued; the server refuses it
  REQUIRE(conn.Publish("patron.dead", "allowed").ok());
  REQUIRE(conn.Flush(5s).ok());
  REQUIRE(got.WaitForCount(1));
  CHECK(conn.LastPermissionViolation().find("patron.actions.coupon.s012") != std::string::npos);
  REQUIRE(testing::WaitUntilTrue([&] { return conn.counters().permission_errors.load() >= 1; }));
  REQUIRE(testing::WaitUntilTrue([&] { return log.Text().find("patron.actions.coupon.s012") != std::string::npos; }));
  CHECK(log.Text().find("[error]") != std::string::npos);
  auto messages = got.messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].subject == "patron.dead");
  CHECK(conn.IsConnected());  // a refusal does not close the connection
}

TEST_CASE("a store's app user reads its store's ticket and remind actions, never a coupon", "[nats][auth]") {
  testing::NatsServer server(WithConfig(testing::PermissionsConfig()));
  RequireStarted(server);
  NatsConnection app = RequireConnect(server.url(), Auth({.user = "s012", .password = "s012-pw"}));
  NatsConnection engine = RequireConnect(server.url(), Auth({.user = "admin", .password = "admin-pw"}));
  testing::MessageCollector allowed;
  testing::MessageCollector coupons;
  testing::MessageCollector everything;
  auto ticket = app.Subscribe("patron.actions.ticket.s012", allowed.Handler());
  auto remind = app.Subscribe("patron.actions.remind.s012", allowed.Handler());
  REQUIRE(ticket.ok());
  REQUIRE(remind.ok());
  REQUIRE(app.Flush(5s).ok());
  CHECK(app.LastPermissionViolation().empty());
  auto coupon = app.Subscribe("patron.actions.coupon.s012", coupons.Handler());
  REQUIRE(coupon.ok());  // libnats sends SUB; the server refuses it
  REQUIRE(app.Flush(5s).ok());
  CHECK(app.LastPermissionViolation().find("Subscription to \"patron.actions.coupon.s012\"") != std::string::npos);
  auto wildcard = app.Subscribe("patron.actions.>", everything.Handler());
  REQUIRE(wildcard.ok());
  REQUIRE(app.Flush(5s).ok());
  CHECK(app.LastPermissionViolation().find("patron.actions.>") != std::string::npos);

  REQUIRE(engine.Publish("patron.actions.coupon.s012", R"({"phone":"13911112222"})").ok());
  REQUIRE(engine.Publish("patron.actions.ticket.s013", "other store").ok());
  REQUIRE(engine.Publish("patron.actions.ticket.s012", "ticket").ok());
  REQUIRE(engine.Publish("patron.actions.remind.s012", "remind").ok());
  REQUIRE(engine.Flush(5s).ok());
  REQUIRE(allowed.WaitForCount(2));
  // The server delivers one connection's messages in order: the coupon,
  // published first, would have arrived before the ticket and the remind.
  REQUIRE(app.Flush(5s).ok());
  CHECK(coupons.messages().empty());
  CHECK(everything.messages().empty());
  CHECK(allowed.messages().size() == 2);
}

TEST_CASE("connect waits for a server that is not up yet, logging each attempt", "[nats][auth]") {
  testing::NatsServer server;
  RequireStarted(server);
  server.Stop();  // the port is known and nobody listens
  testing::CapturedLog log;
  NatsConnectionOptions options;
  options.connect_retry_for = -1ms;  // forever
  options.connect_retry_initial = 50ms;
  options.connect_retry_max = 200ms;
  options.connect_timeout = 500ms;
  options.logger = log.logger;
  const std::string url = "nats://someone:hunter2@127.0.0.1:" + std::to_string(server.port());
  std::optional<Result<NatsConnection>> connected;
  std::thread connecting([&] { connected.emplace(NatsConnection::Connect(url, "test", options)); });
  REQUIRE(testing::WaitUntilTrue([&] { return log.Text().find("attempt 2") != std::string::npos; }));
  RequireStarted(server);
  connecting.join();
  REQUIRE(connected.has_value());
  INFO(connected->status().ToString());
  REQUIRE(connected->ok());
  CHECK((*connected)->IsConnected());
  const std::string text = log.Text();
  CHECK(text.find("not reachable (attempt 1)") != std::string::npos);
  CHECK(text.find("NATS connected to nats://someone:***@127.0.0.1") != std::string::npos);
  CHECK(text.find("hunter2") == std::string::npos);

  // A bounded wait gives up with the reason.
  server.Stop();
  options.connect_retry_for = 300ms;
  auto gave_up = NatsConnection::Connect(url, "test", options);
  REQUIRE_FALSE(gave_up.ok());
  CHECK(gave_up.status().code() == StatusCode::kUnavailable);
  CHECK(gave_up.status().message().find("someone:***@") != std::string::npos);
  CHECK(gave_up.status().message().find("hunter2") == std::string::npos);
}

}  // namespace patron

namespace patron {

TEST_CASE("a lost connection is logged once, and its return once, without credentials", "[nats][auth]") {
  testing::NatsServer server(testing::NatsServerOptions{.config = testing::PermissionsConfig()});
  RequireStarted(server);
  testing::CapturedLog log;
  NatsConnectionOptions options;
  options.reconnect_wait = std::chrono::milliseconds(20);  // many attempts while the server is down
  options.logger = log.logger;
  const std::string url = "nats://admin:admin-pw@127.0.0.1:" + std::to_string(server.port());
  NatsConnection conn = RequireConnect(url, options);
  server.Stop();
  REQUIRE(testing::WaitUntilTrue([&] { return conn.counters().disconnects.load() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // reconnect attempts fail meanwhile
  RequireStarted(server);
  REQUIRE(testing::WaitUntilTrue([&] { return conn.counters().reconnects.load() == 1; }));
  REQUIRE(testing::WaitUntilTrue([&] { return log.Text().find("reconnected") != std::string::npos; }));
  const std::string text = log.Text();
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count("NATS connection lost") == 1);
  CHECK(count("NATS reconnected to nats://admin:***@127.0.0.1") == 1);
  CHECK(text.find("admin-pw") == std::string::npos);
}

}  // namespace patron
