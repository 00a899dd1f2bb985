#include "cli/settings.hpp"

#include <string_view>

namespace patron::cli {
namespace {

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
    } else if (name == kFlagLogFormat) {
      options.add_options()(kFlagLogFormat, po::value<std::string>()->value_name("text|json"),
                            "log lines as text (default) or JSON objects");
    } else if (name == kFlagLogLevel) {
      options.add_options()(kFlagLogLevel, po::value<std::string>()->value_name("LEVEL"),
                            "trace, debug, info (default), warn, error or off");
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
  if (Given(vm, kFlagRules)) config.rules = vm[kFlagRules].as<std::vector<std::string>>();
  if (Given(vm, kFlagBatchSize)) config.batch_size = vm[kFlagBatchSize].as<size_t>();
  if (Given(vm, kFlagBatchIntervalMs)) config.batch_interval_ms = vm[kFlagBatchIntervalMs].as<int>();
  if (Given(vm, kFlagMaskStaffPhones)) config.mask_staff_phones = vm[kFlagMaskStaffPhones].as<bool>();
  if (Given(vm, kFlagWebhook)) {
    for (const std::string& spec : vm[kFlagWebhook].as<std::vector<std::string>>()) {
      size_t eq = spec.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Status::Invalid("--webhook expects NAME=URL, not '" + spec + "'");
      }
      config.webhooks[spec.substr(0, eq)] = spec.substr(eq + 1);
    }
  }
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
