#pragma once
// Engine::Impl, shared by the .cpp files that implement the engine's steps:
// engine.cpp (intake, dedupe, customers, built-in profile, commit),
// rule_evaluation.cpp (dispatch, triggers, where, limit, holdout) and
// action_execution.cpp (rendering and running actions). Engine thread only.
//
// Choices beyond the specs, for events with no customer: every customer.*
// path is null; `first` and aggregate triggers do not fire (their state is
// per customer); `limit ... per customer` does not limit; holdout hashes the
// empty customer id; tag/untag/set/points have nothing to change and are
// skipped (recorded as suppressed with reason "no customer").

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "engine/action_sink.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/evaluator.hpp"
#include "engine/event.hpp"
#include "engine/event_decoder.hpp"
#include "engine/graph.hpp"
#include "engine/outbox.hpp"
#include "engine/state_store.hpp"

namespace patron {

struct Engine::Impl {
  Impl(const CompiledRules& rules, StateStore& store, ActionSink& sink, Clock& clock, EngineOptions options);

  // engine.cpp
  Status Accept(std::string_view message, std::string_view subject);
  // Runs `event` and then the events its rules emitted (breadth first).
  Status ProcessWithEmits(Event& event);
  // Dedupe, customer, built-in profile, rules, MarkProcessed.
  Status ProcessOne(Event& event, int depth);
  Status Commit();
  void Reject(std::string message, std::string reason, std::string_view subject);

  // rule_evaluation.cpp
  Status RunRules(const Event& event, CustomerRecord* customer, int depth);
  Status RunRule(const CompiledRule& rule, bool range_checked, const Event& event, CustomerRecord* customer,
                 int depth);
  // The trigger of `rule` for this event (updating `first`/aggregate state).
  bool Triggered(const CompiledRule& rule, CustomerRecord* customer);
  // Checks and records `limit`; false (and a kSkippedLimit outcome) when the firing is over it.
  Result<bool> WithinLimit(const CompiledRule& rule, const Event& event, CustomerRecord* customer,
                           std::string& limit_key);
  Status Record(OutcomeKind kind, const CompiledRule& rule, const Event& event, const CustomerRecord* customer,
                std::string detail);

  // action_execution.cpp
  Status RunAction(const CompiledRule& rule, const CompiledAction& action, const Event& event,
                   CustomerRecord* customer, const std::string& limit_key, int depth);
  // Fills the members every action has; returns the outbox slot.
  Action& StartAction(const CompiledRule& rule, const CompiledAction& action, const Event& event,
                      const CustomerRecord* customer, const std::string& limit_key);
  // The profile changed under a rule: visible to later rules.
  void ProfileChanged(CustomerRecord* customer);
  // Decision 2's id, appended as 16 hex digits.
  void AppendActionId(std::string& out, const CompiledRule& rule, const CompiledAction& action, const Event& event,
                      const CustomerRecord* customer, const std::string& limit_key) const;

  const CompiledRules& rules_;
  StateStore& store_;
  ActionSink& sink_;
  Clock& clock_;
  EngineOptions options_;
  spdlog::logger* log_;  // null: silent

  EventDecoder decoder_;
  Event event_;                  // the message being accepted (reused)
  Evaluator evaluator_;
  Outbox outbox_;
  // The per-rule counters live in the nodes of stats_'s maps (stable
  // addresses), found by rule index: a rule's first count inserts its entry,
  // later ones only increment, and reading stats() costs nothing.
  EngineStats stats_;
  std::vector<uint64_t*> fired_by_rule_;    // null until the rule first fires
  std::vector<uint64_t*> actions_by_rule_;  // null until the rule's first action
  void CountFired(uint32_t rule);
  void CountAction(uint32_t rule);
  const EngineStats& Stats() const { return stats_; }
  size_t pending_ = 0;

  struct PendingEmit {
    Event event;
    int depth = 0;
  };
  std::deque<PendingEmit> emits_;  // emitted events waiting for the current one to finish
  std::vector<uint32_t> candidates_;  // scratch: candidate codes of one event
  std::string key_;                   // scratch: index tuple key
};

}  // namespace patron
