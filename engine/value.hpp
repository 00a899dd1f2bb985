#pragma once
// Runtime values of the rule language (language.md "Expressions"), as the
// evaluator passes them between graph nodes. A Value is 16 bytes and never
// owns memory: strings and lists point into the event's JSON, the customer
// record, the compiled rules' constants or the per-event Arena
// (engine/arena.hpp). Whoever holds a Value must keep its referent alive;
// the evaluator guarantees that for one event on the engine's thread.
//
// Semantics decided here (language.md "Precise semantics"):
// - comparisons with null, or between values of different kinds, are false
//   (`!=` too); a string compared with a time or a date is read as RFC 3339
//   or YYYY-MM-DD first (dynamic event fields carry times as strings);
// - strings compare as bytes; numbers are exact decimals;
// - arithmetic with null, or on kinds that do not combine, gives null.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "base/decimal.hpp"
#include "base/time.hpp"

namespace patron {

class Arena;

enum class ValueKind : uint8_t { kNull, kBool, kNumber, kString, kTime, kDuration, kDate, kList, kObject };

// "null", "bool", "number", "string", "time", "duration", "date", "list", "object".
const char* ValueKindName(ValueKind kind);

class Value {
 public:
  constexpr Value() = default;
  static constexpr Value Null() { return Value(); }
  static constexpr Value Bool(bool b) { Value v(ValueKind::kBool); v.i_ = b ? 1 : 0; return v; }
  static constexpr Value Number(Decimal d) { Value v(ValueKind::kNumber); v.i_ = d.micros(); return v; }
  static constexpr Value Time(TimePoint t) { Value v(ValueKind::kTime); v.i_ = t; return v; }
  static constexpr Value Interval(Duration d) { Value v(ValueKind::kDuration); v.i_ = d; return v; }
  static constexpr Value Date(int32_t days) { Value v(ValueKind::kDate); v.i_ = days; return v; }
  // `s` must outlive every use of the value.
  static Value String(std::string_view s) {
    Value v(ValueKind::kString);
    v.str_ = s.data();
    v.size_ = static_cast<uint32_t>(s.size());
    return v;
  }
  // `items[0..n)` must outlive every use of the value.
  static Value List(const Value* items, size_t n) {
    Value v(ValueKind::kList);
    v.items_ = items;
    v.size_ = static_cast<uint32_t>(n);
    return v;
  }
  static Value Object(const boost::json::object* o) { Value v(ValueKind::kObject); v.object_ = o; return v; }

  ValueKind kind() const { return kind_; }
  bool is_null() const { return kind_ == ValueKind::kNull; }
  // True only for the boolean true: null and every other kind are false.
  bool truthy() const { return kind_ == ValueKind::kBool && i_ != 0; }
  bool boolean() const { return i_ != 0; }
  Decimal number() const { return Decimal::FromMicros(i_); }
  TimePoint time() const { return i_; }
  Duration duration() const { return i_; }
  int32_t date() const { return static_cast<int32_t>(i_); }
  std::string_view string() const { return {str_, size_}; }
  std::span<const Value> list() const { return {items_, size_}; }
  const boost::json::object& object() const { return *object_; }
  // The raw 64-bit payload of bool, number, time, duration and date values.
  int64_t bits() const { return i_; }

 private:
  constexpr explicit Value(ValueKind kind) : kind_(kind) {}
  ValueKind kind_ = ValueKind::kNull;
  uint32_t size_ = 0;
  union {
    int64_t i_ = 0;
    const char* str_;
    const Value* items_;
    const boost::json::object* object_;
  };
};

// ------------------------------------------------------------ comparisons

// `a == b` of the language: false with null or mismatched kinds. Lists are
// equal element by element, objects as JSON.
bool ValuesEqual(const Value& a, const Value& b);
// `a != b` of the language: false with null or mismatched kinds too.
bool ValuesDiffer(const Value& a, const Value& b);
// Three-way order of two values of an ordered kind (number, string, time,
// duration, date): negative, 0 or positive; nullopt when they do not compare.
std::optional<int> CompareValues(const Value& a, const Value& b);
// `x in list`: list membership (false for null or a non-list right side).
bool ValueIn(const Value& x, const Value& container);
// `a contains b`: substring of a string, or member of a list; else false.
bool ValueContains(const Value& a, const Value& b);

// ------------------------------------------------------------- arithmetic

// `+ - * /` of the language; null when an operand is null or the kinds do
// not combine (number±number, time±duration, time-time, duration±duration,
// date±duration, date-date, number*number, duration*number, number/number,
// duration/number, duration/duration). Division by zero and overflow give null.
Value Add(const Value& a, const Value& b);
Value Subtract(const Value& a, const Value& b);
Value Multiply(const Value& a, const Value& b);
Value Divide(const Value& a, const Value& b);
Value Negate(const Value& a);

// The value read as a time: a time, a date (its midnight, UTC) or a string in
// RFC 3339 (with offset) or YYYY-MM-DD; nullopt otherwise.
std::optional<TimePoint> AsTime(const Value& v);

// `a / b` of integers rounded to the nearest, half to even.
int64_t DivideRoundHalfEven(int64_t a, int64_t b);
// The same on 128-bit integers.
__int128 DivRound(__int128 num, __int128 den);

// ------------------------------------------------------------- conversions

// A JSON value as a language value: strings and objects are referenced, not
// copied (`json` must outlive the result); arrays become lists in `arena`;
// numbers become decimals (null if out of Decimal's range).
Value FromJson(const boost::json::value& json, Arena& arena);
// A JSON number as the Decimal FromJson() makes of it; nullopt when `json`
// is not a number or does not fit a Decimal (FromJson() then gives null).
std::optional<Decimal> JsonNumberToDecimal(const boost::json::value& json);
// A language value as JSON (numbers exact via their decimal text, times as
// RFC 3339 UTC, dates as YYYY-MM-DD, durations as whole seconds).
boost::json::value ToJson(const Value& v);

// Appends `v` as JSON text (with base/json_writer.hpp): numbers exactly as
// Decimal::ToString (no binary floating point), strings escaped (invalid
// UTF-8 as U+FFFD), times and dates as strings (RFC 3339 UTC, YYYY-MM-DD),
// durations as whole seconds, lists and objects recursively. A list nested
// deeper than JsonWriter::kMaxDepth (64; events stop at 32) is written as null.
void AppendJson(std::string& out, const Value& v);

// Appends the text of `v` as language.md "Values in texts" says: null prints
// nothing, numbers as Decimal::ToString, times RFC 3339 UTC, dates
// YYYY-MM-DD, durations in their largest whole unit ("30 days", "90 minutes"),
// lists as their elements' texts joined by ", ", objects as JSON.
void AppendText(std::string& out, const Value& v);

// Appends a stable byte encoding of a scalar value for hash lookups; equal
// encodings iff ValuesEqual (for bool, number, string, time, duration, date).
// Returns false (appending nothing) for null, lists and objects.
bool AppendKey(std::string& out, const Value& v);

}  // namespace patron
