#pragma once
// One firing of a rule as it moves from the trigger to the actions, and the
// two things every step of it may record: an Outcome row in the store (held
// out, skipped, suppressed, fired) and a step for the evaluation observer.
// Internal to engine/; engine thread only.

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/time.hpp"
#include "engine/evaluation_observer.hpp"
#include "engine/graph.hpp"
#include "engine/state_store.hpp"
#include "model/customer_record.hpp"
#include "model/event.hpp"

namespace patron {

// The cause and time of one firing, passed from the trigger to the actions.
struct Firing {
  const Event* event = nullptr;       // the triggering event; never null (an empty Event when none)
  TimePoint time = 0;                 // when the actions run (action `time`, now())
  std::optional<TimePoint> deadline;  // absence, date and schedule firings: data.cause.deadline
  std::string deadline_text;          // the deadline as RFC 3339 UTC (hashed into action ids)
  std::string limit_key;              // `limit per <path>` key, once the limit computed it
  // The cause's (source, id) as hashed into action and emit ids (decisions 2, 11).
  std::string_view CauseSource() const { return deadline ? std::string_view() : std::string_view(event->source); }
  std::string_view CauseId() const { return deadline ? std::string_view(deadline_text) : std::string_view(event->id); }
};

// A firing caused by a deadline (absence, date, schedule) at `due`, with no event.
inline Firing DeadlineFiring(const Event& no_event, TimePoint due) {
  Firing f;
  f.event = &no_event;
  f.time = due;
  f.deadline = due;
  f.deadline_text = FormatRfc3339Utc(due);
  return f;
}

// Appends an Outcome of `kind` for this firing to the store's batch.
inline Status RecordOutcome(StateStore& store, OutcomeKind kind, const CompiledRule& rule, const Firing& firing,
                            const CustomerRecord* customer, std::string detail) {
  Outcome o;
  o.kind = kind;
  o.rule = rule.name;
  if (customer != nullptr) o.customer_id = customer->profile.id;
  o.time = firing.time;
  o.cause = firing.CauseId();
  o.detail = std::move(detail);
  return store.RecordOutcome(o);
}

// Tells `observer` (when there is one) about one step of `rule`'s firing.
inline void Observe(EvaluationObserver* observer, EvaluationStep step, bool passed, const CompiledRule& rule,
                    const Firing& firing, const CustomerRecord* customer, std::string_view detail = {},
                    TimePoint until = 0, const Action* action = nullptr) {
  if (observer == nullptr) return;
  EvaluationRecord r;
  r.step = step;
  r.passed = passed;
  r.rule_index = rule.index;
  r.rule = rule.name;
  if (customer != nullptr) r.customer_id = customer->profile.id;
  r.time = firing.time;
  r.cause = firing.CauseId();
  r.detail = detail;
  r.until = until;
  r.action = action;
  observer->Observe(r);
}

}  // namespace patron
