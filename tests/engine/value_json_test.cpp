// engine/value AppendJson: every kind of Value as JSON text, byte for byte
// (the bytes a `set` action carries in value_json).
#include <catch2/catch.hpp>

#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "base/json_writer.hpp"
#include "engine/value.hpp"

namespace patron {
namespace {

std::string Json(const Value& v) {
  std::string out;
  AppendJson(out, v);
  return out;
}

TEST_CASE("AppendJson writes each kind of value", "[value]") {
  CHECK(Json(Value::Null()) == "null");
  CHECK(Json(Value::Bool(true)) == "true");
  CHECK(Json(Value::Bool(false)) == "false");
  CHECK(Json(Value::Number(*Decimal::Parse("0.375"))) == "0.375");
  CHECK(Json(Value::Number(Decimal::FromInt(-150))) == "-150");
  CHECK(Json(Value::String("gold")) == "\"gold\"");
  CHECK(Json(Value::Time(*ParseRfc3339("2026-03-01T18:00:00+08:00"))) == "\"2026-03-01T10:00:00Z\"");
  CHECK(Json(Value::Interval(90 * kMicrosPerMinute)) == "5400");
  CHECK(Json(Value::Date(*ParseDate("2026-02-17"))) == "\"2026-02-17\"");
  const boost::json::object o = boost::json::parse(R"({"b":[1,"x"],"a":null})").as_object();
  CHECK(Json(Value::Object(&o)) == R"({"b":[1,"x"],"a":null})");
}

TEST_CASE("AppendJson writes lists recursively, with commas", "[value]") {
  const Value inner[] = {Value::Number(Decimal::FromInt(1)), Value::String("a")};
  const Value outer[] = {Value::List(inner, 2), Value::List(nullptr, 0), Value::Null(), Value::Bool(true)};
  CHECK(Json(Value::List(outer, 4)) == R"([[1,"a"],[],null,true])");
  CHECK(Json(Value::List(nullptr, 0)) == "[]");
}

TEST_CASE("AppendJson escapes strings as Boost.JSON does, invalid UTF-8 as U+FFFD", "[value]") {
  const std::string text = "Li \"Lei\"\\ \n\t\x01 \xE4\xB8\xAD";
  CHECK(Json(Value::String(text)) == boost::json::serialize(boost::json::string_view(text)));
  CHECK(Json(Value::String("a\xFF")) == "\"a\xEF\xBF\xBD\"");
}

TEST_CASE("AppendJson writes a list nested deeper than the writer's limit as null", "[value]") {
  // 70 lists, each holding the next; the innermost holds 7.
  std::vector<Value> lists(70);
  const Value seven = Value::Number(Decimal::FromInt(7));
  lists.back() = Value::List(&seven, 1);
  for (size_t i = lists.size() - 1; i > 0; --i) lists[i - 1] = Value::List(&lists[i], 1);
  constexpr int kDepth = JsonWriter::kMaxDepth;
  CHECK(Json(lists.front()) == std::string(kDepth, '[') + "null" + std::string(kDepth, ']'));
}

}  // namespace
}  // namespace patron
