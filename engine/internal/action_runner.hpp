#pragma once
// Runs a firing's actions in written order (language.md "Actions"): renders
// their texts, applies profile changes at once (visible to the rules after),
// checks opt-outs, and puts the actions, with their stable ids (decision 2),
// in the outbox. `emit` queues an event that runs after the current one,
// breadth first, up to EngineOptions::max_emit_depth.
//
// Choices beyond the specs: a ticket title or reminder text longer than
// IntakeLimits::max_text_bytes after rendering is cut at a UTF-8 boundary
// and ends with "…"; a coupon's valid_until past 9999-12-31T23:59:59Z is
// clamped to it. With no customer, tag/untag/set/points have
// nothing to change and are suppressed ("no customer"); a tag already held
// or an attribute set to its value is a no-op and emits nothing.
// Internal to engine/; engine thread only.

#include <cstdint>
#include <deque>
#include <string>

#include "base/result.hpp"
#include "engine/engine.hpp"
#include "engine/evaluator.hpp"
#include "engine/graph.hpp"
#include "engine/internal/firing.hpp"
#include "engine/internal/outbox.hpp"
#include "engine/state_store.hpp"

namespace spdlog {
class logger;
}

namespace patron {

// Which of a firing's actions run: a policy's `between` defers only the
// message and coupon actions (language.md "Policies across rules").
enum class ActionSubset : uint8_t { kAll, kMarketing, kOthers };
// The subset as kept in a kDeferred timer's `correlation` ("" for kAll), and back.
std::string_view ActionSubsetText(ActionSubset subset);
ActionSubset ActionSubsetFromText(std::string_view text);
// Whether `kind` is a message or a coupon.
inline bool IsMarketing(ActionKind kind) { return kind == ActionKind::kMessage || kind == ActionKind::kCoupon; }

// An event a rule emitted, waiting for the current one to finish.
struct PendingEmit {
  Event event;
  int depth = 0;  // emits from emitted events count up to max_emit_depth
};

class ActionRunner {
 public:
  // Everything passed must outlive this object; `log` and `observer` may be null.
  ActionRunner(StateStore& store, Evaluator& evaluator, Outbox& outbox, const EngineOptions& options,
               EngineStats& stats, spdlog::logger* log, EvaluationObserver* observer);

  // Runs every action of `rule` for `firing` (the evaluator positioned on
  // its event, customer and time). `depth`: the emit depth of the event.
  // With a `subset`, only those actions, in written order.
  Status RunActions(const CompiledRule& rule, const Firing& firing, CustomerRecord* customer, int depth,
                    ActionSubset subset = ActionSubset::kAll);

  // Takes the oldest emitted event not yet run; false when there is none.
  bool PopEmit(PendingEmit& out);

 private:
  Status RunAction(const CompiledRule& rule, const CompiledAction& action, const Firing& firing,
                   CustomerRecord* customer, int depth);
  // Fills the members every action has; returns the outbox slot.
  Action& StartAction(const CompiledRule& rule, const CompiledAction& action, const Firing& firing,
                      const CustomerRecord* customer);
  // A rendered free text (ticket title, reminder text) cut to
  // IntakeLimits::max_text_bytes with a trailing "…", counted.
  void CutText(std::string& text);
  // The profile changed under a rule: visible to later rules.
  void ProfileChanged(CustomerRecord* customer);
  // Decision 2's id, appended as 16 hex digits.
  void AppendActionId(std::string& out, const CompiledRule& rule, const CompiledAction& action, const Firing& firing,
                      const CustomerRecord* customer) const;

  StateStore& store_;
  Evaluator& evaluator_;
  Outbox& outbox_;
  const EngineOptions& options_;
  EngineStats& stats_;
  spdlog::logger* log_;
  EvaluationObserver* observer_;
  std::deque<PendingEmit> emits_;
};

}  // namespace patron
