// patron run: flags and configuration, then runtime/live_service.hpp does
// the serving (the engine on NATS), stopped by SIGINT/SIGTERM.

#include <stdint.h>
#include <string.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include <spdlog/spdlog.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/logging.hpp"
#include "cli/nats_access.hpp"
#include "cli/settings.hpp"
#include "runtime/engine_report.hpp"
#include "runtime/live_service.hpp"
#include "runtime/rule_loading.hpp"
#include "runtime/stop_signals.hpp"
#include "runtime/system_clock.hpp"
#include "base/duration_text.hpp"
#include "base/url_secrets.hpp"

namespace patron::cli {
namespace {

constexpr const char* kName = "run";

// "1048576", "64KiB", "1MiB", "2GiB": a byte count, at least one LMDB page.
Result<size_t> ParseByteSize(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string unit = text.substr(digits);
  const int shift = unit.empty() ? 0 : unit == "KiB" ? 10 : unit == "MiB" ? 20 : unit == "GiB" ? 30 : -1;
  const size_t value = digits == 0 || digits > 15 ? 0 : std::stoull(text.substr(0, digits));
  if (shift < 0 || value > (SIZE_MAX >> 1 >> shift) || (value << shift) < 4096)
    return Status::Invalid("expects a size of at least 4096 bytes such as 1MiB, 64KiB or 1048576, not '" +
                           text + "'");
  return value << shift;
}

// The milliseconds of a duration flag of at least 1 ms.
Result<std::chrono::milliseconds> ParseMillisFlag(const po::variables_map& vm, const char* flag) {
  auto d = ParseDurationText(vm[flag].as<std::string>());
  if (!d.ok() || *d < 1000) return Status::Invalid(std::string("--") + flag + " expects a duration of at least 1ms");
  return std::chrono::milliseconds(*d / 1000);
}

}  // namespace

int RunCommand(const std::vector<std::string>& args) {
  CommandHelp help{
      kName, "patron run --rules <file-or-dir> --data <dir> [--nats URL] [--config FILE] [--core] [options]",
      "Runs the engine on NATS JetStream: reads the stream PATRON_EVENTS (subjects\n"
      "<prefix>.events.>) through the durable consumer 'patron', keeps customer\n"
      "profiles and rule state in LMDB under --data (created if missing), and\n"
      "publishes each action to <prefix>.actions.<kind>.<store> (store '_' when\n"
      "unknown) and each rejected message to <prefix>.dead, in the stream\n"
      "PATRON_ACTIONS, with the action id as Nats-Msg-Id; streams and consumer are\n"
      "created when missing (--events-stream, --ack-wait, ...). Webhook actions are\n"
      "also POSTed to their endpoint, with an Idempotency-Key. Events are committed\n"
      "in groups (--batch-size, --batch-interval-ms) and acked only after their\n"
      "commit; every action is written to an outbox in LMDB in that commit and\n"
      "published from there, so a crash loses none and sends none twice under a\n"
      "new id. Redelivered events (same source and id) are dropped, also across\n"
      "restarts (--processed-retention). At start, actions left unsent are sent\n"
      "first; --republish-since 5m also sends again those sent in the last 5\n"
      "minutes (same ids), for a server that lost its last writes.\n"
      "\n"
      "Deadlines, waits and schedules fire when the system clock passes them by\n"
      "--late-grace (default 5s), or when a later event arrives, as in replay (event\n"
      "times set the deadlines); an event later than the grace is counted as late.\n"
      "Those that fell due while Patron was down fire at start, before any new event.\n"
      "\n"
      "SIGINT or SIGTERM stops intake, finishes every message already received,\n"
      "commits, flushes, closes NATS and LMDB, logs the totals and exits 0.\n"
      "SIGHUP is logged and ignored. One process owns a data directory: a second\n"
      "one on the same --data refuses to start, naming the owner's PID.\n"
      "\n"
      "--core uses plain (core) NATS for events: at most once, a message published\n"
      "while Patron is down is lost; actions still leave through the outbox.\n"
      "\n"
      "When no NATS server answers yet, run waits, logging each attempt (bounded by\n"
      "--nats-connect-wait-ms); lost connections are retried forever. Authentication\n"
      "and TLS (--nats-user, --nats-credentials-file, --nats-tls-ca-file, ...):\n"
      "docs/operations.md. Secrets are read from files or the environment.\n"
      "\n"
      "Logs go to stderr: text, or one JSON object per line with --log-format json.\n"
      "Phone numbers are never logged."};
  po::options_description options("Options");
  options.add_options()("core", po::bool_switch(), "core NATS instead of JetStream (at most once)")(
      "republish-since", po::value<std::string>()->value_name("DURATION"),
      "at start, send again the actions sent within DURATION (at most the outbox's 10m of tombstones)")(
      "webhook-attempts", po::value<int>()->value_name("N"), "POSTs per webhook action before it is a dead letter (default 5)")(
      "webhook-timeout", po::value<std::string>()->value_name("DURATION"), "time one webhook request may take (default 5s)")(
      "webhook-backoff", po::value<std::string>()->value_name("DURATION"),
      "pause before the first webhook retry, doubled each time up to 10s (default 200ms)")(
      "webhook-concurrency", po::value<size_t>()->value_name("N"), "webhook requests at once per endpoint (default 8)")(
      "map-size", po::value<std::string>()->value_name("SIZE"),
      "initial LMDB map size, grown (doubled) when full (default 256MiB)");
  AddSettingFlags(options, {kFlagRules, kFlagData, kFlagNats, kFlagNatsAccess, kFlagSubjectPrefix, kFlagConfig,
                            kFlagTimezone, kFlagBatchSize, kFlagBatchIntervalMs, kFlagMaskStaffPhones,
                            kFlagWebhook, kFlagLateGrace, kFlagLogFormat, kFlagLogLevel, kFlagLimits,
                            kFlagProcessedRetention, kFlagJetStream});
  po::variables_map vm;
  if (auto exit = ParseCommandLine(help, options, {}, args, vm)) return *exit;
  Result<Config> config = ResolveConfig(vm);
  if (!config.ok()) return ConfigErrorExit(kName, config.status());
  if (config->rules.empty()) return UsageError(kName, "--rules is required (or [engine] rules in --config)");
  if (config->data_dir.empty()) return UsageError(kName, "--data is required (or [engine] data in --config)");

  auto log = MakeLogger("patron", config->log_format, config->log_level);
  // SIGINT/SIGTERM: stop intake, let what was received reach the queue,
  // then close it; Run() then finishes the queue, commits and returns.
  // Before the service serves (still connecting, waiting for a server),
  // nothing has been taken yet: the process exits 0 at once. SIGHUP:
  // logged and ignored (it used to kill the process undrained).
  std::mutex serving_mu;
  runtime::LiveService* serving = nullptr;
  bool served_to_end = false;  // Run() returned: a signal has nothing left to stop
  runtime::StopSignals signals(
      [&](int signal_number) {
        std::lock_guard<std::mutex> lock(serving_mu);
        if (served_to_end) return;
        if (serving == nullptr) {
          log->info("received {} while starting: nothing was taken yet; exiting", strsignal(signal_number));
          log->flush();
          std::_Exit(kExitOk);
        }
        log->info("received {}: stopping intake, finishing what was received", strsignal(signal_number));
        serving->Stop();
      },
      [&] { log->info("received SIGHUP: ignored (reloading the rules on SIGHUP comes in a later release)"); });
  CompileOptions compile;
  compile.timezone = config->timezone;
  auto loaded = runtime::LoadAndCompileRules(config->rules, compile, std::cerr);
  if (!loaded) {
    log->error("the rule set has errors (above); not starting");
    return kExitFailure;
  }

  // A server that is not up yet is waited for (forever unless
  // connect_wait_ms says otherwise), logging each attempt.
  auto nats = NatsOptionsFor(*config, std::chrono::milliseconds(-1), log);
  if (!nats.ok()) return ConfigErrorExit(kName, nats.status());

  runtime::RuleSetHolder rules(loaded->compiled);
  runtime::LiveServiceOptions live;
  live.nats_url = config->nats_url;
  live.nats = std::move(nats.value());
  live.subject_prefix = config->subject_prefix;
  live.data_dir = config->data_dir;
  live.store.processed_retention = config->processed_retention;
  live.webhooks = config->webhooks;
  live.mask_staff_phones = config->mask_staff_phones;
  live.limits = config->limits;  // the wall clock is the engine's: time_reference stays unset
  live.batch_size = config->batch_size;
  live.batch_interval = std::chrono::milliseconds(config->batch_interval_ms);
  live.late_grace = config->late_grace;
  live.logger = log;
  live.jetstream = !vm["core"].as<bool>();
  const JetStreamConfig& js = config->jetstream;
  live.events_stream = EventsStreamSettings(config->subject_prefix, js.events_stream);
  live.actions_stream = ActionsStreamSettings(config->subject_prefix, js.actions_stream);
  for (StreamSettings* stream : {&live.events_stream, &live.actions_stream}) {
    stream->duplicate_window = js.duplicate_window;
    stream->max_age = js.max_age;
    stream->max_bytes = js.max_bytes;
  }
  live.consumer = EventsConsumerSettings(config->subject_prefix, js.events_stream, js.consumer);
  live.consumer.max_ack_pending = js.max_ack_pending;
  live.consumer.ack_wait = js.ack_wait;
  live.consumer.max_deliver = js.max_deliver;
  live.consumer.backoff = js.backoff;
  live.consumer.mode = js.intake == "pull" ? IntakeMode::kPull : IntakeMode::kPush;
  if (vm.count("republish-since") != 0) {
    auto since = ParseDurationText(vm["republish-since"].as<std::string>());
    if (!since.ok()) return UsageError(kName, "--republish-since: " + since.status().message());
    live.republish_since = runtime::SystemClock().Now() - *since;
  }
  if (vm.count("webhook-attempts") != 0) live.webhook_max_attempts = vm["webhook-attempts"].as<int>();
  if (live.webhook_max_attempts < 1) return UsageError(kName, "--webhook-attempts must be at least 1");
  if (vm.count("webhook-concurrency") != 0) live.webhook_concurrency = vm["webhook-concurrency"].as<size_t>();
  if (live.webhook_concurrency < 1) return UsageError(kName, "--webhook-concurrency must be at least 1");
  for (auto [flag, field] : {std::pair{"webhook-timeout", &live.webhook_timeout},
                             std::pair{"webhook-backoff", &live.webhook_initial_backoff}}) {
    if (vm.count(flag) == 0) continue;
    auto ms = ParseMillisFlag(vm, flag);
    if (!ms.ok()) return UsageError(kName, ms.status().message());
    *field = *ms;
  }
  if (vm.count("map-size") != 0) {
    auto size = ParseByteSize(vm["map-size"].as<std::string>());
    if (!size.ok()) return UsageError(kName, "--map-size " + size.status().message());
    live.store.initial_map_size = *size;
  }
  auto service = runtime::LiveService::Start(rules, live);
  if (!service.ok()) {
    log->error("stopped: {}; {}, {}", service.status().ToString(), runtime::EventCounts({}),
               runtime::TimerCounts({}));
    return kExitFailure;
  }
  {
    std::lock_guard<std::mutex> lock(serving_mu);
    serving = service->get();
  }
  log->info("listening on {}.events.> ({}), data in {}, {}", config->subject_prefix, RedactUrl(config->nats_url),
            config->data_dir, runtime::DescribeRuleSet(loaded->rules));
  Status served = (*service)->Run();
  {
    std::lock_guard<std::mutex> lock(serving_mu);
    served_to_end = true;
  }
  const EngineStats& stats = (*service)->stats();
  if (!served.ok()) {
    log->error("stopped: {}; {}, {}", served.ToString(), runtime::EventCounts(stats), runtime::TimerCounts(stats));
    return kExitFailure;
  }
  log->info("stopped: {}, {}", runtime::EventCounts(stats), runtime::TimerCounts(stats));
  return kExitOk;
}

}  // namespace patron::cli
