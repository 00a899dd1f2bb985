#pragma once
// What every engine test needs: rules loaded from text through dsl
// LoadRuleText and compiled, a real LmdbStateStore in a fresh TempDir, a
// recording sink, and events written as CloudEvents JSON strings.

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/stable_hash.hpp"
#include "base/time.hpp"
#include "dsl/parse.hpp"
#include "engine/compile/compiler.hpp"
#include "engine/engine.hpp"
#include "engine/graph.hpp"
#include "stores/lmdb_state_store.hpp"
#include "stores/state_reader.hpp"
#include "tests/support/recording_sink.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {

// Parses, checks and compiles `text`; fails the test with the diagnostics otherwise.
inline CompiledRulesPtr CompileText(const std::string& text) {
  dsl::Diagnostics diags;
  auto rule_set = dsl::LoadRuleText("test.rules", text, diags);
  INFO(diags.Render());
  REQUIRE(rule_set.has_value());
  CompiledRulesPtr compiled = CompileRules(*rule_set, diags);
  INFO(diags.Render());
  REQUIRE(compiled != nullptr);
  return compiled;
}

// One CloudEvent as JSON text. `data` is the text of the data object's members.
inline std::string Ev(const std::string& id, const std::string& type, const std::string& time,
                      const std::string& data = "") {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"test","type":")" + type + R"(","time":")" + time +
         R"(","data":{)" + data + "}}";
}

// An identity member for data: "customer":{"phone":"<phone>"}.
inline std::string Phone(const std::string& phone) { return R"("customer":{"phone":")" + phone + R"("})"; }

// The engine over real LMDB state in a temporary directory.
class Harness {
 public:
  explicit Harness(const std::string& rules_text, EngineOptions options = {})
      : Harness(CompileText(rules_text), std::move(options), INT64_MIN) {}
  // Also reopens the store (state survives, as after a restart).
  void Open() {
    engine_.reset();
    store_.reset();
    LmdbStoreOptions o;
    o.sync_on_commit = false;
    auto store = LmdbStateStore::Open(dir_.str(), o);
    INFO(store.status().ToString());
    REQUIRE(store.ok());
    store_ = std::move(*store);
    engine_ = std::make_unique<Engine>(*rules_, *store_, sink_, clock_, options_);
  }

  // Accepts one message and commits, so the sink shows its actions.
  void Send(const std::string& message) {
    Status s = engine_->Accept(message);
    INFO(s.ToString());
    REQUIRE(s.ok());
    Commit();
  }
  // Accepts without committing.
  void Queue(const std::string& message) {
    Status s = engine_->Accept(message);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  void Commit() {
    Status s = engine_->Commit();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  // Actions published so far with data.rule == rule (all if empty).
  std::vector<Action> ActionsOf(const std::string& rule = "") const {
    std::vector<Action> out;
    for (const Action& a : sink_.actions)
      if (rule.empty() || a.rule == rule) out.push_back(a);
    return out;
  }
  size_t Count(const std::string& rule) const { return ActionsOf(rule).size(); }

  CustomerRecord* Customer(const std::string& id) {
    auto r = store_->FindCustomer(id);
    REQUIRE(r.ok());
    return *r;
  }

  // Outcome counts per rule and kind name ("skipped_limit", ...), read from
  // the committed store: closes the engine and store and opens them again
  // (EngineStats start over).
  std::map<std::string, std::map<std::string, uint64_t>> OutcomeCounts() {
    engine_.reset();
    store_.reset();
    auto reader = StateReader::Open(dir());
    REQUIRE(reader.ok());
    auto stats = (*reader)->ReadRuleStats();
    reader->reset();  // closes it before the store opens the directory again
    INFO(stats.status().ToString());
    REQUIRE(stats.ok());
    auto out = *stats;
    Open();
    return out;
  }

  const CompiledRules& rules() const { return *rules_; }
  Engine& engine() { return *engine_; }
  LmdbStateStore& store() { return *store_; }
  RecordingSink& sink() { return sink_; }
  std::string dir() const { return dir_.str(); }

 protected:
  // `clock_start`: the EventTimeClock's time before the first event.
  Harness(CompiledRulesPtr rules, EngineOptions options, TimePoint clock_start)
      : rules_(std::move(rules)), options_(std::move(options)), clock_(clock_start) {
    Open();
  }

  CompiledRulesPtr rules_;
  EngineOptions options_;
  TempDir dir_;
  RecordingSink sink_;
  EventTimeClock clock_;
  std::unique_ptr<LmdbStateStore> store_;
  std::unique_ptr<Engine> engine_;
};

// ---- Time-driven constructs (tests/engine/time_*_test.cpp) ----
// The clock is an EventTimeClock (decision 16): events move it forward, and
// AdvanceTo() moves it by hand and fires what came due, like replay's
// `--until`. Rules compile in a chosen timezone.

// Parses an RFC 3339 time; fails the test when it does not parse.
inline TimePoint TimeOf(const std::string& rfc3339) {
  std::optional<TimePoint> t = ParseRfc3339(rfc3339);
  INFO(rfc3339);
  REQUIRE(t.has_value());
  return *t;
}

// An identity member for data: "customer":{"id":"<id>"} (the Patron id is `id`).
inline std::string CustomerRef(const std::string& id) { return R"("customer":{"id":")" + id + R"("})"; }

// Parses, checks and compiles `text` with `options` (timezone).
inline CompiledRulesPtr CompileText(const std::string& text, const CompileOptions& options) {
  dsl::Diagnostics diags;
  auto rule_set = dsl::LoadRuleText("test.rules", text, diags);
  INFO(diags.Render());
  REQUIRE(rule_set.has_value());
  CompiledRulesPtr compiled = CompileRules(*rule_set, diags, options);
  INFO(diags.Render());
  REQUIRE(compiled != nullptr);
  return compiled;
}

// The times of `actions` as RFC 3339 UTC text, in order.
inline std::vector<std::string> ActionTimes(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) out.push_back(FormatRfc3339Utc(a.time));
  return out;
}
// The customer ids of `actions`, in order.
inline std::vector<std::string> ActionCustomers(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) out.push_back(a.customer_id);
  return out;
}
// data.cause of `actions`, in order: the event id, or "deadline <RFC 3339>".
inline std::vector<std::string> ActionCauses(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) {
    std::string cause = a.cause_event;
    if (a.cause_deadline) cause += (cause.empty() ? "" : " ") + std::string("deadline ") + FormatRfc3339Utc(*a.cause_deadline);
    out.push_back(cause);
  }
  return out;
}

struct TimeHarnessOptions {
  std::string timezone = "Asia/Shanghai";  // the rule set's timezone
  EngineOptions engine;
  std::string start;  // the clock's start (RFC 3339); empty: before every event
};

// The engine over real LMDB state in a temporary directory (Harness),
// compiled in a chosen timezone, with the clock moved by hand as well.
class TimeHarness : public Harness {
 public:
  explicit TimeHarness(const std::string& rules_text, TimeHarnessOptions options = {})
      : Harness(CompileText(rules_text, CompileOptions{options.timezone}), options.engine,
                options.start.empty() ? INT64_MIN : TimeOf(options.start)) {}

  // Like replay's `--until`: moves the clock to `time` (never back), fires
  // every timer due by then (finishing broadcasts) and commits.
  void AdvanceTo(const std::string& time) {
    clock_.Set(TimeOf(time));
    for (int i = 0; i < 10'000; ++i) {
      if (!FireOnce()) return;
    }
    FAIL("a broadcast never finished");
  }
  // One FireDue() and a commit; true when a broadcast is unfinished.
  bool FireOnce() {
    Result<bool> more = engine_->FireDue();
    INFO(more.status().ToString());
    REQUIRE(more.ok());
    Commit();
    return *more;
  }
  // Engine::NextDue() as RFC 3339 text, "" when no timer is armed.
  std::string NextDue() {
    auto next = engine_->NextDue();
    INFO(next.status().ToString());
    REQUIRE(next.ok());
    return next->has_value() ? FormatRfc3339Utc(**next) : std::string();
  }

  EventTimeClock& clock() { return clock_; }
};

}  // namespace patron::testing
