#pragma once
// The rule language's syntax tree (language.md), as handed from dsl/ to the
// engine's compiler. Plain data with no Boost types. Every node keeps the
// byte span of its source text so that any later stage can report an error
// at the right place. The parser fills the tree; the checker (dsl/check.hpp)
// fills `Expr::type` and `Expr::segment`. A RuleSet owns all of its nodes.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/decimal.hpp"
#include "base/time.hpp"
#include "model/action_kind.hpp"

namespace patron::dsl {

// Half-open byte range [begin, end) in the source file `file` (an index into
// RuleSet::files).
struct Span {
  uint32_t file = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

// A name as written, with where it was written.
struct Name {
  std::string text;
  Span span;
};

// The static type of a value. kAny is "not known until run time" (dynamic
// event fields, custom attributes).
enum class ValueType : uint8_t { kAny, kNull, kBool, kNumber, kString, kTime, kDuration, kDate, kList, kObject };

// ---------------------------------------------------------------- expressions

enum class ExprKind : uint8_t {
  kLiteral,   // literal
  kPath,      // root + segments: event.amount, customer.attrs.vip_since
  kList,      // [a, b, c]: args
  kUnary,     // unary_op args[0]
  kBinary,    // args[0] binary_op args[1]
  kCall,      // function(args...)
  kSegment,   // a segment name, only as the right side of `in`: name
};

enum class LiteralKind : uint8_t { kNumber, kString, kBool, kDuration, kDate, kNull };
enum class PathRoot : uint8_t { kEvent, kCustomer };
enum class UnaryOp : uint8_t { kNot, kNegate };
enum class BinaryOp : uint8_t { kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kIn, kContains, kAdd, kSub, kMul, kDiv };
enum class Function : uint8_t { kDaysSince, kHoursSince, kLen, kLower, kExists, kNow };

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Span span;

  // kLiteral
  LiteralKind literal = LiteralKind::kNull;
  Decimal number;          // kNumber
  std::string text;        // kString (escapes resolved)
  bool boolean = false;    // kBool
  Duration duration = 0;   // kDuration
  int32_t date = 0;        // kDate: days since the epoch

  // kPath: `customer.attrs.vip` is root kCustomer, segments {attrs, vip}.
  PathRoot root = PathRoot::kEvent;
  std::vector<Name> segments;

  // kUnary / kBinary / kCall / kList
  UnaryOp unary_op = UnaryOp::kNot;
  BinaryOp binary_op = BinaryOp::kOr;
  Function function = Function::kNow;
  Name function_name;                  // as written, for messages
  std::vector<std::unique_ptr<Expr>> args;

  // kSegment
  Name segment_name;

  // Filled by the checker.
  ValueType type = ValueType::kAny;
  int32_t segment = -1;  // kSegment: index into RuleSet::segments
  int32_t measure = -1;  // kPath `customer.<measure>`: index into RuleSet::measures
};
using ExprPtr = std::unique_ptr<Expr>;

// A string of an action with `{path}` placeholders. `parts` alternate as
// written; a part is literal text (braces `{{`/`}}` already unescaped) or a
// path expression (ExprKind::kPath).
struct TemplatePart {
  std::string literal;  // used when `path` is null
  ExprPtr path;
};
struct Template {
  std::vector<TemplatePart> parts;
  Span span;   // the whole string literal, quotes included
  std::string source;  // the text between the quotes, as written
};

// ------------------------------------------------------------------ triggers

enum class TriggerKind : uint8_t {
  kEvent,           // when <type>
  kFirst,           // when first <type>
  kAggregate,       // when <agg>(<type>[.<field>] [where e]) [window] <cmp> <number>
  kAbsence,         // when no <type> [or <type>]... for <duration>
  kNotFollowedBy,   // when <A> not followed by <B> within <duration> [on <field>]
  kFollowedBy,      // when <A> followed by <B> within <duration> [on <field>]
  kDate,            // when <duration> before|after customer.<date> [yearly] at HH:MM
  kEveryDay,        // when every day at HH:MM
  kEveryWeekday,    // when every <weekday> at HH:MM
  kOnDate,          // when on <date> at HH:MM
  kEnters,          // when customer enters <segment>
  kLeaves,          // when customer leaves <segment>
};

enum class Aggregate : uint8_t { kCount, kSum, kAvg, kMin, kMax };
enum class Window : uint8_t { kLifetime, kSliding, kDay, kWeek, kMonth, kYear };
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
// Their names as written in rules (and in AST dumps), in enumerator order;
// `this <period>` names kDay..kYear.
inline constexpr std::array<std::string_view, 5> kAggregateNames = {"count", "sum", "avg", "min", "max"};
inline constexpr std::array<std::string_view, 6> kWindowNames = {"lifetime", "sliding", "day", "week", "month", "year"};
inline constexpr std::array<std::string_view, 6> kCompareNames = {"==", "!=", "<", "<=", ">", ">="};
// Trigger::weekday's names, 0 = Sunday.
inline constexpr std::array<std::string_view, 7> kWeekdayNames = {"sunday",   "monday", "tuesday", "wednesday",
                                                                  "thursday", "friday", "saturday"};

struct Trigger {
  TriggerKind kind = TriggerKind::kEvent;
  Span span;  // from `when` to the end of the trigger

  // kEvent, kFirst, kAggregate: the type. kAbsence: all listed types.
  // kNotFollowedBy / kFollowedBy: {A, B}.
  std::vector<Name> event_types;

  // kAggregate
  Aggregate aggregate = Aggregate::kCount;
  Name aggregate_name;            // "sum" as written
  std::optional<Name> field;      // sum(order.completed.amount): "amount"
  ExprPtr aggregate_where;        // filter inside the parentheses
  Window window = Window::kLifetime;
  Duration window_length = 0;     // kSliding
  Span window_span;
  CompareOp compare = CompareOp::kGt;
  Decimal threshold;

  // kAbsence (for), kNotFollowedBy / kFollowedBy (within), kDate (offset)
  Duration duration = 0;
  std::optional<Name> on_field;   // `on order_id`: the field name after `on`

  // kDate
  bool before = false;            // before|after
  Name date_attribute;            // "birthday" (customer.<attr>)
  bool yearly = false;

  // kDate, kEveryDay, kEveryWeekday, kOnDate
  int32_t at_minutes = 0;         // minutes after midnight, rule set timezone
  int32_t weekday = 0;            // kEveryWeekday: 0 = Sunday .. 6 = Saturday
  int32_t on_date = 0;            // kOnDate: days since the epoch

  // kEnters, kLeaves: the segment as written; `segment` is its index into
  // RuleSet::segments (filled by the checker).
  Name segment_name;
  int32_t segment = -1;

  // A `where` written before `wait`, evaluated when the trigger fires. Only
  // set when the rule has a `wait`; otherwise the one `where` is Rule::where.
  ExprPtr where;
};

// ------------------------------------------------------------------- actions

// The action kinds, channels and priorities are the model's (model/action_kind.hpp).
using patron::ActionKind;
using patron::Channel;
using patron::TicketPriority;

struct EmitField {
  Name name;
  ExprPtr value;
};

struct Action {
  ActionKind kind = ActionKind::kCoupon;
  Span span;

  // coupon code, message template, ticket title, remind text, tag, webhook endpoint
  Template text;
  std::optional<Decimal> coupon_value;     // coupon: value
  std::optional<Duration> coupon_valid;    // coupon: valid
  Channel channel = Channel::kSms;         // message
  TicketPriority priority = TicketPriority::kNormal;  // ticket
  Name role;                               // ticket `to` (default store_manager), remind role
  std::vector<Name> set_path;              // set customer.<...>: {"tier"} or {"attrs","vip_since"}
  ExprPtr value;                           // set value, points amount
  Name emit_type;                          // emit
  std::vector<EmitField> emit_fields;      // emit ... with f = e, ...
};

// ------------------------------------------------------------------- options

struct Limit {
  int64_t count = 0;
  bool per_customer = true;
  ExprPtr per_path;       // `per event.sku` when !per_customer
  Duration window = 0;
  Span span;
};

struct Between {
  int32_t from_minutes = 0;  // inclusive
  int32_t to_minutes = 0;    // exclusive; may be < from (wraps midnight)
  Span span;
};

struct Rule {
  Name name;               // without quotes
  Span span;               // `rule` .. `end`
  Trigger trigger;
  std::optional<Duration> wait;
  Span wait_span;
  ExprPtr where;           // the `where` after `wait`, or the rule's `where` when there is no wait
  std::vector<Action> actions;
  std::optional<Limit> limit;
  std::optional<Decimal> holdout_percent;  // 10% -> 10
  Span holdout_span;
  int64_t priority = 0;
  Span priority_span;
  std::optional<Between> between;
  // `policy <name>`; the text "none" keeps the rule out of every policy.
  // Without it the default policy (if any) applies.
  std::optional<Name> policy;
  Span policy_span;  // the whole option
};

// ------------------------------------------------------------- declarations

struct FieldDecl {
  Name name;
  ValueType type = ValueType::kAny;
  Span type_span;
};

struct EventDecl {
  Name type;  // "review.posted"
  std::vector<FieldDecl> fields;
  Span span;
};

struct Segment {
  Name name;
  ExprPtr expr;
  Span span;
  std::string definition;  // the expression's text, comments dropped and white space collapsed
};

// `measure <name> = <agg>(<type>[.<field>] [where e]) [window]`: a named
// aggregate per customer, read as customer.<name> (language.md "Measures").
struct Measure {
  Name name;
  Span span;
  Aggregate aggregate = Aggregate::kCount;
  Name aggregate_name;            // "sum" as written
  Name event_type;
  std::optional<Name> field;      // sum(order.completed.amount): "amount"
  ExprPtr where;                  // filter inside the parentheses (`event` is the aggregated event)
  Window window = Window::kLifetime;
  Duration window_length = 0;     // kSliding
  Span window_span;
  std::string definition;         // the text after '=', comments dropped and white space collapsed
};

// `policy <name> [default] ... end`: a limit and/or quiet hours shared by
// the rules that join it (language.md "Policies across rules").
struct Policy {
  Name name;
  Span span;
  bool is_default = false;
  Span default_span;              // the `default` word
  std::optional<Limit> limit;     // always per customer
  std::optional<Between> between;
};

// `segments refresh at HH:MM`: when segments that time alone can change are
// evaluated again for every customer.
struct SegmentsRefresh {
  int32_t at_minutes = 4 * 60;
  Span span;
};

struct SourceFile {
  std::string path;  // as given on the command line (or dir + "/" + name)
  std::string text;
};

struct RuleSet {
  std::vector<SourceFile> files;  // in load order (name order within a directory)
  std::vector<EventDecl> events;
  std::vector<Segment> segments;
  std::vector<Rule> rules;        // rule-set order: files in order, rules in file order
  std::vector<Measure> measures;
  std::vector<Policy> policies;
  std::vector<SegmentsRefresh> refreshes;  // as written (more than one is a checker error)
};

}  // namespace patron::dsl
