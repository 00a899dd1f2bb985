// patron replay: runs the rules over a file of events in event time, with no
// server (events.md "The command-line contract").

#include <iostream>
#include <optional>
#include <string_view>
#include <vector>

#include "actions/jsonl_sink.hpp"
#include "base/time.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/settings.hpp"
#include "runtime/engine_report.hpp"
#include "runtime/line_source.hpp"
#include "runtime/replay.hpp"
#include "runtime/rule_loading.hpp"
#include "runtime/system_clock.hpp"

namespace patron::cli {
namespace {

constexpr const char* kName = "replay";

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
                   "One process owns a --data DIR at a time (a second one refuses to start).\n"
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
  AddSettingFlags(options, {kFlagRules, kFlagTimezone, kFlagData, kFlagBatchSize, kFlagMaskStaffPhones,
                            kFlagConfig, kFlagLimits, kFlagProcessedRetention});
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
  auto loaded = runtime::LoadAndCompileRules(config->rules, compile, std::cerr);
  if (!loaded) return kExitFailure;

  auto events = runtime::LineSource::Open(events_path);
  if (!events.ok()) return Failure(kName, events.status().message());
  const std::string out_path = vm.count("out") != 0 ? vm["out"].as<std::string>() : "";
  auto jsonl = JsonlSink::Open(out_path, dead_path);
  if (!jsonl.ok()) return Failure(kName, jsonl.status().message());

  runtime::RuleSetHolder rules(loaded->compiled);
  runtime::ReplayOptions replay;
  replay.data_dir = config->data_dir;
  replay.store.processed_retention = config->processed_retention;
  replay.until = until;
  replay.batch_size = config->batch_size;
  replay.engine.mask_staff_phones = config->mask_staff_phones;
  replay.engine.limits = config->limits;
  // Event time knows no "now" before the first event: the skew counts from
  // the wall clock at the start too (docs/architecture.md "Bad input at the door").
  replay.engine.limits.time_reference = runtime::SystemClock().Now();
  auto result = runtime::Replay(rules, **events, **jsonl, replay);
  if (!result.ok()) return Failure(kName, result.status().ToString());
  if (Status flushed = (*jsonl)->Flush(); !flushed.ok()) return Failure(kName, flushed.message());
  std::vector<std::string_view> names;
  for (const dsl::Rule& rule : loaded->rules.rules) names.push_back(rule.name.text);
  std::cerr << runtime::ReplaySummary(result->stats, names, result->seconds, dead_path);
  return kExitOk;
}

}  // namespace patron::cli
