#include "engine/value.hpp"

#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "base/json_writer.hpp"
#include "engine/arena.hpp"

namespace patron {
namespace {

constexpr int64_t kMaxDecimalInt = std::numeric_limits<int64_t>::max() / Decimal::kScale;

template <typename T>
int Order(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Brings a string side to the other side's time or date kind when it parses.
bool Coerce(const Value& from, ValueKind to, Value& out) {
  if (from.kind() != ValueKind::kString) return false;
  if (to == ValueKind::kTime) {
    auto t = ParseRfc3339(from.string());
    if (!t) return false;
    out = Value::Time(*t);
    return true;
  }
  if (to == ValueKind::kDate) {
    auto d = ParseDate(from.string());
    if (!d) return false;
    out = Value::Date(*d);
    return true;
  }
  return false;
}

// Both values with a common kind, after coercing a string to a time/date.
bool Align(const Value& a, const Value& b, Value& x, Value& y) {
  if (a.is_null() || b.is_null()) return false;
  x = a;
  y = b;
  if (a.kind() == b.kind()) return true;
  if (Coerce(a, b.kind(), x)) return true;
  if (Coerce(b, a.kind(), y)) return true;
  return false;
}

bool Checked(__int128 v, int64_t& out) {
  if (v < std::numeric_limits<int64_t>::min() || v > std::numeric_limits<int64_t>::max()) return false;
  out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

__int128 DivRound(__int128 num, __int128 den) {
  if (den < 0) { num = -num; den = -den; }
  __int128 q = num / den;
  __int128 r = num % den;
  if (r == 0) return q;
  __int128 twice = (r < 0 ? -r : r) * 2;
  if (twice > den || (twice == den && (q % 2 != 0))) q += num < 0 ? -1 : 1;
  return q;
}

const char* ValueKindName(ValueKind kind) {
  static constexpr const char* kNames[] = {"null", "bool",     "number", "string", "time",
                                           "duration", "date", "list",   "object"};
  return kNames[static_cast<size_t>(kind)];
}

int64_t DivideRoundHalfEven(int64_t a, int64_t b) { return static_cast<int64_t>(DivRound(a, b)); }

bool ValuesEqual(const Value& a, const Value& b) {
  Value x, y;
  if (!Align(a, b, x, y)) return false;
  switch (x.kind()) {
    case ValueKind::kNull:
      return false;
    case ValueKind::kBool:
    case ValueKind::kNumber:
    case ValueKind::kTime:
    case ValueKind::kDuration:
    case ValueKind::kDate:
      return x.bits() == y.bits();
    case ValueKind::kString:
      return x.string() == y.string();
    case ValueKind::kList: {
      auto l = x.list(), r = y.list();
      if (l.size() != r.size()) return false;
      for (size_t i = 0; i < l.size(); ++i)
        if (!ValuesEqual(l[i], r[i])) return false;
      return true;
    }
    case ValueKind::kObject:
      return x.object() == y.object();
  }
  return false;
}

bool ValuesDiffer(const Value& a, const Value& b) {
  Value x, y;
  if (!Align(a, b, x, y)) return false;
  return !ValuesEqual(x, y);
}

std::optional<int> CompareValues(const Value& a, const Value& b) {
  Value x, y;
  if (!Align(a, b, x, y)) return std::nullopt;
  switch (x.kind()) {
    case ValueKind::kNumber:
    case ValueKind::kTime:
    case ValueKind::kDuration:
    case ValueKind::kDate:
      return Order(x.bits(), y.bits());
    case ValueKind::kString: {
      int c = x.string().compare(y.string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return std::nullopt;
  }
}

bool ValueIn(const Value& x, const Value& container) {
  if (x.is_null() || container.kind() != ValueKind::kList) return false;
  for (const Value& item : container.list())
    if (ValuesEqual(x, item)) return true;
  return false;
}

bool ValueContains(const Value& a, const Value& b) {
  if (b.is_null()) return false;
  if (a.kind() == ValueKind::kString && b.kind() == ValueKind::kString)
    return a.string().find(b.string()) != std::string_view::npos;
  if (a.kind() == ValueKind::kList) return ValueIn(b, a);
  return false;
}

Value Add(const Value& a, const Value& b) {
  int64_t r;
  switch (a.kind()) {
    case ValueKind::kNumber:
      if (b.kind() == ValueKind::kNumber && Checked(__int128(a.bits()) + b.bits(), r))
        return Value::Number(Decimal::FromMicros(r));
      return {};
    case ValueKind::kTime:
      if (b.kind() == ValueKind::kDuration && Checked(__int128(a.bits()) + b.bits(), r)) return Value::Time(r);
      return {};
    case ValueKind::kDuration:
      if (b.kind() == ValueKind::kDuration && Checked(__int128(a.bits()) + b.bits(), r)) return Value::Interval(r);
      if (b.kind() == ValueKind::kTime && Checked(__int128(a.bits()) + b.bits(), r)) return Value::Time(r);
      if (b.kind() == ValueKind::kDate) return Add(b, a);
      return {};
    case ValueKind::kDate:
      if (b.kind() == ValueKind::kDuration) return Value::Date(a.date() + static_cast<int32_t>(b.duration() / kMicrosPerDay));
      return {};
    default:
      return {};
  }
}

Value Subtract(const Value& a, const Value& b) {
  int64_t r;
  switch (a.kind()) {
    case ValueKind::kNumber:
      if (b.kind() == ValueKind::kNumber && Checked(__int128(a.bits()) - b.bits(), r))
        return Value::Number(Decimal::FromMicros(r));
      return {};
    case ValueKind::kTime:
      if (b.kind() == ValueKind::kDuration && Checked(__int128(a.bits()) - b.bits(), r)) return Value::Time(r);
      if (b.kind() == ValueKind::kTime && Checked(__int128(a.bits()) - b.bits(), r)) return Value::Interval(r);
      return {};
    case ValueKind::kDuration:
      if (b.kind() == ValueKind::kDuration && Checked(__int128(a.bits()) - b.bits(), r)) return Value::Interval(r);
      return {};
    case ValueKind::kDate:
      if (b.kind() == ValueKind::kDuration)
        return Value::Date(a.date() - static_cast<int32_t>(b.duration() / kMicrosPerDay));
      if (b.kind() == ValueKind::kDate) return Value::Interval(int64_t{a.date() - b.date()} * kMicrosPerDay);
      return {};
    default:
      return {};
  }
}

Value Multiply(const Value& a, const Value& b) {
  if (a.kind() == ValueKind::kNumber && b.kind() == ValueKind::kNumber) {
    __int128 q = DivRound(__int128(a.bits()) * b.bits(), Decimal::kScale);
    int64_t r;
    if (!Checked(q, r)) return {};
    return Value::Number(Decimal::FromMicros(r));
  }
  if (a.kind() == ValueKind::kDuration && b.kind() == ValueKind::kNumber) {
    __int128 p = __int128(a.bits()) * b.bits();
    __int128 q = p / Decimal::kScale;
    int64_t r;
    if (!Checked(q, r)) return {};
    return Value::Interval(r);
  }
  if (a.kind() == ValueKind::kNumber && b.kind() == ValueKind::kDuration) return Multiply(b, a);
  return {};
}

Value Divide(const Value& a, const Value& b) {
  if (b.kind() == ValueKind::kNumber && b.bits() == 0) return {};
  if (a.kind() == ValueKind::kNumber && b.kind() == ValueKind::kNumber) {
    auto q = Decimal::Divide(a.number(), b.number());
    return q ? Value::Number(*q) : Value{};
  }
  if (a.kind() == ValueKind::kDuration && b.kind() == ValueKind::kNumber) {
    __int128 num = __int128(a.bits()) * Decimal::kScale;
    int64_t r;
    if (!Checked(num / b.bits(), r)) return {};
    return Value::Interval(r);
  }
  if (a.kind() == ValueKind::kDuration && b.kind() == ValueKind::kDuration) {
    if (b.bits() == 0) return {};
    __int128 q = DivRound(__int128(a.bits()) * Decimal::kScale, b.bits());
    int64_t r;
    if (!Checked(q, r)) return {};
    return Value::Number(Decimal::FromMicros(r));
  }
  return {};
}

Value Negate(const Value& a) {
  if (a.kind() == ValueKind::kNumber && a.bits() != std::numeric_limits<int64_t>::min())
    return Value::Number(-a.number());
  if (a.kind() == ValueKind::kDuration && a.bits() != std::numeric_limits<int64_t>::min())
    return Value::Interval(-a.duration());
  return {};
}

std::optional<TimePoint> AsTime(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kTime:
      return v.time();
    case ValueKind::kDate:
      return int64_t{v.date()} * kMicrosPerDay;
    case ValueKind::kString: {
      if (auto t = ParseRfc3339(v.string())) return t;
      if (auto d = ParseDate(v.string())) return int64_t{*d} * kMicrosPerDay;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<Decimal> JsonNumberToDecimal(const boost::json::value& json) {
  if (const int64_t* i = json.if_int64())
    return *i < -kMaxDecimalInt || *i > kMaxDecimalInt ? std::nullopt : std::optional(Decimal::FromInt(*i));
  if (const uint64_t* u = json.if_uint64()) {
    if (*u > static_cast<uint64_t>(kMaxDecimalInt)) return std::nullopt;
    return Decimal::FromInt(static_cast<int64_t>(*u));
  }
  if (const double* d = json.if_double()) return Decimal::FromDouble(*d);
  return std::nullopt;
}

Value FromJson(const boost::json::value& json, Arena& arena) {
  switch (json.kind()) {
    case boost::json::kind::null:
      return {};
    case boost::json::kind::bool_:
      return Value::Bool(json.get_bool());
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: {
      auto d = JsonNumberToDecimal(json);
      return d ? Value::Number(*d) : Value{};
    }
    case boost::json::kind::string: {
      const auto& s = json.get_string();
      return Value::String(std::string_view(s.data(), s.size()));
    }
    case boost::json::kind::array: {
      const auto& a = json.get_array();
      Value* items = arena.NewValues(a.size());
      for (size_t i = 0; i < a.size(); ++i) items[i] = FromJson(a[i], arena);
      return Value::List(items, a.size());
    }
    case boost::json::kind::object:
      return Value::Object(&json.get_object());
  }
  return {};
}

boost::json::value ToJson(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return nullptr;
    case ValueKind::kBool:
      return v.boolean();
    case ValueKind::kNumber: {
      Decimal d = v.number();
      if (d.IsInteger()) return d.Truncate();
      return d.ToDouble();
    }
    case ValueKind::kString:
      return boost::json::string(v.string());
    case ValueKind::kTime:
      return boost::json::string(FormatRfc3339Utc(v.time()));
    case ValueKind::kDuration:
      return v.duration() / kMicrosPerSecond;
    case ValueKind::kDate:
      return boost::json::string(FormatDate(v.date()));
    case ValueKind::kList: {
      boost::json::array a;
      a.reserve(v.list().size());
      for (const Value& item : v.list()) a.push_back(ToJson(item));
      return a;
    }
    case ValueKind::kObject:
      return v.object();
  }
  return nullptr;
}

namespace {

void AppendDuration(std::string& out, Duration d) {
  struct Unit {
    Duration micros;
    const char* one;
    const char* many;
  };
  static constexpr Unit kUnits[] = {{7 * kMicrosPerDay, "week", "weeks"}, {kMicrosPerDay, "day", "days"},
                                    {kMicrosPerHour, "hour", "hours"},    {kMicrosPerMinute, "minute", "minutes"},
                                    {kMicrosPerSecond, "second", "seconds"}};
  for (const Unit& u : kUnits) {
    if (d % u.micros == 0 && d != 0) {
      int64_t n = d / u.micros;
      out += std::to_string(n);
      out += ' ';
      out += (n == 1 || n == -1) ? u.one : u.many;
      return;
    }
  }
  // Not a whole number of seconds (or zero): seconds as a decimal.
  Decimal::FromMicros(d).AppendTo(out);
  out += " seconds";
}

void WriteJson(JsonWriter& w, const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      w.Null();
      return;
    case ValueKind::kBool:
      w.Bool(v.boolean());
      return;
    case ValueKind::kNumber:
      w.Number(v.number());
      return;
    case ValueKind::kString:
      w.String(v.string());
      return;
    case ValueKind::kTime:
      w.Time(v.time());
      return;
    case ValueKind::kDuration:
      w.Int(v.duration() / kMicrosPerSecond);
      return;
    case ValueKind::kDate:
      w.String(FormatDate(v.date()));
      return;
    case ValueKind::kList:
      w.BeginArray();
      for (const Value& item : v.list()) WriteJson(w, item);
      w.End();
      return;
    case ValueKind::kObject:
      w.Raw(boost::json::serialize(v.object()));
      return;
  }
}

}  // namespace

void AppendJson(std::string& out, const Value& v) {
  JsonWriter w(out);
  WriteJson(w, v);
}

void AppendText(std::string& out, const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return;
    case ValueKind::kBool:
      out += v.boolean() ? "true" : "false";
      return;
    case ValueKind::kNumber:
      v.number().AppendTo(out);
      return;
    case ValueKind::kString:
      out += v.string();
      return;
    case ValueKind::kTime:
      AppendRfc3339Utc(out, v.time());
      return;
    case ValueKind::kDuration:
      AppendDuration(out, v.duration());
      return;
    case ValueKind::kDate:
      out += FormatDate(v.date());
      return;
    case ValueKind::kList: {
      bool first = true;
      for (const Value& item : v.list()) {
        if (!first) out += ", ";
        first = false;
        AppendText(out, item);
      }
      return;
    }
    case ValueKind::kObject:
      out += boost::json::serialize(v.object());
      return;
  }
}

bool AppendKey(std::string& out, const Value& v) {
  switch (v.kind()) {
    case ValueKind::kBool:
    case ValueKind::kNumber:
    case ValueKind::kTime:
    case ValueKind::kDuration:
    case ValueKind::kDate: {
      out += static_cast<char>(v.kind());
      int64_t bits = v.bits();
      char b[8];
      for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
      out.append(b, 8);
      return true;
    }
    case ValueKind::kString: {
      out += static_cast<char>(v.kind());
      uint32_t n = static_cast<uint32_t>(v.string().size());
      char b[4];
      for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((n >> (8 * i)) & 0xff);
      out.append(b, 4);
      out += v.string();
      return true;
    }
    default:
      return false;
  }
}

}  // namespace patron
