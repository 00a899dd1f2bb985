#pragma once
// One place that turns `--config FILE` and the command-line flags into a
// Config: the file's settings over the defaults, then every flag given on
// the command line over the file (flags win).

#include "cli/command_line.hpp"
#include "cli/config.hpp"

namespace patron::cli {

// Flag names shared by the commands (each command declares the ones it takes).
inline constexpr const char* kFlagConfig = "config";
inline constexpr const char* kFlagNats = "nats";
inline constexpr const char* kFlagSubjectPrefix = "subject-prefix";
inline constexpr const char* kFlagRules = "rules";
inline constexpr const char* kFlagData = "data";
inline constexpr const char* kFlagTimezone = "timezone";
inline constexpr const char* kFlagBatchSize = "batch-size";
inline constexpr const char* kFlagBatchIntervalMs = "batch-interval-ms";
inline constexpr const char* kFlagMaskStaffPhones = "mask-staff-phones";
inline constexpr const char* kFlagWebhook = "webhook";
inline constexpr const char* kFlagLogFormat = "log-format";
inline constexpr const char* kFlagLogLevel = "log-level";
inline constexpr const char* kFlagLateGrace = "late-grace";
// The intake limits, all at once: --max-event-bytes, --max-json-depth,
// --max-identifier-bytes, --max-future-skew-hours, --earliest-event-time,
// --max-dead-message-bytes, --max-text-bytes.
inline constexpr const char* kFlagLimits = "limits";
// The group of --nats-user, --nats-password-file, ... --nats-max-reconnect:
// one flag per NatsAccessConfig key ("--nats-" + the key, '_' as '-').
inline constexpr const char* kFlagNatsAccess = "nats-access";
inline constexpr const char* kFlagProcessedRetention = "processed-retention";
// Not one flag: all the [jetstream] flags (--events-stream, --actions-stream,
// --consumer, --max-ack-pending, --ack-wait, --max-deliver, --backoff,
// --duplicate-window, --max-age, --max-bytes, --intake).
inline constexpr const char* kFlagJetStream = "jetstream";

// Adds the flags of `names` (kFlag... above) to `options`, with help texts
// naming Config's defaults. None has a po default value, so that Given()
// tells a flag from the file.
void AddSettingFlags(po::options_description& options, std::initializer_list<const char*> names);

// The Config for this command line: defaults, then --config (if declared and
// given), then the flags given. kInvalidArgument (bad flag value or bad
// file), kIoError (unreadable file); the message names the setting.
Result<Config> ResolveConfig(const po::variables_map& vm);

// The exit status for a ResolveConfig() failure, after printing it: an
// unreadable file is a failure (1), a bad value a usage error (2).
int ConfigErrorExit(const std::string& command, const Status& status);

}  // namespace patron::cli
