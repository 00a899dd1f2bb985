#pragma once
// What the engine decided for a rule, step by step, in language.md's order
// of work: the trigger, the where, a wait, the limit, the holdout, a
// deferral by `between`, and each action run or suppressed. This port is
// what `patron explain`, the live decision log and per-rule reports are
// built on; the engine calls it only when one is set
// (EngineOptions::observer), so a run without one pays a null check per step.
//
// Called on the engine's thread, synchronously, while the engine evaluates:
// an observer must not call back into the engine and should be quick. The
// record and everything it points to are valid only during the call.

#include <cstdint>
#include <string_view>

#include "base/time.hpp"
#include "model/action.hpp"

namespace patron {

enum class EvaluationStep : uint8_t {
  kTrigger,     // the rule's trigger held (passed) or not, for an event or a timer
  kWhere,       // its `where` held or not (with `wait`: before the wait, then again when it ends)
  kWait,        // the firing waits until `until` (a `wait D`)
  kLimit,       // within its `limit` (passed), or skipped; `detail` "policy <name>" when its policy skipped it
  kHoldout,     // treated (passed), or held out
  kDeferred,    // outside `between`: the actions run at `until`
  kSuppressed,  // an action was not run; `detail` says why ("opted out of sms", "no customer")
  kAction,      // an action went to the outbox; `action` is it
};

struct EvaluationRecord {
  EvaluationStep step = EvaluationStep::kTrigger;
  bool passed = true;
  uint32_t rule_index = 0;        // the rule's position in its rule set
  std::string_view rule;          // its name
  std::string_view customer_id;   // "" when the firing has no customer
  TimePoint time = 0;             // when it was decided (the firing's time)
  std::string_view cause;         // the cause's event id, or the deadline (RFC 3339 UTC)
  std::string_view detail;        // kSuppressed: the reason
  TimePoint until = 0;            // kWait, kDeferred: when it goes on
  const Action* action = nullptr; // kAction only (a suppressed action was never built)
};

class EvaluationObserver {
 public:
  virtual ~EvaluationObserver() = default;
  // One step of one rule's evaluation.
  virtual void Observe(const EvaluationRecord& record) = 0;
};

}  // namespace patron
