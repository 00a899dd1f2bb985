// patron replay: runs the rules over a file of events in event time, with no
// server (events.md "The command-line contract").

#include <chrono>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "base/time.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/engine_report.hpp"
#include "actions/jsonl_sink.hpp"
#include "cli/line_reader.hpp"
#include "cli/rule_loading.hpp"
#include "cli/scoped_temp_dir.hpp"
#include "cli/settings.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "stores/lmdb_state_store.hpp"

namespace patron::cli {
namespace {

constexpr const char* kName = "replay";

// The summary on stderr: events read, processed, duplicates, rejected,
// actions in total and per rule (rule-set order), elapsed time and rate.
std::string Summary(const EngineStats& stats, const dsl::RuleSet& rules, double seconds,
                    const std::string& dead_path) {
  std::ostringstream s;
  s << "replay: " << EventCounts(stats);
  if (stats.rejected > 0 && !dead_path.empty()) s << " (rejected lines in " << dead_path << ")";
  s << "\n";
  s << "timers: " << stats.timers_armed << " armed, " << stats.timers_fired << " fired, " << stats.timers_cancelled
    << " cancelled";
  if (stats.broadcast_customers > 0) s << ", " << stats.broadcast_customers << " customers visited by broadcasts";
  s << "\n";
  s << "actions per rule:\n";
  for (const dsl::Rule& rule : rules.rules) {
    const std::string& name = rule.name.text;
    auto actions = stats.actions_per_rule.find(name);
    auto fired = stats.fired_per_rule.find(name);
    uint64_t a = actions == stats.actions_per_rule.end() ? 0 : actions->second;
    uint64_t f = fired == stats.fired_per_rule.end() ? 0 : fired->second;
    s << "  " << name << ": " << Plural(a, "action", "actions") << " (fired " << Plural(f, "time", "times")
      << ")\n";
  }
  char timing[128];
  double rate = seconds > 0 ? static_cast<double>(stats.events_read) / seconds : 0;
  std::snprintf(timing, sizeof timing, "elapsed: %.3f s, %.0f events/s\n", seconds, rate);
  s << timing;
  return s.str();
}

}  // namespace

int ReplayCommand(const std::vector<std::string>& args) {
  CommandHelp help{kName,
                   "patron replay --rules <file-or-dir> --events <file.jsonl> [--until T] [--timezone NAME]\n"
                   "                     [--out actions.jsonl] [--dead dead.jsonl] [--data DIR] [options]",
                   "Runs the rules over the events of a JSON-lines file in event time, with no\n"
                   "server, and writes the actions as JSON lines (to stdout without --out) in\n"
                   "the order they fire. Events are processed in file order; blank lines are\n"
                   "skipped; a line that is not a valid event is rejected (counted, and written\n"
                   "with its reason and line number to --dead if given) and the rest go on. A\n"
                   "summary goes to stderr. The same inputs always give the same output, byte\n"
                   "for byte. Exit status 0 when the replay ran, whatever it rejected; 1 when it\n"
                   "could not run (unreadable files, rule errors, state errors); 2 on bad usage.\n"
                   "\n"
                   "State lives in LMDB: in --data DIR when given (kept, and reused by a later\n"
                   "replay or `patron inspect`), else in a temporary directory removed at exit.\n"
                   "\n"
                   "Time is event time: before each event, every timer due at or before its\n"
                   "time fires (absence, sequences, waits, quiet hours, dates, schedules). The\n"
                   "clock only moves forward. Timers due after the last event fire only if\n"
                   "--until T (RFC 3339 with an offset) reaches them."};
  po::options_description options("Options");
  options.add_options()("events", po::value<std::string>()->value_name("FILE"),
                        "events, one CloudEvent JSON object per line")(
      "until", po::value<std::string>()->value_name("T"),
      "after the last event, fire the timers due up to this RFC 3339 time")(
      "out", po::value<std::string>()->value_name("FILE"), "write the actions here instead of stdout")(
      "dead", po::value<std::string>()->value_name("FILE"),
      "write rejected lines here, one JSON object each");
  AddSettingFlags(options,
                  {kFlagRules, kFlagTimezone, kFlagData, kFlagBatchSize, kFlagMaskStaffPhones, kFlagConfig});
  po::variables_map vm;
  if (auto exit = ParseCommandLine(help, options, {}, args, vm)) return *exit;

  Result<Config> config = ResolveConfig(vm);
  if (!config.ok()) return ConfigErrorExit(kName, config.status());
  if (config->rules.empty()) return UsageError(kName, "--rules is required");
  if (vm.count("events") == 0) return UsageError(kName, "--events is required");
  std::optional<TimePoint> until;
  if (vm.count("until") != 0) {
    until = ParseRfc3339(vm["until"].as<std::string>());
    if (!until) {
      return UsageError(kName, "--until '" + vm["until"].as<std::string>() +
                                   "' is not an RFC 3339 time with an offset (e.g. 2026-04-01T00:00:00+08:00)");
    }
  }
  const std::string events_path = vm["events"].as<std::string>();
  const std::string dead_path = vm.count("dead") != 0 ? vm["dead"].as<std::string>() : "";

  CompileOptions compile;
  compile.timezone = config->timezone;
  auto loaded = LoadAndCompileRules(config->rules, compile, std::cerr);
  if (!loaded) return kExitFailure;

  auto reader = LineReader::Open(events_path);
  if (!reader.ok()) return Failure(kName, reader.status().message());
  const std::string out_path = vm.count("out") != 0 ? vm["out"].as<std::string>() : "";
  auto jsonl = JsonlSink::Open(out_path, dead_path);
  if (!jsonl.ok()) return Failure(kName, jsonl.status().message());

  // State: the given directory, or a throwaway one without fsync.
  std::unique_ptr<ScopedTempDir> temp;
  LmdbStoreOptions store_options;
  std::string data_dir = config->data_dir;
  if (data_dir.empty()) {
    auto created = ScopedTempDir::Create("patron-replay-");
    if (!created.ok()) return Failure(kName, created.status().message());
    temp = std::move(created.value());
    data_dir = temp->path();
    // Throwaway state: no fsync, pages written in place.
    store_options.sync_on_commit = false;
    store_options.write_map = true;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return Failure(kName, "cannot create data directory '" + data_dir + "': " + ec.message());
  }
  auto store = LmdbStateStore::Open(data_dir, store_options);
  if (!store.ok()) return Failure(kName, store.status().message());

  JsonlSink& sink = **jsonl;
  EventTimeClock clock;
  EngineOptions engine_options;
  engine_options.mask_staff_phones = config->mask_staff_phones;
  Engine engine(*loaded->compiled, **store, sink, clock, engine_options);

  auto started = std::chrono::steady_clock::now();
  const size_t batch_size = config->batch_size;
  std::string_view line;
  for (;;) {
    Result<bool> more = (*reader)->Next(line);
    if (!more.ok()) return Failure(kName, more.status().message());
    if (!*more) break;
    if (IsBlank(line)) continue;
    Status accepted = engine.Accept(line, {}, DeliveryToken::Line((*reader)->line_number()));
    if (!accepted.ok()) return Failure(kName, accepted.ToString());
    if (engine.pending() >= batch_size) {
      Status committed = engine.Commit();
      if (!committed.ok()) return Failure(kName, committed.ToString());
    }
  }
  if (until) {
    clock.Set(*until);
    auto fired = engine.FireDue();
    if (!fired.ok()) return Failure(kName, fired.status().ToString());
  }
  Status committed = engine.Commit();
  if (!committed.ok()) return Failure(kName, committed.ToString());
  Status flushed = sink.Flush();
  if (!flushed.ok()) return Failure(kName, flushed.message());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << Summary(engine.stats(), loaded->rules, seconds, dead_path);
  return kExitOk;
}

}  // namespace patron::cli
