// cli/config.hpp's [nats] authentication, TLS and connecting keys, and
// cli/nats_access.hpp reading the secrets they name.

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <fstream>

#include "cli/config.hpp"
#include "cli/nats_access.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::cli {
namespace {

using namespace std::chrono_literals;

TEST_CASE("config: the [nats] authentication keys are read, file paths relative to the file", "[config][auth]") {
  const char* text = R"(
[nats]
url = "tls://nats.example:4222"
user = "engine"
password_file = "secrets/password"
tls = true
tls_ca_file = "/etc/patron/ca.pem"
tls_cert_file = "client.pem"
tls_key_file = "client.key"
connect_wait_ms = 60000
max_reconnect = 100
)";
  auto config = ParseConfigText(text, "patron.toml", {}, "/etc/patron");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  const NatsAccessConfig& a = config->nats_access;
  CHECK(a.user == "engine");
  CHECK(a.password_file == "/etc/patron/secrets/password");
  CHECK(a.tls);
  CHECK(a.tls_ca_file == "/etc/patron/ca.pem");
  CHECK(a.tls_cert_file == "/etc/patron/client.pem");
  CHECK(a.tls_key_file == "/etc/patron/client.key");
  CHECK(a.connect_wait_ms == 60000);
  CHECK(a.max_reconnect == 100);

  auto defaults = ParseConfigText("", "empty.toml");
  REQUIRE(defaults.ok());
  CHECK_FALSE(defaults->nats_access.connect_wait_ms.has_value());
  CHECK(defaults->nats_access.max_reconnect == -1);
  CHECK_FALSE(defaults->nats_access.tls);

  // A secret is never a value of the file: `password` is not a key.
  auto inline_password = ParseConfigText("[nats]\npassword = \"s3cret\"\n", "bad.toml");
  REQUIRE_FALSE(inline_password.ok());
  CHECK(inline_password.status().message().find("unknown setting 'nats.password'") != std::string::npos);
  CHECK(ParseConfigText("[nats]\nconnect_wait_ms = -2\n", "bad.toml").status().code() ==
        StatusCode::kInvalidArgument);
  // A URL's password is never shown, not even in an error.
  auto bad_url = ParseConfigText("[nats]\nurl = \"http://ann:s3cret@host\"\n", "bad.toml");
  REQUIRE_FALSE(bad_url.ok());
  CHECK(bad_url.status().message().find("s3cret") == std::string::npos);
  CHECK(bad_url.status().message().find("ann:***@host") != std::string::npos);
}

TEST_CASE("secrets come from their file or environment variable, and errors never show them", "[config][auth]") {
  testing::TempDir dir;
  const std::string password_file = (dir.path() / "password").string();
  std::ofstream(password_file) << "  pw-from-file \nsecond line ignored\n";
  Config config;
  config.nats_access.user = "engine";
  config.nats_access.password_file = password_file;
  config.nats_access.connect_wait_ms = 5000;
  auto from_file = NatsOptionsFor(config, -1ms, nullptr);
  REQUIRE(from_file.ok());
  CHECK(from_file->auth.user == "engine");
  CHECK(from_file->auth.password == "pw-from-file");
  CHECK(from_file->connect_retry_for == 5000ms);

  ::setenv("PATRON_TEST_TOKEN", "tok-from-env\n", 1);
  Config token;
  token.nats_access.token_env = "PATRON_TEST_TOKEN";
  auto from_env = NatsOptionsFor(token, -1ms, nullptr);
  REQUIRE(from_env.ok());
  CHECK(from_env->auth.token == "tok-from-env");
  CHECK(from_env->connect_retry_for == -1ms);  // the command's default

  Config unset;
  unset.nats_access.nkey_seed_env = "PATRON_TEST_NOT_SET";
  ::unsetenv("PATRON_TEST_NOT_SET");
  auto missing = NatsOptionsFor(unset, 0ms, nullptr);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("PATRON_TEST_NOT_SET") != std::string::npos);

  Config both = token;
  both.nats_access.token_file = password_file;
  auto twice = NatsOptionsFor(both, 0ms, nullptr);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().message().find("tok-from-env") == std::string::npos);

  Config unreadable;
  unreadable.nats_access.user = "engine";
  unreadable.nats_access.password_file = password_file + ".missing";
  CHECK(NatsOptionsFor(unreadable, 0ms, nullptr).status().code() == StatusCode::kIoError);
}

}  // namespace
}  // namespace patron::cli
