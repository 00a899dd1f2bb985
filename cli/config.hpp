#pragma once
// The `patron` configuration file (TOML, `--config FILE`). Every setting is
// also a command-line flag, and a flag given on the command line wins over
// the file. examples/restaurant/patron.toml is a commented example:
//
//   [nats]
//   url = "nats://127.0.0.1:4222"
//   subject_prefix = "patron"
//   [engine]
//   rules = "rules"             # relative paths are relative to the file
//   data = "/var/lib/patron"
//   timezone = "Asia/Shanghai"
//   batch_size = 4096
//   batch_interval_ms = 10
//   mask_staff_phones = true
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

namespace patron::cli {

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

// "250ms", "30s", "2m", "24h", "7d" (a whole number and a unit) or nullopt.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

struct Config {
  // [nats] url: the server `run`, `publish` and `subscribe` connect to.
  std::string nats_url = "nats://127.0.0.1:4222";
  // [nats] subject_prefix: intake `<prefix>.events.>`, actions
  // `<prefix>.actions.<kind>.<store>`, dead letters `<prefix>.dead`.
  std::string subject_prefix = "patron";
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
// interval within limits, a known log format and level, a subject prefix
// that is a valid NATS subject without wildcards, nats:// (or tls://) and
// http:// URLs (the webhook sink speaks plain HTTP only). kInvalidArgument naming the setting.
Status ValidateConfig(const Config& config);

}  // namespace patron::cli
