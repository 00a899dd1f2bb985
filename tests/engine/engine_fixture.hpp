#pragma once
// What every engine test needs: rules loaded from text through dsl
// LoadRuleText and compiled, a real LmdbStateStore in a fresh TempDir, a
// recording sink, and events written as CloudEvents JSON strings.

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/stable_hash.hpp"
#include "base/time.hpp"
#include "dsl/parse.hpp"
#include "engine/compiler.hpp"
#include "engine/engine.hpp"
#include "engine/graph.hpp"
#include "stores/lmdb_state_store.hpp"
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
      : rules_(CompileText(rules_text)), options_(std::move(options)) {
    Open();
  }
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
    auto stats = LmdbStateStore::ReadRuleStats(dir());
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

 private:
  CompiledRulesPtr rules_;
  EngineOptions options_;
  TempDir dir_;
  RecordingSink sink_;
  ManualClock clock_;
  std::unique_ptr<LmdbStateStore> store_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace patron::testing
