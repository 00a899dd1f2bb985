#include "cli/settings.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/duration_text.hpp"
#include "base/time.hpp"

namespace patron::cli {
namespace {

// The text settings of [nats] that are flags too (kFlagNatsAccess).
struct NatsTextFlag {
  const char* flag;
  const char* value_name;
  const char* help;
  std::string NatsAccessConfig::*field;
};
constexpr NatsTextFlag kNatsTextFlags[] = {
    {"nats-user", "NAME", "NATS user (with --nats-password-file or --nats-password-env)", &NatsAccessConfig::user},
    {"nats-password-file", "FILE", "file holding the NATS password", &NatsAccessConfig::password_file},
    {"nats-password-env", "VAR", "environment variable holding the NATS password", &NatsAccessConfig::password_env},
    {"nats-token-file", "FILE", "file holding a NATS token", &NatsAccessConfig::token_file},
    {"nats-token-env", "VAR", "environment variable holding a NATS token", &NatsAccessConfig::token_env},
    {"nats-nkey-seed-file", "FILE", "file holding a NATS NKey user seed (SU...)", &NatsAccessConfig::nkey_seed_file},
    {"nats-nkey-seed-env", "VAR", "environment variable holding a NATS NKey user seed",
     &NatsAccessConfig::nkey_seed_env},
    {"nats-credentials-file", "FILE", "NATS .creds file (user JWT and seed)", &NatsAccessConfig::credentials_file},
    {"nats-tls-ca-file", "FILE", "PEM CA file the server's certificate must chain to (turns TLS on)",
     &NatsAccessConfig::tls_ca_file},
    {"nats-tls-cert-file", "FILE", "PEM client certificate (with --nats-tls-key-file)",
     &NatsAccessConfig::tls_cert_file},
    {"nats-tls-key-file", "FILE", "PEM key of the client certificate", &NatsAccessConfig::tls_key_file},
};
constexpr const char* kFlagNatsTls = "nats-tls";
constexpr const char* kFlagNatsConnectWaitMs = "nats-connect-wait-ms";
constexpr const char* kFlagNatsMaxReconnect = "nats-max-reconnect";

void AddNatsAccessFlags(po::options_description& options) {
  for (const NatsTextFlag& f : kNatsTextFlags)
    options.add_options()(f.flag, po::value<std::string>()->value_name(f.value_name), f.help);
  options.add_options()(kFlagNatsTls, po::value<bool>()->value_name("true|false"),
                        "require TLS to the NATS server (default false; on with tls:// or a TLS file)")(
      kFlagNatsConnectWaitMs, po::value<int64_t>()->value_name("MS"),
      "wait up to MS ms for a NATS server that does not answer yet; -1 = forever (default for run), "
      "0 = try once (default for publish and subscribe)")(
      kFlagNatsMaxReconnect, po::value<int64_t>()->value_name("N"),
      "reconnect attempts after a lost connection; -1 = forever (default)");
}

void ApplyNatsAccessFlags(const po::variables_map& vm, NatsAccessConfig& access) {
  for (const NatsTextFlag& f : kNatsTextFlags)
    if (Given(vm, f.flag)) access.*f.field = vm[f.flag].as<std::string>();
  if (Given(vm, kFlagNatsTls)) access.tls = vm[kFlagNatsTls].as<bool>();
  if (Given(vm, kFlagNatsConnectWaitMs)) access.connect_wait_ms = vm[kFlagNatsConnectWaitMs].as<int64_t>();
  if (Given(vm, kFlagNatsMaxReconnect)) access.max_reconnect = vm[kFlagNatsMaxReconnect].as<int64_t>();
}

}  // namespace

namespace {

// --max-event-bytes for "max_event_bytes".
std::string FlagOf(const LimitRange& range) {
  std::string flag = range.key;
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

void AddLimitFlags(po::options_description& options, const IntakeLimits& d) {
  auto size = [&](const LimitRange& range, const char* help, size_t value) {
    options.add_options()(FlagOf(range).c_str(), po::value<int64_t>()->value_name("N"),
                          (std::string(help) + " (default " + std::to_string(value) + ")").c_str());
  };
  size(kEventBytesRange, "reject an event larger than N bytes, before parsing", d.max_event_bytes);
  size(kJsonDepthRange, "reject JSON nested deeper than N levels", d.max_json_depth);
  size(kIdentifierBytesRange, "reject an id, source or customer identifier longer than N bytes",
       d.max_identifier_bytes);
  size(kFutureSkewHoursRange, "reject an event time more than N hours ahead of now",
       static_cast<size_t>(d.max_future_skew / kMicrosPerHour));
  options.add_options()("earliest-event-time", po::value<std::string>()->value_name("T"),
                        ("reject an event time before this RFC 3339 time (default " +
                         FormatRfc3339Utc(d.earliest_event_time) + ")")
                            .c_str());
  size(kDeadMessageBytesRange, "keep at most N bytes (as written) of a rejected message in its dead letter",
       d.max_dead_message_bytes);
  size(kTextBytesRange, "cut a ticket title or reminder text to N bytes, ending with an ellipsis", d.max_text_bytes);
}

// The limit flags given, over `limits`.
Status ReadLimitFlags(const po::variables_map& vm, IntakeLimits& limits) {
  auto size = [&](const LimitRange& range, size_t& field) {
    const std::string flag = FlagOf(range);
    if (vm.count(flag) == 0) return;
    const int64_t v = vm[flag].as<int64_t>();
    field = v < 0 ? SIZE_MAX : static_cast<size_t>(v);  // out of range: ValidateConfig names it
  };
  size(kEventBytesRange, limits.max_event_bytes);
  size(kJsonDepthRange, limits.max_json_depth);
  size(kIdentifierBytesRange, limits.max_identifier_bytes);
  size(kDeadMessageBytesRange, limits.max_dead_message_bytes);
  size(kTextBytesRange, limits.max_text_bytes);
  const std::string skew = FlagOf(kFutureSkewHoursRange);
  if (vm.count(skew) != 0) {
    const int64_t hours = vm[skew].as<int64_t>();
    if (hours < 0 || hours > kFutureSkewHoursRange.max)
      return Status::Invalid("--" + skew + " must be between 0 and " + std::to_string(kFutureSkewHoursRange.max));
    limits.max_future_skew = hours * kMicrosPerHour;
  }
  if (vm.count("earliest-event-time") != 0) {
    const std::string text = vm["earliest-event-time"].as<std::string>();
    std::optional<TimePoint> t = ParseRfc3339(text);
    if (!t) return Status::Invalid("--earliest-event-time '" + text + "' is not an RFC 3339 time with an offset");
    limits.earliest_event_time = *t;
  }
  return Status::Ok();
}

// [jetstream] as flags: names, value names and help texts.
struct JetStreamFlag {
  const char* name;
  const char* value;
  const char* help;
};
constexpr JetStreamFlag kJetStreamFlags[] = {
    {"events-stream", "NAME", "JetStream stream of the events (default PATRON_EVENTS)"},
    {"actions-stream", "NAME", "JetStream stream of the actions and dead letters (default PATRON_ACTIONS)"},
    {"consumer", "NAME", "durable consumer on the events stream (default patron)"},
    {"max-ack-pending", "N", "events delivered and not yet committed, at most (default 20000)"},
    {"ack-wait", "DURATION", "an event not committed within it is delivered again (default 30s)"},
    {"max-deliver", "N", "deliveries of one event; the last is dead-lettered (default 10, -1 unlimited)"},
    {"backoff", "D1,D2,...", "waits before each redelivery, instead of ack-wait (default none)"},
    {"duplicate-window", "DURATION", "streams drop a message id seen within it (default 2m)"},
    {"max-age", "DURATION", "streams keep messages this long (default 7d, 0 forever)"},
    {"max-bytes", "N", "streams keep at most N bytes (default -1, unlimited)"},
    {"intake", "push|pull", "how the consumer is read (default push, measured faster)"},
};

Status FlagDuration(const po::variables_map& vm, const char* flag, std::chrono::milliseconds& out) {
  if (!Given(vm, flag)) return Status::Ok();
  auto d = ParseDuration(vm[flag].as<std::string>());
  if (!d) return Status::Invalid(std::string("--") + flag + " expects a duration such as 30s, not '" +
                                 vm[flag].as<std::string>() + "'");
  out = *d;
  return Status::Ok();
}

Status ApplyJetStreamFlags(const po::variables_map& vm, JetStreamConfig& js) {
  auto text = [&](const char* flag, std::string& field) {
    if (Given(vm, flag)) field = vm[flag].as<std::string>();
  };
  auto number = [&](const char* flag, int64_t& field) {
    if (Given(vm, flag)) field = vm[flag].as<int64_t>();
  };
  text("events-stream", js.events_stream);
  text("actions-stream", js.actions_stream);
  text("consumer", js.consumer);
  text("intake", js.intake);
  number("max-ack-pending", js.max_ack_pending);
  number("max-deliver", js.max_deliver);
  number("max-bytes", js.max_bytes);
  PATRON_RETURN_IF_ERROR(FlagDuration(vm, "ack-wait", js.ack_wait));
  PATRON_RETURN_IF_ERROR(FlagDuration(vm, "duplicate-window", js.duplicate_window));
  PATRON_RETURN_IF_ERROR(FlagDuration(vm, "max-age", js.max_age));
  if (Given(vm, "backoff")) {
    js.backoff.clear();
    std::string list = vm["backoff"].as<std::string>();
    for (size_t start = 0; start <= list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      auto d = ParseDuration(list.substr(start, comma - start));
      if (!d) return Status::Invalid("--backoff expects durations separated by commas, not '" + list + "'");
      js.backoff.push_back(*d);
      start = comma + 1;
    }
  }
  return Status::Ok();
}

}  // namespace

void AddSettingFlags(po::options_description& options, std::initializer_list<const char*> names) {
  const Config defaults;
  for (std::string_view name : names) {
    if (name == kFlagConfig) {
      options.add_options()(
          kFlagConfig, po::value<std::string>()->value_name("FILE"),
          "TOML configuration file (see examples/restaurant/patron.toml); flags win over it");
    } else if (name == kFlagNats) {
      options.add_options()(kFlagNats, po::value<std::string>()->value_name("URL"),
                            ("NATS server (default " + defaults.nats_url + ")").c_str());
    } else if (name == kFlagSubjectPrefix) {
      options.add_options()(kFlagSubjectPrefix, po::value<std::string>()->value_name("PREFIX"),
                            ("subject prefix (default " + defaults.subject_prefix + ")").c_str());
    } else if (name == kFlagRules) {
      options.add_options()(kFlagRules, po::value<std::vector<std::string>>()->value_name("PATH"),
                            "rule file or directory of *.rules files (repeatable)");
    } else if (name == kFlagData) {
      options.add_options()(kFlagData, po::value<std::string>()->value_name("DIR"),
                            "LMDB data directory (created if missing)");
    } else if (name == kFlagTimezone) {
      options.add_options()(
          kFlagTimezone, po::value<std::string>()->value_name("NAME"),
          ("IANA timezone of at HH:MM, between and calendar windows (default " + defaults.timezone + ")")
              .c_str());
    } else if (name == kFlagBatchSize) {
      options.add_options()(
          kFlagBatchSize, po::value<size_t>()->value_name("N"),
          ("group commit every N accepted events (default " + std::to_string(defaults.batch_size) + ")")
              .c_str());
    } else if (name == kFlagBatchIntervalMs) {
      options.add_options()(kFlagBatchIntervalMs, po::value<int>()->value_name("MS"),
                            ("and at least every MS milliseconds while events arrive (default " +
                             std::to_string(defaults.batch_interval_ms) + ")")
                                .c_str());
    } else if (name == kFlagMaskStaffPhones) {
      options.add_options()(kFlagMaskStaffPhones, po::value<bool>()->value_name("true|false"),
                            "mask phones in ticket and remind actions (default true)");
    } else if (name == kFlagWebhook) {
      options.add_options()(kFlagWebhook, po::value<std::vector<std::string>>()->value_name("NAME=URL"),
                            "endpoint for `webhook \"NAME\"` actions (repeatable)");
    } else if (name == kFlagLateGrace) {
      options.add_options()(kFlagLateGrace, po::value<std::string>()->value_name("DURATION"),
                            ("fire timers this long after they fall due, for late events (default " +
                             FormatDurationText(defaults.late_grace) + "; 0 allowed)")
                                .c_str());
    } else if (name == kFlagProcessedRetention) {
      options.add_options()(kFlagProcessedRetention, po::value<std::string>()->value_name("DURATION"),
                            ("remember processed event ids this long to drop redeliveries (default " +
                             FormatDurationText(defaults.processed_retention) + ")")
                                .c_str());
    } else if (name == kFlagLogFormat) {
      options.add_options()(kFlagLogFormat, po::value<std::string>()->value_name("text|json"),
                            "log lines as text (default) or JSON objects");
    } else if (name == kFlagNatsAccess) {
      AddNatsAccessFlags(options);
    } else if (name == kFlagLogLevel) {
      options.add_options()(kFlagLogLevel, po::value<std::string>()->value_name("LEVEL"),
                            "trace, debug, info (default), warn, error or off");
    } else if (name == kFlagLimits) {
      AddLimitFlags(options, defaults.limits);
    } else if (name == kFlagJetStream) {
      for (const JetStreamFlag& f : kJetStreamFlags) {
        const std::string_view n = f.name;
        const bool numeric = n == "max-ack-pending" || n == "max-deliver" || n == "max-bytes";
        if (numeric) {
          options.add_options()(f.name, po::value<int64_t>()->value_name(f.value), f.help);
        } else {
          options.add_options()(f.name, po::value<std::string>()->value_name(f.value), f.help);
        }
      }
    }
  }
}

Result<Config> ResolveConfig(const po::variables_map& vm) {
  Config config;
  if (Given(vm, kFlagConfig)) {
    Result<Config> loaded = LoadConfigFile(vm[kFlagConfig].as<std::string>());
    if (!loaded.ok()) return loaded.status();
    config = std::move(loaded.value());
  }
  auto text = [&](const char* flag, std::string& field) {
    if (Given(vm, flag)) field = vm[flag].as<std::string>();
  };
  text(kFlagNats, config.nats_url);
  text(kFlagSubjectPrefix, config.subject_prefix);
  text(kFlagData, config.data_dir);
  text(kFlagTimezone, config.timezone);
  text(kFlagLogFormat, config.log_format);
  text(kFlagLogLevel, config.log_level);
  ApplyNatsAccessFlags(vm, config.nats_access);
  if (Given(vm, kFlagRules)) config.rules = vm[kFlagRules].as<std::vector<std::string>>();
  if (Given(vm, kFlagBatchSize)) config.batch_size = vm[kFlagBatchSize].as<size_t>();
  if (Given(vm, kFlagBatchIntervalMs)) config.batch_interval_ms = vm[kFlagBatchIntervalMs].as<int>();
  if (Given(vm, kFlagMaskStaffPhones)) config.mask_staff_phones = vm[kFlagMaskStaffPhones].as<bool>();
  if (Given(vm, kFlagProcessedRetention)) {
    auto retention = ParseDurationText(vm[kFlagProcessedRetention].as<std::string>());
    if (!retention.ok()) return Status::Invalid("--processed-retention: " + retention.status().message());
    config.processed_retention = *retention;
  }
  if (Given(vm, kFlagWebhook)) {
    for (const std::string& spec : vm[kFlagWebhook].as<std::vector<std::string>>()) {
      size_t eq = spec.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Status::Invalid("--webhook expects NAME=URL, not '" + spec + "'");
      }
      config.webhooks[spec.substr(0, eq)] = spec.substr(eq + 1);
    }
  }
  if (Given(vm, kFlagLateGrace)) {
    const std::string& text = vm[kFlagLateGrace].as<std::string>();
    Result<Duration> grace = ParseDurationText(text);
    if (!grace.ok() || *grace > kMaxLateGrace) {
      return Status::Invalid("--late-grace expects a duration from 0 to " + FormatDurationText(kMaxLateGrace) +
                             " such as 5s or 2m, not '" + text + "'");
    }
    config.late_grace = *grace;
  }
  PATRON_RETURN_IF_ERROR(ReadLimitFlags(vm, config.limits));
  PATRON_RETURN_IF_ERROR(ApplyJetStreamFlags(vm, config.jetstream));
  PATRON_RETURN_IF_ERROR(ValidateConfig(config));
  PATRON_RETURN_IF_ERROR(CheckTimezone(config.timezone));
  return config;
}

int ConfigErrorExit(const std::string& command, const Status& status) {
  if (status.code() == StatusCode::kIoError) return Failure(command, status.message());
  return UsageError(command, status.message());
}

}  // namespace patron::cli
