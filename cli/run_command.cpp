// patron run: the engine on NATS. Events come in on <prefix>.events.>,
// actions go out on <prefix>.actions.<kind>.<store>, rejected messages on
// <prefix>.dead. NATS delivery threads only queue messages; this thread
// (cli/engine_loop.hpp) evaluates them in batches, fires timers by the wall
// clock, and commits each batch to LMDB before any of its actions leave
// (STYLE.md §8, decision 10).

#include <signal.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "actions/fanout_sink.hpp"
#include "actions/nats_sink.hpp"
#include "actions/webhook_sink.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/engine_loop.hpp"
#include "cli/engine_report.hpp"
#include "cli/logging.hpp"
#include "cli/rule_loading.hpp"
#include "cli/settings.hpp"
#include "cli/system_clock.hpp"
#include "engine/engine.hpp"
#include "stores/lmdb_state_store.hpp"
#include "transport/nats_connection.hpp"

namespace patron::cli {
namespace {

constexpr const char* kName = "run";

// Limits of the serving loop that the configuration does not expose.
struct ServeOptions {
  // How long shutdown waits for messages already received to be handed over.
  std::chrono::milliseconds drain_timeout{30'000};
  // How long shutdown waits for the server to take the last actions.
  std::chrono::milliseconds close_timeout{10'000};
};

// Why serving ended early: what failed, for the log and the exit status.
struct Served {
  Status status;
  EngineStats stats;
};

Served Serve(const Config& config, const LoadedRules& rules, const std::shared_ptr<spdlog::logger>& log,
             const ServeOptions& serve) {
  Served served;
  auto store = LmdbStateStore::Open(config.data_dir);
  if (!store.ok()) {
    served.status = store.status();
    return served;
  }

  NatsConnectionOptions nats_options;
  nats_options.logger = log;
  auto connection = NatsConnection::Connect(config.nats_url, "patron run", nats_options);
  if (!connection.ok()) {
    served.status =
        Status::Unavailable("cannot connect to " + config.nats_url + ": " + connection.status().message());
    return served;
  }
  NatsSinkOptions sink_options;
  sink_options.subject_prefix = config.subject_prefix;
  NatsSink nats_sink(*connection, sink_options);
  // Webhook actions go out on NATS like every action, and are also POSTed
  // when their endpoint is configured.
  std::unique_ptr<WebhookSink> webhooks;
  if (!config.webhooks.empty()) {
    WebhookSinkOptions webhook_options;
    webhook_options.endpoints = config.webhooks;
    webhook_options.logger = log;
    auto created = WebhookSink::Create(webhook_options);
    if (!created.ok()) {
      served.status = created.status();
      return served;
    }
    webhooks = std::move(created.value());
  }
  FanoutSink sink({&nats_sink}, webhooks.get());

  SystemClock clock;
  EngineOptions engine_options;
  engine_options.mask_staff_phones = config.mask_staff_phones;
  engine_options.logger = log;
  engine_options.max_slices_per_fire = 1;  // a broadcast never stalls intake
  Engine engine(*rules.compiled, **store, sink, clock, engine_options);

  // Declared before the subscription, whose handler uses it.
  EngineLoopOptions loop_options;
  loop_options.batch_size = config.batch_size;
  loop_options.batch_interval = std::chrono::milliseconds(config.batch_interval_ms);
  loop_options.logger = log;
  EngineLoop loop(engine, clock, loop_options);
  const std::string intake = config.subject_prefix + ".events.>";
  auto subscription = connection->Subscribe(intake, [&loop](std::string_view subject, std::string_view data) {
    loop.Push(InboundMessage{std::string(subject), std::string(data), {}});
  });
  if (!subscription.ok()) {
    served.status = subscription.status();
    return served;
  }
  if (Status flushed = connection->Flush(serve.close_timeout); !flushed.ok()) {
    served.status = flushed;
    return served;
  }

  // SIGINT/SIGTERM: stop intake, let what was received reach the queue, then
  // close it; the loop then finishes the queue, commits and returns. On its
  // own thread: draining may wait for the loop to make room in the queue.
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log->info("received {}: stopping intake, finishing what was received", strsignal(signal_number));
    if (Status drained = subscription->Drain(serve.drain_timeout); !drained.ok()) {
      log->warn("draining the subscription: {}", drained.message());
    }
    loop.CloseIntake();
  });
  std::thread signal_thread([&] { signals_io.run(); });
  log->info("listening on {} ({}), data in {}, {}", intake, config.nats_url, config.data_dir,
            DescribeRuleSet(rules.rules));

  served.status = loop.Run();
  if (!served.status.ok()) {
    // The loop closed intake; stop delivery at once. What was not committed
    // is redelivered to nobody (core NATS), but nothing uncommitted was
    // published either.
    subscription->Unsubscribe();
  }
  signals_io.stop();
  signal_thread.join();
  if (webhooks != nullptr) webhooks->Shutdown();  // delivers what is queued, bounded
  if (served.status.ok()) {
    if (Status drained = connection->Drain(serve.close_timeout); !drained.ok()) served.status = drained;
  } else {
    connection->Close();
  }
  served.stats = engine.stats();
  return served;
}

}  // namespace

int RunCommand(const std::vector<std::string>& args) {
  CommandHelp help{
      kName, "patron run --core --rules <file-or-dir> --data <dir> [--nats URL] [--config FILE] [options]",
      "Runs the engine on NATS: subscribes to <prefix>.events.>, keeps customer\n"
      "profiles and rule state in LMDB under --data (created if missing), and\n"
      "publishes each action to <prefix>.actions.<kind>.<store> (store '_' when\n"
      "unknown) and each rejected message to <prefix>.dead. Webhook actions are\n"
      "also POSTed to their endpoint when one is configured. Events are committed\n"
      "in groups (--batch-size, --batch-interval-ms); a group's actions leave only\n"
      "after its state is committed. Redelivered events (same source and id) are\n"
      "dropped, also across restarts.\n"
      "\n"
      "Deadlines, waits and schedules fire when the system clock reaches them\n"
      "(event times still set the deadlines); those that fell due while Patron was\n"
      "down fire at start, before any new event.\n"
      "\n"
      "SIGINT or SIGTERM stops intake, finishes every message already received,\n"
      "commits, flushes, closes NATS and LMDB, logs the totals and exits 0.\n"
      "\n"
      "--core uses plain (core) NATS: a message published while Patron is down is\n"
      "lost. JetStream (durable intake) will be the default in a later release;\n"
      "until then --core is required.\n"
      "\n"
      "Logs go to stderr: text, or one JSON object per line with --log-format json.\n"
      "Phone numbers are never logged."};
  po::options_description options("Options");
  options.add_options()("core", po::bool_switch(), "use core NATS (required for now)");
  AddSettingFlags(options, {kFlagRules, kFlagData, kFlagNats, kFlagSubjectPrefix, kFlagConfig, kFlagTimezone,
                            kFlagBatchSize, kFlagBatchIntervalMs, kFlagMaskStaffPhones, kFlagWebhook,
                            kFlagLogFormat, kFlagLogLevel});
  po::variables_map vm;
  if (auto exit = ParseCommandLine(help, options, {}, args, vm)) return *exit;
  if (!vm["core"].as<bool>()) {
    return UsageError(kName, "JetStream mode arrives with the reliability issue; use --core for plain NATS");
  }
  Result<Config> config = ResolveConfig(vm);
  if (!config.ok()) return ConfigErrorExit(kName, config.status());
  if (config->rules.empty()) return UsageError(kName, "--rules is required (or [engine] rules in --config)");
  if (config->data_dir.empty()) return UsageError(kName, "--data is required (or [engine] data in --config)");

  auto log = MakeLogger("patron", config->log_format, config->log_level);
  std::error_code ec;
  std::filesystem::create_directories(config->data_dir, ec);
  if (ec) {
    log->error("cannot create data directory '{}': {}", config->data_dir, ec.message());
    return kExitFailure;
  }
  CompileOptions compile;
  compile.timezone = config->timezone;
  auto loaded = LoadAndCompileRules(config->rules, compile, std::cerr);
  if (!loaded) {
    log->error("the rule set has errors (above); not starting");
    return kExitFailure;
  }

  Served served = Serve(*config, *loaded, log, ServeOptions{});
  if (!served.status.ok()) {
    log->error("stopped: {}; {}, {}", served.status.ToString(), EventCounts(served.stats),
               TimerCounts(served.stats));
    return kExitFailure;
  }
  log->info("stopped: {}, {}", EventCounts(served.stats), TimerCounts(served.stats));
  return kExitOk;
}

}  // namespace patron::cli
