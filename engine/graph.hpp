#pragma once
// The compiled evaluation graph (what CompileRules returns). Immutable after
// compiling; any number of engines may read one graph, each with its own
// Evaluator (engine/evaluator.hpp) holding the per-event memo.
//
// Shape:
// - Expression nodes (`nodes`) form a DAG in one array. Every path and
//   constant is resolved when compiling: `customer.<attr>` is an enum,
//   `event.<path>` an interned key path, literals pre-built Values. Nodes are
//   hash-consed on a canonical key (operator, children, constant), so an
//   expression written in many rules is one node; shared nodes are memoised
//   per event by the evaluator (customer-dependent ones also per profile
//   change).
// - Events dispatch by type (`types`) to a TypeDispatch. A rule whose where
//   has top-level conjuncts `event.<path> == <string or number>` is indexed:
//   rules with the same set of such paths form an EqGroup, a hash map from
//   the tuple of constants to a Bucket of rules. Inside a bucket, rules that
//   also bound one numeric event path by constants (`event.amount > 50 and
//   event.amount <= 90`) sit in a RangeIndex of elementary intervals, so one
//   binary search finds the rules whose range holds the event's value. The
//   rest of each where (its residual conjuncts) is evaluated as usual.
//   Stateful triggers (`first`, aggregates), whose state changes on every
//   event of the type, and rules with nothing to index, are visited on every
//   event of the type (`always`).
// - Candidates are codes `rank << 1 | range_checked`; sorting them gives the
//   evaluation order (priority high to low, ties in rule-set order).

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/decimal.hpp"
#include "base/time.hpp"
#include "base/timezone.hpp"
#include "dsl/ast.hpp"
#include "engine/value.hpp"

namespace patron {

inline constexpr uint32_t kNoNode = UINT32_MAX;

enum class NodeOp : uint8_t {
  kConst,           // constants[arg]
  kEventId,         // the envelope's id
  kEventType,       // the envelope's type
  kEventTime,       // the envelope's time
  kEventStore,      // data.store
  kEventField,      // data.<event_paths[arg]>, projecting through lists
  kCustomerAttr,    // a built-in attribute: CustomerAttr(arg)
  kCustomerCustom,  // customer.attrs.<attr_paths[arg]>
  kMakeList,        // [list_children[arg], ... count of them]
  kNot,
  kNegate,
  kAnd,
  kOr,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kContains,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kDaysSince,
  kHoursSince,
  kLen,
  kLower,
  kExists,
  kNow,
  kCustomerMeasure,  // customer.<measure>: measures[arg], as of the evaluator's time
};

// Built-in customer attributes (language.md "Customer attributes").
enum class CustomerAttr : uint8_t {
  kId, kName, kPhone, kGender, kBirthday, kTier, kPoints, kTags, kOrders, kSpent,
  kFirstOrderAt, kLastOrderAt, kJoinedAt, kLastSeenAt, kStore, kOwner, kLifecycle,
};
// The attribute named `name` ("tier"), or nullopt.
std::optional<CustomerAttr> CustomerAttrByName(std::string_view name);

struct Node {
  NodeOp op = NodeOp::kConst;
  bool customer_dependent = false;  // reads the profile (directly or below)
  bool memo = false;                // cache the value per event (shared or costly)
  bool as_time = false;             // kEventField of a declared `time` field: parse to a time
  uint32_t a = kNoNode;             // first child
  uint32_t b = kNoNode;             // second child
  uint32_t arg = 0;                 // constant, path or attribute index; list start
  uint32_t count = 0;               // kMakeList: number of children
};

// `<piece><piece>...`: literal text and placeholder nodes in written order.
struct TemplatePiece {
  std::string literal;      // used when node == kNoNode
  uint32_t node = kNoNode;
  bool phone = false;       // renders customer.phone (or event.customer.phone): masked for staff
};
struct CompiledTemplate {
  std::vector<TemplatePiece> pieces;
  bool constant = true;     // no placeholders: `text` is the whole rendering
  std::string text;
};

// Where `set customer.<...>` writes.
enum class SetTarget : uint8_t { kTier, kOwner, kStore, kAttr };

struct CompiledAction {
  ActionKind kind = ActionKind::kCoupon;
  uint32_t index = 0;                    // position in the rule's `then`, for action ids
  std::string index_text;                // `index` in decimal, as hashed into ids
  CompiledTemplate text;                 // code, template, title, text, tag, endpoint
  std::optional<Decimal> coupon_value;
  std::optional<Duration> coupon_valid;
  Channel channel = Channel::kSms;
  TicketPriority priority = TicketPriority::kNormal;
  std::string role;                      // ticket (default store_manager) and remind
  SetTarget set_target = SetTarget::kTier;
  std::vector<std::string> set_attr_path;  // kAttr: path inside attrs
  std::string set_attr_name;             // "tier", "attrs.vip_since"
  uint32_t value = kNoNode;              // set value, points amount
  std::string emit_type;
  std::vector<std::pair<std::string, uint32_t>> emit_fields;
};

struct CompiledRule {
  std::string name;
  uint32_t index = 0;        // rule-set order
  uint32_t rank = 0;         // evaluation order (priority, then rule-set order)
  uint64_t rule_key = 0;     // decision 3
  int64_t priority = 0;
  std::string event_type;

  dsl::TriggerKind trigger = dsl::TriggerKind::kEvent;  // kEvent, kFirst or kAggregate
  dsl::Aggregate aggregate = dsl::Aggregate::kCount;
  uint32_t aggregate_field = kNoNode;  // path node of the aggregated field
  uint32_t aggregate_where = kNoNode;  // filter inside the parentheses
  dsl::CompareOp compare = dsl::CompareOp::kGt;
  Decimal threshold;

  uint32_t where = kNoNode;             // the whole where (used when not reached by the index)
  bool indexed = false;                 // reached through an EqGroup bucket
  std::vector<uint32_t> residual;       // indexed: conjuncts neither the hash nor the range index test
  std::vector<uint32_t> range_conjuncts;  // indexed: conjuncts the range index tests when it is used

  bool has_limit = false;
  int64_t limit_count = 0;
  bool limit_per_customer = true;
  uint32_t limit_path = kNoNode;        // `per <path>`
  Duration limit_window = 0;

  bool has_holdout = false;
  uint64_t holdout_below = 0;           // decision 4: held out iff bucket < this

  std::vector<CompiledAction> actions;

  // ---- time-driven (the time issue)
  // The type whose events are dispatched to this rule through `types` (its
  // trigger runs on them): the event type for kEvent/kFirst/kAggregate, B
  // for kFollowedBy; empty for triggers that only timers fire (absence, not
  // followed by, date, schedules).
  bool dispatched = true;
  // kAggregate: the window (kLifetime: whole history).
  dsl::Window window = dsl::Window::kLifetime;
  Duration window_length = 0;           // kSliding
  // kAbsence `for`, sequences `within`, kDate offset.
  Duration duration = 0;
  // Sequences: `on <field>` (event path node, read on A and on B), or kNoNode
  // to correlate by customer. `on_key` keys their keyed state.
  uint32_t on_field = kNoNode;
  uint64_t on_key = 0;                  // StableHash({"on", name})
  // kDate
  bool date_before = false;
  bool date_is_birthday = true;         // else customer.attrs.<date_attr_name>
  std::string date_attr_name;           // the name after attrs.
  bool yearly = false;
  // kDate and schedules: minutes after local midnight; kEveryWeekday: weekday
  // (0 = Sunday); kOnDate: the date (days since the epoch).
  int32_t at_minutes = 0;
  int32_t weekday = 0;
  int32_t on_date = 0;
  // `wait`: the trigger's own where (evaluated at the trigger) and the delay;
  // `where` is then evaluated when the wait ends.
  uint32_t trigger_where = kNoNode;
  std::optional<Duration> wait;
  // `between from and to` (minutes after local midnight).
  bool has_between = false;
  int32_t between_from = 0;
  int32_t between_to = 0;

  // ---- version 2
  // The policy the rule is in (index into CompiledRules::policies), or -1
  // (`policy none`, or no policy and no default).
  int32_t policy = -1;
  // The rule has a message or coupon action: its firings count against its
  // policy's limit, and those actions wait for the policy's `between`.
  bool marketing = false;
  // kEnters / kLeaves: index into CompiledRules::tracked_segments.
  uint32_t tracked_segment = 0;
};

// `measure <name> = <agg>(<type>[.<field>] [where e]) [window]`: kept per
// customer as a RuleState keyed by `key` (engine/measures.hpp).
struct CompiledMeasure {
  std::string name;
  uint64_t key = 0;                    // StableHash({"measure", name, definition})
  std::string event_type;
  dsl::Aggregate aggregate = dsl::Aggregate::kCount;
  uint32_t field = kNoNode;            // path node of the aggregated field
  uint32_t where = kNoNode;            // filter
  dsl::Window window = dsl::Window::kLifetime;
  Duration window_length = 0;          // kSliding
};

// `policy <name> ... end` (language.md "Policies across rules").
struct CompiledPolicy {
  std::string name;
  std::string skip_reason;             // "policy <name>": the outcome of a skipped firing
  uint64_t key = 0;                    // StableHash({"policy", name}): its counters in each customer record
  bool has_limit = false;
  int64_t limit_count = 0;
  Duration limit_window = 0;
  bool has_between = false;
  int32_t between_from = 0;
  int32_t between_to = 0;
};

// A segment some `when customer enters|leaves` rule watches: its membership
// per customer is kept (a RuleState keyed by `key`) and compared after each
// event of the customer and at the daily refresh.
struct TrackedSegment {
  std::string name;
  uint64_t key = 0;                    // StableHash({"segment", name, definitions it depends on})
  uint32_t condition = kNoNode;        // the segment's expression node
  // The condition can change with time alone (a measure, now(),
  // days_since, hours_since, lifecycle, also through the segments it names).
  bool time_dependent = false;
  std::vector<uint32_t> enters;        // rules index, evaluation order
  std::vector<uint32_t> leaves;
};


// Rules of one bucket whose numeric range on one event path is known.
struct RangeIndex {
  uint32_t path = kNoNode;           // node of the event path
  std::vector<int64_t> points;       // distinct interval ends (decimal micros), ascending
  // Elementary segments: (-inf, p0), [p0], (p0, p1), [p1], ..., [p_{m-1}], (p_{m-1}, +inf):
  // segment s's candidate codes are entries[segment_begin[s] .. segment_begin[s+1]).
  std::vector<uint32_t> segment_begin;
  std::vector<uint32_t> entries;     // sorted within each segment
};

struct Bucket {
  std::vector<uint32_t> plain;       // candidate codes, sorted
  std::optional<RangeIndex> range;
};

// Heterogeneous lookup by string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct EqGroup {
  std::vector<uint32_t> paths;  // event path nodes, in canonical (ascending) order
  // AppendKey of each path's constant, concatenated in `paths` order.
  std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> buckets;
};

// What an event of a type does to a time-driven rule besides dispatching.
enum class WatchRole : uint8_t {
  kArmAbsence,     // an event of a listed type: (re)arm the absence deadline
  kOpenSequence,   // an A of `(not) followed by`: open it (arm its timer)
  kCloseSequence,  // a B of `not followed by`: close the open A's of its key
};
struct Watch {
  uint32_t rule = 0;  // rules index
  WatchRole role = WatchRole::kArmAbsence;
};

struct TypeDispatch {
  std::vector<EqGroup> groups;
  std::vector<uint32_t> always;  // candidate codes of rules visited on every event of the type
  // Measures over this type (index into CompiledRules::measures), updated
  // before the type's rules run.
  std::vector<uint32_t> measures;
  // Time-driven rules this type arms or closes; they run after the rules of
  // the event, in this order (rule-set order, a B's close before its A's open).
  std::vector<Watch> watches;
};

struct DeclaredField {
  std::string name;
  dsl::ValueType type = dsl::ValueType::kAny;
};

// Counts for tests and `patron check`: how much the graph shares.
struct GraphStats {
  size_t nodes = 0;          // distinct expression nodes
  size_t memo_nodes = 0;     // of which memoised per event
  size_t indexed_rules = 0;  // reached through the equality/range index
  size_t always_rules = 0;   // visited on every event of their type
  size_t groups = 0;         // EqGroups over all types
  size_t buckets = 0;
  size_t range_indexes = 0;
};

// Built by CompileRules (engine/compile/compiler.hpp) and read-only afterwards: safe
// to share between threads. Plain members so that the evaluator and the
// engine read them without indirection.
class CompiledRules {
 public:
  std::vector<Node> nodes;                            // the expression DAG, children before parents
  std::vector<uint32_t> list_children;                // kMakeList children
  std::vector<Value> constants;                       // kConst values (pointing into the storage below)
  std::vector<std::vector<std::string>> event_paths;  // interned data.<path> keys
  std::vector<std::vector<std::string>> attr_paths;   // interned attrs.<path> keys
  std::vector<CompiledRule> rules;                    // rule-set order
  std::vector<uint32_t> rank_to_rule;                 // evaluation order -> rules index
  std::unordered_map<std::string, TypeDispatch, StringHash, std::equal_to<>> types;  // by event type
  std::unordered_map<std::string, std::vector<DeclaredField>, StringHash, std::equal_to<>> declared;
  std::string timezone;                               // CompileOptions::timezone
  TimeZone zone = TimeZone::Utc();                    // loaded from `timezone`

  // Time-driven rules (their watches are in `types`).
  std::vector<uint32_t> date_rules;      // rules index, rule-set order
  std::vector<uint32_t> schedule_rules;  // rules index, rule-set order
  std::unordered_map<uint64_t, uint32_t> rule_by_key;  // rule_key -> rules index

  // Version 2: measures (by RuleSet order), policies, the segments watched by
  // enters/leaves rules, and their daily refresh.
  std::vector<CompiledMeasure> measures;
  std::vector<CompiledPolicy> policies;
  std::vector<TrackedSegment> tracked_segments;
  int32_t refresh_minutes = 4 * 60;    // `segments refresh at` (minutes after local midnight)
  // The refresh's timer names this key instead of a rule's; 0 when no
  // tracked segment is time-dependent (no refresh is armed).
  uint64_t refresh_key = 0;

  // Storage that constants point into (deques: growth never moves elements).
  std::deque<std::string> constant_strings;
  std::deque<std::vector<Value>> constant_lists;

  // The dispatch entry of an event type, or nullptr when no rule triggers on
  // it and no time-driven rule watches it.
  const TypeDispatch* Dispatch(std::string_view type) const {
    auto it = types.find(type);
    return it == types.end() ? nullptr : &it->second;
  }
  // The declared fields of `type`, or nullptr when it is not declared.
  const std::vector<DeclaredField>* Declared(std::string_view type) const {
    auto it = declared.find(type);
    return it == declared.end() ? nullptr : &it->second;
  }
  // The watches of an event type, or nullptr when it has none.
  const std::vector<Watch>* Watches(std::string_view type) const {
    const TypeDispatch* d = Dispatch(type);
    return d == nullptr || d->watches.empty() ? nullptr : &d->watches;
  }
  // The rule whose rule_key is `key` (timers name their rule so), or nullptr
  // when no rule of this set has it (the rule was removed).
  const CompiledRule* FindRuleByKey(uint64_t key) const {
    auto it = rule_by_key.find(key);
    return it == rule_by_key.end() ? nullptr : &rules[it->second];
  }
  // The rule called `name`, or nullptr.
  const CompiledRule* FindRule(std::string_view name) const;
  GraphStats Stats() const;
};

}  // namespace patron
