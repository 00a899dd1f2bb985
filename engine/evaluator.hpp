#pragma once
// Evaluates expression nodes of a compiled graph for one event and one
// customer. Owns the per-event memo (one slot per node, tagged with a
// generation so that nothing is cleared between events) and the per-event
// Arena. Event-only nodes are computed at most once per event; nodes that
// read the customer at most once per profile version (CustomerChanged()
// starts a new one). One Evaluator per engine thread; not thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/arena.hpp"
#include "model/event.hpp"
#include "engine/graph.hpp"
#include "engine/value.hpp"
#include "model/customer_record.hpp"

namespace patron {

class Evaluator {
 public:
  // `rules` must outlive the evaluator.
  explicit Evaluator(const CompiledRules& rules);

  // Starts an event: forgets every memoised value and the arena's contents.
  // `event` and `customer` (nullptr: no customer, every customer.* is null)
  // must stay alive and unmoved until the next BeginEvent. `now` is the
  // firing time (now(), days_since, lifecycle).
  void BeginEvent(const Event& event, const CustomerRecord* customer, TimePoint now);
  // The profile changed: customer-dependent values are computed again.
  void CustomerChanged();

  // The value of `node`. Never fails: bad data gives null or false.
  Value Eval(uint32_t node);
  // Eval(node).truthy(); kNoNode counts as true (no condition).
  bool Test(uint32_t node) { return node == kNoNode || Eval(node).truthy(); }

  // Appends the rendering of `t` (placeholders per AppendText). With
  // `mask_phone`, placeholders that render a phone are masked (decision 8).
  void Render(const CompiledTemplate& t, bool mask_phone, std::string& out);

  Arena& arena() { return arena_; }
  const Event* event() const { return event_; }

  // Nodes actually computed since construction (memo misses), for tests.
  uint64_t evaluations() const { return evaluations_; }

 private:
  struct Slot {
    uint64_t generation = 0;
    Value value;
  };
  Value Compute(const Node& n);
  Value EventField(const Node& n);
  Value CustomerAttrValue(CustomerAttr attr);
  Value WalkJson(const boost::json::value& root, const std::vector<std::string>& path, size_t from);

  const CompiledRules& rules_;
  const Event* event_ = nullptr;
  const CustomerRecord* customer_ = nullptr;
  TimePoint now_ = 0;
  std::vector<Slot> memo_;
  uint64_t counter_ = 0;
  uint64_t event_generation_ = 0;
  uint64_t customer_generation_ = 0;
  uint64_t evaluations_ = 0;
  Arena arena_;
  std::vector<Value> scratch_;  // list projections build here (reused: no per-event allocation)
};

}  // namespace patron
