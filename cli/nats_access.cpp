#include "cli/nats_access.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace patron::cli {
namespace {

std::string Trimmed(const std::string& s) {
  const char* blanks = " \t\r\n";
  const size_t begin = s.find_first_not_of(blanks);
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(blanks) + 1 - begin);
}

// The secret `what` from `file` or from the environment variable `env`
// (at most one of them given); empty when neither is.
Result<std::string> ReadSecret(const char* what, const std::string& file, const std::string& env) {
  if (!file.empty() && !env.empty()) {
    return Status::Invalid(std::string("the NATS ") + what + " comes from a file or the environment, not both");
  }
  std::string secret;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) return Status::Io(std::string("cannot read the NATS ") + what + " file '" + file + "'");
    // The first line: a file written by `echo` ends with a newline.
    secret = Trimmed(text.str().substr(0, text.str().find('\n')));
    if (secret.empty()) return Status::Invalid(std::string("the NATS ") + what + " file '" + file + "' is empty");
  } else if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value != nullptr) secret = Trimmed(value);
    if (secret.empty()) {
      return Status::Invalid(std::string("the environment variable ") + env + " (the NATS " + what +
                             ") is not set or empty");
    }
  }
  return secret;
}

}  // namespace

Result<NatsConnectionOptions> NatsOptionsFor(const Config& config, std::chrono::milliseconds default_connect_wait,
                                             std::shared_ptr<spdlog::logger> logger) {
  const NatsAccessConfig& a = config.nats_access;
  NatsConnectionOptions o;
  Result<std::string> password = ReadSecret("password", a.password_file, a.password_env);
  if (!password.ok()) return password.status();
  Result<std::string> token = ReadSecret("token", a.token_file, a.token_env);
  if (!token.ok()) return token.status();
  Result<std::string> seed = ReadSecret("NKey seed", a.nkey_seed_file, a.nkey_seed_env);
  if (!seed.ok()) return seed.status();
  o.auth.user = a.user;
  o.auth.password = std::move(password.value());
  o.auth.token = std::move(token.value());
  o.auth.nkey_seed = std::move(seed.value());
  o.auth.credentials_file = a.credentials_file;
  o.tls.enabled = a.tls;
  o.tls.ca_file = a.tls_ca_file;
  o.tls.cert_file = a.tls_cert_file;
  o.tls.key_file = a.tls_key_file;
  o.connect_retry_for =
      a.connect_wait_ms ? std::chrono::milliseconds(*a.connect_wait_ms) : default_connect_wait;
  o.max_reconnect = static_cast<int>(a.max_reconnect);
  o.logger = std::move(logger);
  return o;
}

Result<NatsConnection> ConnectFor(const Config& config, std::string_view name,
                                  std::chrono::milliseconds default_connect_wait,
                                  std::shared_ptr<spdlog::logger> logger) {
  Result<NatsConnectionOptions> options = NatsOptionsFor(config, default_connect_wait, std::move(logger));
  if (!options.ok()) return options.status();
  return NatsConnection::Connect(config.nats_url, name, std::move(options.value()));
}

}  // namespace patron::cli
