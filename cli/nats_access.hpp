#pragma once
// Turns the [nats] settings of a Config into the options of a NATS
// connection: reads each secret from its file or environment variable.
// Error messages name the file, the variable or the setting, never a secret.

#include <chrono>
#include <memory>

#include "base/result.hpp"
#include "cli/config.hpp"
#include "transport/nats_connection.hpp"

namespace patron::cli {

// The connection options of `config`: authentication, TLS, reconnects, and
// how long the first connect waits for a server (config's connect_wait_ms,
// or `default_connect_wait` when unset; negative = forever). Logs go to
// `logger` (may be null). kIoError when a secret file cannot be read;
// kInvalidArgument for an unset or empty environment variable, an empty
// secret, or a secret given twice (file and environment); a mix of methods
// or a password without a user is NatsConnection::Connect's to refuse.
// Reads files and the environment; any thread.
Result<NatsConnectionOptions> NatsOptionsFor(const Config& config, std::chrono::milliseconds default_connect_wait,
                                             std::shared_ptr<spdlog::logger> logger);

// Connects as `name` with NatsOptionsFor(config, default_connect_wait,
// logger). The failure of either, as a Status whose message shows the URL
// with its credentials as ***.
Result<NatsConnection> ConnectFor(const Config& config, std::string_view name,
                                  std::chrono::milliseconds default_connect_wait,
                                  std::shared_ptr<spdlog::logger> logger);

}  // namespace patron::cli
