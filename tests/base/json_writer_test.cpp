// base/json_writer: commas and nesting, every value kind, keys, escaping,
// appending after existing text, and the documented depth limit.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "base/json_writer.hpp"

namespace patron {
namespace {

TEST_CASE("commas go between members and elements, never elsewhere", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.BeginArray("empty");
  w.End();
  w.BeginObject("none");
  w.End();
  w.BeginArray("list");
  w.Int(1);
  w.BeginArray();
  w.End();
  w.BeginObject();
  w.Int("a", 2);
  w.BeginArray("b");
  w.Int(3);
  w.Int(4);
  w.End();
  w.End();
  w.Int(5);
  w.End();
  w.Int("last", 6);
  w.End();
  CHECK(out == R"({"empty":[],"none":{},"list":[1,[],{"a":2,"b":[3,4]},5],"last":6})");
  CHECK(w.depth() == 0);
  CHECK(w.ok());
}

TEST_CASE("each value kind", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  w.String("s");
  w.String("");
  w.Int(0);
  w.Int(-42);
  w.Int(std::numeric_limits<int64_t>::min());
  w.Int(std::numeric_limits<uint64_t>::max());
  w.Int(uint8_t{7});
  w.Number(Decimal::FromInt(500));
  w.Number(*Decimal::Parse("2.0"));
  w.Number(*Decimal::Parse("128.5"));
  w.Number(*Decimal::Parse("-0.25"));
  w.Bool(true);
  w.Bool(false);
  w.Null();
  w.Time(*ParseRfc3339("2026-03-31T20:34:56+08:00"));
  w.Time(*ParseRfc3339("2026-03-31T12:34:56.250Z"));
  w.Raw(R"({"kids":[2]})");
  w.End();
  CHECK(out ==
        R"(["s","",0,-42,-9223372036854775808,18446744073709551615,7,500,2,128.5,-0.25,true,false,null,)"
        R"("2026-03-31T12:34:56Z","2026-03-31T12:34:56.25Z",{"kids":[2]}])");
}

TEST_CASE("member forms write the key, then the value", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.String("s", "x");
  w.Int("i", 3);
  w.Number("n", *Decimal::Parse("12.5"));
  w.Bool("b", true);
  w.Null("z");
  w.Time("t", 0);
  w.Raw("r", "[1]");
  w.BeginArray("a");
  w.End();
  w.BeginObject("o");
  w.End();
  w.End();
  CHECK(out ==
        R"({"s":"x","i":3,"n":12.5,"b":true,"z":null,"t":"1970-01-01T00:00:00Z","r":[1],"a":[],"o":{}})");
}

TEST_CASE("strings and run-time keys are escaped like AppendJsonString", "[json_writer]") {
  const std::string text = std::string("q\"b\\n\nt\tc\x01 \x7f") + "\xE4\xB8\xAD" + "\xFF";
  std::string expected = "{";
  AppendJsonString(expected, text);
  expected += ':';
  AppendJsonString(expected, text);
  expected += '}';
  CHECK(expected ==
        "{\"q\\\"b\\\\n\\nt\\tc\\u0001 \x7f\xE4\xB8\xAD\xEF\xBF\xBD\":"
        "\"q\\\"b\\\\n\\nt\\tc\\u0001 \x7f\xE4\xB8\xAD\xEF\xBF\xBD\"}");

  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.EscapedKey(text);
  w.String(text);
  w.End();
  CHECK(out == expected);
}

TEST_CASE("literal keys are copied, run-time keys escaped, and both mix", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Int("a_key-with.printable ~chars", 1);
  w.EscapedKey("rule \"one\"");
  w.BeginObject();
  w.EscapedKey("fired");
  w.Int(3);
  w.Int("held_out", 1);
  w.End();
  w.Int("exactly 32 bytes long, this key!", 2);
  w.End();
  CHECK(out == R"({"a_key-with.printable ~chars":1,"rule \"one\"":{"fired":3,"held_out":1},)"
               R"("exactly 32 bytes long, this key!":2})");
  STATIC_REQUIRE(JsonKey("exactly 32 bytes long, this key!").name().size() == JsonKey::kMaxSize);
}

TEST_CASE("the writer appends after what the string holds", "[json_writer]") {
  std::string out = "line 1\n";
  {
    JsonWriter w(out);
    w.BeginObject();
    w.Int("n", 1);
    w.End();
  }
  out += '\n';
  JsonWriter w(out);
  w.BeginObject();  // a new writer starts without a pending comma
  w.End();
  CHECK(out == "line 1\n{\"n\":1}\n{}");
}

TEST_CASE("a single value at the top level", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.String("alone");
  CHECK(out == "\"alone\"");
  CHECK(w.depth() == 0);
}

TEST_CASE("End at depth 0 writes nothing", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  w.End();
  w.End();
  CHECK(out == "[]");
  CHECK(w.depth() == 0);
  CHECK(w.ok());
}

TEST_CASE("kMaxDepth containers nest, a deeper one becomes null with all it holds", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  for (int i = 0; i < JsonWriter::kMaxDepth; ++i) w.BeginArray();
  CHECK(w.depth() == JsonWriter::kMaxDepth);
  CHECK(w.ok());
  w.Int(1);
  // Too deep: written as null; what is inside, however deep, is dropped.
  w.BeginObject();
  CHECK_FALSE(w.ok());
  w.Int("dropped", 2);
  w.EscapedKey("dropped too");
  w.BeginArray();
  w.String("dropped");
  w.Raw("[]");
  w.End();
  w.End();  // closes the dropped object
  CHECK(w.depth() == JsonWriter::kMaxDepth);
  w.Int(3);  // back at the deepest array: written, after a comma
  for (int i = 0; i < JsonWriter::kMaxDepth; ++i) w.End();
  CHECK(w.depth() == 0);
  CHECK_FALSE(w.ok());  // for good

  const std::string open(JsonWriter::kMaxDepth, '[');
  const std::string close(JsonWriter::kMaxDepth, ']');
  CHECK(out == open + "1,null,3" + close);
}

TEST_CASE("a too-deep member of an object keeps its key", "[json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  for (int i = 1; i < JsonWriter::kMaxDepth; ++i) w.BeginObject("k");
  w.BeginArray("deep");
  w.Int(1);
  w.End();
  w.Bool("after", true);
  for (int i = 0; i < JsonWriter::kMaxDepth; ++i) w.End();
  std::string expected = "{";
  for (int i = 1; i < JsonWriter::kMaxDepth; ++i) expected += "\"k\":{";
  expected += R"("deep":null,"after":true)" + std::string(JsonWriter::kMaxDepth, '}');
  CHECK(out == expected);
  CHECK_FALSE(w.ok());
}

}  // namespace
}  // namespace patron
