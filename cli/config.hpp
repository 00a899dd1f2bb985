#pragma once
// The `patron` configuration file (TOML, `--config FILE`). Every setting is
// also a command-line flag, and a flag given on the command line wins over
// the file. examples/restaurant/patron.toml is a commented example:
//
//   [nats]
//   url = "nats://127.0.0.1:4222"
//   subject_prefix = "patron"
//   user = "engine"             # authentication and TLS: docs/operations.md
//   password_file = "/etc/patron/nats-password"
//   tls_ca_file = "/etc/patron/ca.pem"
//   [engine]
//   rules = "rules"             # relative paths are relative to the file
//   data = "/var/lib/patron"
//   timezone = "Asia/Shanghai"
//   batch_size = 4096
//   batch_interval_ms = 10
//   mask_staff_phones = true
//   late_grace = "5s"           # run: timers fire 5 s after they fall due
//   max_event_bytes = 1048576   # and the other limits of IntakeLimits
//   processed_retention = "7d"  # ms, s, m, h, d
//   [webhooks]
//   crm = "http://127.0.0.1:8080/patron"
//   [log]
//   format = "text"             # or "json"
//   level = "info"
//
// Unknown sections and keys are errors, so a misspelt setting never goes
// unnoticed. Parsing is pure (no I/O but reading the file) and thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "engine/intake_limits.hpp"

namespace patron::cli {

// [nats] authentication, TLS and connecting (docs/operations.md). A secret
// is named by where it is, a file (`*_file`, first line, surrounding blanks
// trimmed) or an environment variable (`*_env`), never given as a value: a
// flag's value shows in `ps`. Relative paths in a file resolve against it.
struct NatsAccessConfig {
  std::string user;  // with password_file or password_env
  std::string password_file;
  std::string password_env;
  std::string token_file;
  std::string token_env;
  std::string nkey_seed_file;  // a user seed "SU..."
  std::string nkey_seed_env;
  std::string credentials_file;  // a .creds file (user JWT and seed)
  bool tls = false;              // require TLS (also on with tls:// or a tls_* file)
  std::string tls_ca_file;
  std::string tls_cert_file;  // with tls_key_file: a client certificate
  std::string tls_key_file;
  // How long connecting waits for a server that does not answer yet:
  // -1 = forever, 0 = one attempt; unset = the command's default (`run`
  // waits forever, `publish` and `subscribe` try once).
  std::optional<int64_t> connect_wait_ms;
  // Reconnect attempts after a lost connection; -1 = forever.
  int64_t max_reconnect = -1;
};

// [jetstream]: the streams and the durable consumer of `run` (created when
// missing, used as they are when they exist; transport/jetstream_streams.hpp).
// Durations are written "500ms", "30s", "2m", "24h", "7d".
struct JetStreamConfig {
  std::string events_stream = "PATRON_EVENTS";    // subjects <prefix>.events.>
  std::string actions_stream = "PATRON_ACTIONS";  // <prefix>.actions.> and <prefix>.dead
  std::string consumer = "patron";                // durable consumer on the events stream
  int64_t max_ack_pending = 20'000;               // keep it >= batch_size (a batch must fit)
  std::chrono::milliseconds ack_wait{30'000};     // redelivery of an unacknowledged event
  int64_t max_deliver = 10;                       // the last delivery is dead-lettered; -1 = unlimited
  std::vector<std::chrono::milliseconds> backoff; // waits before redeliveries; fewer than max_deliver
  std::chrono::milliseconds duplicate_window{120'000};
  std::chrono::milliseconds max_age{7LL * 24 * 3'600'000};  // 0 = forever
  int64_t max_bytes = -1;                         // -1 = unlimited
  std::string intake = "push";                    // "push" (measured faster) or "pull"
};

// "250ms", "30s", "2m", "24h", "7d" (base/duration_text.hpp) in whole
// milliseconds, or nullopt.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

struct Config {
  // [nats] url: the server `run`, `publish` and `subscribe` connect to.
  std::string nats_url = "nats://127.0.0.1:4222";
  // [nats] subject_prefix: intake `<prefix>.events.>`, actions
  // `<prefix>.actions.<kind>.<store>`, dead letters `<prefix>.dead`.
  std::string subject_prefix = "patron";
  // [nats] user, password_file, ..., max_reconnect: see NatsAccessConfig.
  NatsAccessConfig nats_access;
  // [engine] rules: a *.rules file or a directory of them (a string), or a
  // list of them; empty = not set.
  std::vector<std::string> rules;
  // [engine] data: the LMDB directory; empty = not set.
  std::string data_dir;
  // [engine] timezone: IANA name for `at HH:MM`, `between` and calendar windows.
  std::string timezone = "Asia/Shanghai";
  // [engine] batch_size: group commit after this many accepted messages.
  size_t batch_size = 4096;
  // [engine] batch_interval_ms: `run` commits at least this often while
  // messages arrive.
  int batch_interval_ms = 10;
  // [engine] mask_staff_phones: mask phones in ticket and remind actions.
  bool mask_staff_phones = true;
  // [engine] late_grace ("5s"): `run` fires a time-driven timer when the wall
  // clock passes its due time plus this grace for late events
  // (runtime/live_clock.hpp); 0 allowed.
  Duration late_grace = 5 * kMicrosPerSecond;
  // [engine] max_event_bytes, max_json_depth, max_identifier_bytes,
  // max_future_skew_hours, earliest_event_time (RFC 3339),
  // max_dead_message_bytes, max_text_bytes: the limits at the door
  // (engine/intake_limits.hpp). time_reference is never read from here.
  IntakeLimits limits;
  // [engine] processed_retention ("7d"): how long processed event ids are
  // remembered (on the engine's clock) to drop redeliveries; at least 1 s.
  Duration processed_retention = 7 * kMicrosPerDay;
  // [webhooks] name = "http://host:port/path": endpoints for `webhook "<name>"`.
  std::map<std::string, std::string> webhooks;
  // [log] format: "text" (human-readable) or "json" (one object per line).
  std::string log_format = "text";
  // [log] level: trace, debug, info, warn, error or off.
  std::string log_level = "info";
  // [jetstream]
  JetStreamConfig jetstream;
};

// Hard limits checked by ValidateConfig.
inline constexpr size_t kMaxBatchSize = 1'000'000;
inline constexpr int kMaxBatchIntervalMs = 60'000;
inline constexpr Duration kMaxLateGrace = kMicrosPerDay;
inline constexpr Duration kMaxProcessedRetention = 3660 * kMicrosPerDay;

// The range each IntakeLimits setting may take, for the file and the flags.
struct LimitRange {
  const char* key;   // [engine] key; the flag is the key with '-' for '_'
  int64_t min, max;  // inclusive
};
inline constexpr LimitRange kEventBytesRange{"max_event_bytes", 256, int64_t{64} << 20};
inline constexpr LimitRange kJsonDepthRange{"max_json_depth", 2, 10'000};
inline constexpr LimitRange kIdentifierBytesRange{"max_identifier_bytes", 8, 65'536};
inline constexpr LimitRange kFutureSkewHoursRange{"max_future_skew_hours", 0, 24 * 366 * 100};
inline constexpr LimitRange kDeadMessageBytesRange{"max_dead_message_bytes", 256, int64_t{64} << 20};
inline constexpr LimitRange kTextBytesRange{"max_text_bytes", 16, int64_t{1} << 20};
inline constexpr int64_t kMaxConnectWaitMs = 7 * 24 * 3600 * 1000LL;
inline constexpr int64_t kMaxReconnect = 1'000'000'000;

// Parses TOML text named `source_name` (for messages) over `base`: settings
// present in the text replace those of `base`. Relative `rules` and `data`
// paths are resolved against `base_dir` when it is not empty. Returns
// kInvalidArgument with "<source>:<line>:<col>: <what>" on a syntax error, an
// unknown key, a value of the wrong type, or a value ValidateConfig rejects.
Result<Config> ParseConfigText(std::string_view text, std::string_view source_name, const Config& base = {},
                               const std::string& base_dir = {});

// Reads and parses `path` (relative paths inside resolve against its
// directory). kIoError when the file cannot be read.
Result<Config> LoadConfigFile(const std::string& path, const Config& base = {});

// Checks values that any source (file or flag) may get wrong: batch size and
// interval within limits, the intake limits within their LimitRange, a known log format and level, a subject prefix
// that is a valid NATS subject without wildcards, nats:// (or tls://) and
// http:// URLs (the webhook sink speaks plain HTTP only). kInvalidArgument naming the setting.
Status ValidateConfig(const Config& config);

}  // namespace patron::cli
