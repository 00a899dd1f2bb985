#include "cli/config.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include <toml++/toml.h>

#include "base/url_secrets.hpp"
#include "base/duration_text.hpp"

namespace patron::cli {
namespace {

// "<source>:<line>:<col>: <message>" for a node of the document.
std::string At(std::string_view source, const toml::source_region& where, std::string_view message) {
  std::string out(source);
  out += ':';
  out += std::to_string(where.begin.line);
  out += ':';
  out += std::to_string(where.begin.column);
  out += ": ";
  out += message;
  return out;
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (base_dir.empty() || path.empty() || std::filesystem::path(path).is_absolute()) return path;
  std::string resolved = (std::filesystem::path(base_dir) / path).lexically_normal().string();
  // "dir/." normalises to "dir/"; rule paths are printed as given, so drop the slash.
  while (resolved.size() > 1 && resolved.back() == '/') resolved.pop_back();
  return resolved;
}

// Reads the members of one table, rejecting unknown keys and wrong types.
class TableReader {
 public:
  TableReader(std::string_view source, std::string_view section, const toml::table& table)
      : source_(source), section_(section), table_(table) {}

  Status String(std::string_view key, std::string& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return WrongType(key, *node, "a string");
    out = node->as_string()->get();
    return Status::Ok();
  }
  // A string or an array of strings.
  Status Strings(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (node->is_string()) {
      out = {node->as_string()->get()};
      return Status::Ok();
    }
    const toml::array* array = node->as_array();
    if (array == nullptr) return WrongType(key, *node, "a string or a list of strings");
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
      if (!item.is_string()) return WrongType(key, item, "a string or a list of strings");
      values.push_back(item.as_string()->get());
    }
    out = std::move(values);
    return Status::Ok();
  }
  Status Bool(std::string_view key, bool& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_boolean()) return WrongType(key, *node, "true or false");
    out = node->as_boolean()->get();
    return Status::Ok();
  }
  Status Integer(std::string_view key, int64_t min, int64_t max, int64_t& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_integer()) return WrongType(key, *node, "an integer");
    int64_t v = node->as_integer()->get();
    if (v < min || v > max) {
      return Status::Invalid(At(source_, node->source(),
                                Qualified(key) + " must be between " + std::to_string(min) + " and " +
                                    std::to_string(max) + ", not " + std::to_string(v)));
    }
    out = v;
    return Status::Ok();
  }
  // A duration written as text (base/duration_text.hpp: "5s", "10m", "7d"),
  // between `min` and `max`.
  Status DurationText(std::string_view key, Duration min, Duration max, Duration& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return WrongType(key, *node, "a duration such as \"5s\", \"10m\" or \"7d\"");
    auto parsed = ParseDurationText(node->as_string()->get());
    if (!parsed.ok())
      return Status::Invalid(At(source_, node->source(), Qualified(key) + ": " + parsed.status().message()));
    if (*parsed < min || *parsed > max) {
      return Status::Invalid(At(source_, node->source(),
                                Qualified(key) + " must be between " + FormatDurationText(min) + " and " +
                                    FormatDurationText(max)));
    }
    out = *parsed;
    return Status::Ok();
  }
  Status Duration(std::string_view key, std::chrono::milliseconds& out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    auto d = node->is_string() ? ParseDuration(node->as_string()->get()) : std::nullopt;
    if (!d) return WrongType(key, *node, "a duration such as \"500ms\", \"30s\", \"2m\", \"24h\" or \"7d\"");
    out = *d;
    return Status::Ok();
  }
  Status Durations(std::string_view key, std::vector<std::chrono::milliseconds>& out) {
    std::vector<std::string> texts;
    PATRON_RETURN_IF_ERROR(Strings(key, texts));
    std::vector<std::chrono::milliseconds> values;
    for (const auto& text : texts) {
      auto d = ParseDuration(text);
      if (!d) return WrongType(key, *table_.get(key), "a list of durations such as \"1s\"");
      values.push_back(*d);
    }
    if (table_.get(key) != nullptr) out = std::move(values);
    return Status::Ok();
  }
  // Every key of the table must have been asked for.
  Status NoOthers() const {
    for (const auto& [key, node] : table_) {
      if (known_.count(std::string(key.str())) == 0) {
        return Status::Invalid(At(source_, key.source(), "unknown setting '" + Qualified(key.str()) + "'"));
      }
    }
    return Status::Ok();
  }

 private:
  const toml::node* Find(std::string_view key) {
    known_.insert(std::string(key));
    return table_.get(key);
  }
  std::string Qualified(std::string_view key) const { return std::string(section_) + "." + std::string(key); }
  Status WrongType(std::string_view key, const toml::node& node, std::string_view expected) const {
    return Status::Invalid(At(source_, node.source(), Qualified(key) + " must be " + std::string(expected)));
  }

  std::string_view source_;
  std::string_view section_;
  const toml::table& table_;
  std::set<std::string> known_;
};

// The [engine] keys of IntakeLimits.
Status ReadLimits(TableReader& r, IntakeLimits& limits) {
  auto size = [&](const LimitRange& range, size_t& field) {
    int64_t v = static_cast<int64_t>(field);
    PATRON_RETURN_IF_ERROR(r.Integer(range.key, range.min, range.max, v));
    field = static_cast<size_t>(v);
    return Status::Ok();
  };
  PATRON_RETURN_IF_ERROR(size(kEventBytesRange, limits.max_event_bytes));
  PATRON_RETURN_IF_ERROR(size(kJsonDepthRange, limits.max_json_depth));
  PATRON_RETURN_IF_ERROR(size(kIdentifierBytesRange, limits.max_identifier_bytes));
  PATRON_RETURN_IF_ERROR(size(kDeadMessageBytesRange, limits.max_dead_message_bytes));
  PATRON_RETURN_IF_ERROR(size(kTextBytesRange, limits.max_text_bytes));
  int64_t hours = limits.max_future_skew / kMicrosPerHour;
  PATRON_RETURN_IF_ERROR(r.Integer(kFutureSkewHoursRange.key, kFutureSkewHoursRange.min, kFutureSkewHoursRange.max, hours));
  limits.max_future_skew = hours * kMicrosPerHour;
  std::string earliest;
  PATRON_RETURN_IF_ERROR(r.String("earliest_event_time", earliest));
  if (!earliest.empty()) {
    std::optional<TimePoint> t = ParseRfc3339(earliest);
    if (!t) return Status::Invalid("engine.earliest_event_time '" + earliest + "' is not an RFC 3339 time with an offset");
    limits.earliest_event_time = *t;
  }
  return Status::Ok();
}

// The [nats] keys of NatsAccessConfig.
Status ReadNatsAccess(TableReader& r, const std::string& base_dir, NatsAccessConfig& a) {
  PATRON_RETURN_IF_ERROR(r.String("user", a.user));
  const std::pair<const char*, std::string*> files[] = {
      {"password_file", &a.password_file}, {"token_file", &a.token_file},
      {"nkey_seed_file", &a.nkey_seed_file}, {"credentials_file", &a.credentials_file},
      {"tls_ca_file", &a.tls_ca_file},     {"tls_cert_file", &a.tls_cert_file},
      {"tls_key_file", &a.tls_key_file}};
  for (const auto& [key, field] : files) {
    PATRON_RETURN_IF_ERROR(r.String(key, *field));
    *field = Resolve(base_dir, *field);
  }
  PATRON_RETURN_IF_ERROR(r.String("password_env", a.password_env));
  PATRON_RETURN_IF_ERROR(r.String("token_env", a.token_env));
  PATRON_RETURN_IF_ERROR(r.String("nkey_seed_env", a.nkey_seed_env));
  PATRON_RETURN_IF_ERROR(r.Bool("tls", a.tls));
  int64_t wait = a.connect_wait_ms.value_or(kMaxConnectWaitMs + 1);
  PATRON_RETURN_IF_ERROR(r.Integer("connect_wait_ms", -1, kMaxConnectWaitMs, wait));
  if (wait != kMaxConnectWaitMs + 1) a.connect_wait_ms = wait;
  return r.Integer("max_reconnect", -1, kMaxReconnect, a.max_reconnect);
}

Status ApplyDocument(const toml::table& doc, std::string_view source, const std::string& base_dir,
                     Config& config) {
  static constexpr std::string_view kSections[] = {"nats", "engine", "webhooks", "log", "jetstream"};
  for (const auto& [key, node] : doc) {
    bool known = false;
    for (auto s : kSections) known = known || key.str() == s;
    if (!known) {
      return Status::Invalid(At(source, key.source(),
                                "unknown section '" + std::string(key.str()) +
                                    "' (expected [nats], [engine], [webhooks], [log] or [jetstream])"));
    }
    if (!node.is_table()) {
      return Status::Invalid(At(source, node.source(), "'" + std::string(key.str()) + "' must be a [table]"));
    }
  }
  if (const toml::table* nats = doc["nats"].as_table()) {
    TableReader r(source, "nats", *nats);
    PATRON_RETURN_IF_ERROR(r.String("url", config.nats_url));
    PATRON_RETURN_IF_ERROR(r.String("subject_prefix", config.subject_prefix));
    PATRON_RETURN_IF_ERROR(ReadNatsAccess(r, base_dir, config.nats_access));
    PATRON_RETURN_IF_ERROR(r.NoOthers());
  }
  if (const toml::table* engine = doc["engine"].as_table()) {
    TableReader r(source, "engine", *engine);
    std::vector<std::string> rules;
    std::string data;
    PATRON_RETURN_IF_ERROR(r.Strings("rules", rules));
    PATRON_RETURN_IF_ERROR(r.String("data", data));
    if (!rules.empty()) {
      config.rules.clear();
      for (const auto& path : rules) config.rules.push_back(Resolve(base_dir, path));
    }
    if (!data.empty()) config.data_dir = Resolve(base_dir, data);
    PATRON_RETURN_IF_ERROR(r.String("timezone", config.timezone));
    int64_t batch_size = static_cast<int64_t>(config.batch_size);
    PATRON_RETURN_IF_ERROR(r.Integer("batch_size", 1, kMaxBatchSize, batch_size));
    config.batch_size = static_cast<size_t>(batch_size);
    int64_t interval = config.batch_interval_ms;
    PATRON_RETURN_IF_ERROR(r.Integer("batch_interval_ms", 1, kMaxBatchIntervalMs, interval));
    config.batch_interval_ms = static_cast<int>(interval);
    PATRON_RETURN_IF_ERROR(r.Bool("mask_staff_phones", config.mask_staff_phones));
    PATRON_RETURN_IF_ERROR(r.DurationText("late_grace", 0, kMaxLateGrace, config.late_grace));
    PATRON_RETURN_IF_ERROR(ReadLimits(r, config.limits));
    PATRON_RETURN_IF_ERROR(
        r.DurationText("processed_retention", kMicrosPerSecond, kMaxProcessedRetention, config.processed_retention));
    PATRON_RETURN_IF_ERROR(r.NoOthers());
  }
  if (const toml::table* webhooks = doc["webhooks"].as_table()) {
    for (const auto& [key, node] : *webhooks) {
      if (!node.is_string()) {
        return Status::Invalid(
            At(source, node.source(), "webhooks." + std::string(key.str()) + " must be a URL string"));
      }
      config.webhooks[std::string(key.str())] = node.as_string()->get();
    }
  }
  if (const toml::table* log = doc["log"].as_table()) {
    TableReader r(source, "log", *log);
    PATRON_RETURN_IF_ERROR(r.String("format", config.log_format));
    PATRON_RETURN_IF_ERROR(r.String("level", config.log_level));
    PATRON_RETURN_IF_ERROR(r.NoOthers());
  }
  if (const toml::table* js = doc["jetstream"].as_table()) {
    TableReader r(source, "jetstream", *js);
    JetStreamConfig& j = config.jetstream;
    PATRON_RETURN_IF_ERROR(r.String("events_stream", j.events_stream));
    PATRON_RETURN_IF_ERROR(r.String("actions_stream", j.actions_stream));
    PATRON_RETURN_IF_ERROR(r.String("consumer", j.consumer));
    PATRON_RETURN_IF_ERROR(r.Integer("max_ack_pending", 1, 1'000'000'000, j.max_ack_pending));
    PATRON_RETURN_IF_ERROR(r.Duration("ack_wait", j.ack_wait));
    PATRON_RETURN_IF_ERROR(r.Integer("max_deliver", -1, 1'000'000, j.max_deliver));
    PATRON_RETURN_IF_ERROR(r.Durations("backoff", j.backoff));
    PATRON_RETURN_IF_ERROR(r.Duration("duplicate_window", j.duplicate_window));
    PATRON_RETURN_IF_ERROR(r.Duration("max_age", j.max_age));
    PATRON_RETURN_IF_ERROR(r.Integer("max_bytes", -1, INT64_MAX, j.max_bytes));
    PATRON_RETURN_IF_ERROR(r.String("intake", j.intake));
    PATRON_RETURN_IF_ERROR(r.NoOthers());
  }
  return Status::Ok();
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto d = ParseDurationText(text);
  if (!d.ok()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::microseconds(*d));
}

Result<Config> ParseConfigText(std::string_view text, std::string_view source_name, const Config& base,
                               const std::string& base_dir) {
  Config config = base;
  toml::table doc;
  try {
    doc = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return Status::Invalid(At(source_name, e.source(), e.description()));
  }
  PATRON_RETURN_IF_ERROR(ApplyDocument(doc, source_name, base_dir, config));
  Status valid = ValidateConfig(config);
  if (!valid.ok()) return Status::Invalid(std::string(source_name) + ": " + valid.message());
  return config;
}

Result<Config> LoadConfigFile(const std::string& path, const Config& base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io("cannot read configuration file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Io("cannot read configuration file '" + path + "'");
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return ParseConfigText(text.str(), path, base, dir);
}

Status ValidateConfig(const Config& config) {
  if (config.batch_size < 1 || config.batch_size > kMaxBatchSize) {
    return Status::Invalid("batch size must be between 1 and " + std::to_string(kMaxBatchSize));
  }
  if (config.batch_interval_ms < 1 || config.batch_interval_ms > kMaxBatchIntervalMs) {
    return Status::Invalid("batch interval must be between 1 and " + std::to_string(kMaxBatchIntervalMs) +
                           " ms");
  }
  const IntakeLimits& l = config.limits;
  for (auto [range, value] : {std::pair{kEventBytesRange, l.max_event_bytes}, {kJsonDepthRange, l.max_json_depth},
                              {kIdentifierBytesRange, l.max_identifier_bytes},
                              {kDeadMessageBytesRange, l.max_dead_message_bytes}, {kTextBytesRange, l.max_text_bytes},
                              {kFutureSkewHoursRange, static_cast<size_t>(l.max_future_skew / kMicrosPerHour)}}) {
    if (static_cast<int64_t>(value) < range.min || static_cast<int64_t>(value) > range.max)
      return Status::Invalid(std::string(range.key) + " must be between " + std::to_string(range.min) + " and " +
                             std::to_string(range.max) + ", not " + std::to_string(value));
  }
  if (config.processed_retention < kMicrosPerSecond) {
    return Status::Invalid("processed retention must be at least 1s");
  }
  if (config.log_format != "text" && config.log_format != "json") {
    return Status::Invalid("log format must be 'text' or 'json', not '" + config.log_format + "'");
  }
  static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool level_ok = false;
  for (auto l : kLevels) level_ok = level_ok || config.log_level == l;
  if (!level_ok) {
    return Status::Invalid("log level must be trace, debug, info, warn, error or off, not '" +
                           config.log_level + "'");
  }
  // A prefix is one or more dot-separated tokens of printable characters,
  // without the wildcards * and >.
  const std::string& p = config.subject_prefix;
  bool prefix_ok = !p.empty() && p.front() != '.' && p.back() != '.' && p.find("..") == std::string::npos;
  for (unsigned char c : p) prefix_ok = prefix_ok && c > ' ' && c != '*' && c != '>' && c != 0x7f;
  if (!prefix_ok) {
    return Status::Invalid("subject prefix '" + p +
                           "' is not a NATS subject (dot-separated tokens, no spaces, no * or >)");
  }
  if (!StartsWith(config.nats_url, "nats://") && !StartsWith(config.nats_url, "tls://")) {
    return Status::Invalid("NATS URL must start with nats:// or tls://, not '" + RedactUrl(config.nats_url) +
                           "'");
  }
  const NatsAccessConfig& a = config.nats_access;
  if (a.connect_wait_ms && (*a.connect_wait_ms < -1 || *a.connect_wait_ms > kMaxConnectWaitMs)) {
    return Status::Invalid("NATS connect wait must be -1 (forever) or between 0 and " +
                           std::to_string(kMaxConnectWaitMs) + " ms");
  }
  if (a.max_reconnect < -1 || a.max_reconnect > kMaxReconnect) {
    return Status::Invalid("NATS max reconnect must be -1 (forever) or between 0 and " +
                           std::to_string(kMaxReconnect));
  }
  const JetStreamConfig& js = config.jetstream;
  for (const std::string* name : {&js.events_stream, &js.actions_stream, &js.consumer}) {
    bool ok = !name->empty();
    for (unsigned char c : *name) ok = ok && c > ' ' && c != '.' && c != '*' && c != '>' && c != 0x7f;
    if (!ok) return Status::Invalid("JetStream name '" + *name + "' must be a word without spaces, '.', '*' or '>'");
  }
  if (js.intake != "push" && js.intake != "pull") {
    return Status::Invalid("jetstream intake must be 'push' or 'pull', not '" + js.intake + "'");
  }
  if (js.max_ack_pending < 1) return Status::Invalid("jetstream max_ack_pending must be at least 1");
  if (js.ack_wait.count() < 1) return Status::Invalid("jetstream ack_wait must be positive");
  if (js.max_deliver == 0 || js.max_deliver < -1) {
    return Status::Invalid("jetstream max_deliver must be -1 (unlimited) or at least 1");
  }
  if (js.max_deliver > 0 && static_cast<int64_t>(js.backoff.size()) >= js.max_deliver) {
    return Status::Invalid("jetstream backoff must have fewer entries than max_deliver");
  }
  for (const auto& [name, url] : config.webhooks) {
    if (!StartsWith(url, "http://")) {
      return Status::Invalid("webhook '" + name +
                             "' must be an http:// URL (https: put a TLS-terminating proxy "
                             "in front of the receiver), not '" +
                             url + "'");
    }
  }
  return Status::Ok();
}

}  // namespace patron::cli
