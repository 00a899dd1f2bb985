// Engine cases written as files (STYLE.md §5), run the way `patron replay`
// runs a file: every tests/engine/cases/run/<name>.rules with
//   <name>.events.jsonl   the events, one CloudEvent per line (blank lines
//                         skipped; a bad line becomes a dead letter naming
//                         its line number);
//   <name>.args           optional replay options, whitespace-separated:
//                         `--until <RFC 3339>` (after the last event, fire
//                         what is due by then), `--timezone <IANA name>`;
//                         `#` starts a comment;
//   <name>.expect.jsonl   the actions, exactly as the JSON-lines sink
//                         (actions/jsonl_sink.hpp) writes them;
//   <name>.dead.jsonl     the dead letters as that sink writes them, when
//                         there are any (no file: none expected).
// Each case runs through a real Engine over LMDB in a temporary directory,
// with an EventTimeClock, committing after every event; the sink's files
// must equal the expected ones byte for byte. PATRON_UPDATE_GOLDEN=1
// rewrites the expected files; review them by hand before committing: they
// must be what the rules say.

#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "actions/jsonl_sink.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "tests/support/golden_files.hpp"

namespace fs = std::filesystem;

namespace patron::testing {
namespace {

const fs::path kRoot = fs::path(PATRON_SOURCE_DIR) / "tests" / "engine" / "cases" / "run";

struct CaseOptions {
  std::optional<TimePoint> until;
  std::string timezone = CompileOptions{}.timezone;
};

// Reads <name>.args (missing: the defaults).
CaseOptions ReadOptions(const fs::path& args_file) {
  CaseOptions o;
  std::istringstream text(ReadFileBytes(args_file));
  std::string line;
  while (std::getline(text, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string flag, value;
    while (words >> flag) {
      INFO(args_file.string() << ": " << flag);
      REQUIRE((words >> value));
      if (flag == "--until") {
        o.until = TimeOf(value);
      } else if (flag == "--timezone") {
        o.timezone = value;
      } else {
        FAIL("unknown option (known: --until, --timezone)");
      }
    }
  }
  return o;
}

bool Blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

struct CaseOutput {
  std::string actions;
  std::string dead;
};

// Runs the case in `dir` as replay would, and returns what the sink wrote.
CaseOutput RunCase(const fs::path& rules_file, const fs::path& events_file, const CaseOptions& options,
                   const TempDir& dir) {
  CompileOptions compile;
  compile.timezone = options.timezone;
  CompiledRulesPtr rules = CompileText(ReadFileBytes(rules_file), compile);
  const std::string actions_path = (dir.path() / "actions.jsonl").string();
  const std::string dead_path = (dir.path() / "dead.jsonl").string();
  {
    LmdbStoreOptions store_options;
    store_options.sync_on_commit = false;
    auto store = LmdbStateStore::Open((dir.path() / "state").string(), store_options);
    INFO(store.status().ToString());
    REQUIRE(store.ok());
    auto sink = JsonlSink::Open(actions_path, dead_path);
    INFO(sink.status().ToString());
    REQUIRE(sink.ok());
    EventTimeClock clock;
    Engine engine(*rules, **store, **sink, clock);

    std::istringstream events(ReadFileBytes(events_file));
    std::string line;
    for (uint64_t number = 1; std::getline(events, line); ++number) {
      if (Blank(line)) continue;
      INFO("line " << number);
      Status accepted = engine.Accept(line, {}, DeliveryToken::Line(number));
      INFO(accepted.ToString());
      REQUIRE(accepted.ok());
      Status committed = engine.Commit();
      INFO(committed.ToString());
      REQUIRE(committed.ok());
    }
    if (options.until) {
      clock.Set(*options.until);
      for (;;) {
        Result<bool> more = engine.FireDue();
        INFO(more.status().ToString());
        REQUIRE(more.ok());
        if (!*more) break;
      }
    }
    Status committed = engine.Commit();
    INFO(committed.ToString());
    REQUIRE(committed.ok());
    Status flushed = (*sink)->Flush();
    INFO(flushed.ToString());
    REQUIRE(flushed.ok());
  }
  return {ReadFileBytes(actions_path), ReadFileBytes(dead_path)};
}

// "<dir>/<name>" + suffix for the case whose rules file is `rules_file`.
fs::path Sibling(const fs::path& rules_file, const std::string& suffix) {
  fs::path p = rules_file;
  p.replace_extension();
  return fs::path(p.string() + suffix);
}

}  // namespace

TEST_CASE("engine case files", "[engine][golden]") {
  ForEachCase(kRoot, ".rules", 6, [](const fs::path& rules, const std::string& name) {
    const fs::path events = Sibling(rules, ".events.jsonl");
    INFO("case " << name);
    REQUIRE(fs::exists(events));
    const CaseOptions options = ReadOptions(Sibling(rules, ".args"));
    TempDir dir;
    const CaseOutput out = RunCase(rules, events, options, dir);
    CheckGolden(Sibling(rules, ".expect.jsonl"), out.actions);
    CheckGolden(Sibling(rules, ".dead.jsonl"), out.dead, /*keep_empty=*/false);
  });
}

}  // namespace patron::testing
