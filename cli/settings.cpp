#include "cli/settings.hpp"

#include <string_view>

#include "base/duration_text.hpp"

namespace patron::cli {

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
    } else if (name == kFlagProcessedRetention) {
      options.add_options()(kFlagProcessedRetention, po::value<std::string>()->value_name("DURATION"),
                            ("remember processed event ids this long to drop redeliveries (default " +
                             FormatDurationText(defaults.processed_retention) + ")")
                                .c_str());
    } else if (name == kFlagLogFormat) {
      options.add_options()(kFlagLogFormat, po::value<std::string>()->value_name("text|json"),
                            "log lines as text (default) or JSON objects");
    } else if (name == kFlagLogLevel) {
      options.add_options()(kFlagLogLevel, po::value<std::string>()->value_name("LEVEL"),
                            "trace, debug, info (default), warn, error or off");
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
  PATRON_RETURN_IF_ERROR(ValidateConfig(config));
  PATRON_RETURN_IF_ERROR(CheckTimezone(config.timezone));
  return config;
}

int ConfigErrorExit(const std::string& command, const Status& status) {
  if (status.code() == StatusCode::kIoError) return Failure(command, status.message());
  return UsageError(command, status.message());
}

}  // namespace patron::cli
