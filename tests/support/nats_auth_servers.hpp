#pragma once
// nats-server configurations for the authentication tests (tests/transport,
// tests/integration): the users, their permissions and TLS blocks, as text
// for NatsServerOptions::config. Header-only helpers.

#include <memory>
#include <string>

#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "tests/support/test_certs.hpp"

#include "tests/support/captured_log.hpp"

namespace patron::testing {

// The users of PermissionsConfig(), each with the password "<name>-pw":
// `admin` may do anything; `engine` may not publish to patron.actions.>;
// `s012` (a store's app) may only subscribe to its store's ticket and
// remind actions and publish nothing.
inline std::string PermissionsConfig() {
  return R"(authorization {
  users = [
    {user: admin, password: admin-pw}
    {user: engine, password: engine-pw, permissions: {publish: {deny: ["patron.actions.>"]}}}
    {user: s012, password: s012-pw, permissions: {
      publish: {deny: [">"]}
      subscribe: {allow: ["patron.actions.ticket.s012", "patron.actions.remind.s012"]}}}
  ]
}
)";
}

// A `tls` block serving `certs`' server certificate; `verify` requires a
// client certificate signed by the CA.
inline std::string TlsConfig(const TestCerts& certs, bool verify) {
  return "tls {\n  cert_file: \"" + certs.server_cert_file + "\"\n  key_file: \"" + certs.server_key_file +
         "\"\n  ca_file: \"" + certs.ca_file + "\"\n  verify: " + (verify ? "true" : "false") + "\n}\n";
}

}  // namespace patron::testing
