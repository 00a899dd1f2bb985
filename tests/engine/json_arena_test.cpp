// engine/json_arena and the decoder's use of it: memory is reused only when
// nothing allocated in it is alive, so decoded data never changes under a
// value that outlives its message.
#include <catch2/catch.hpp>

#include <string>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "engine/event_decoder.hpp"
#include "engine/json_arena.hpp"

namespace patron {
namespace {

std::string Message(const std::string& id, const std::string& store) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"pos","type":"order.completed",)"
         R"("time":"2026-03-01T12:34:56+08:00","data":{"store":")" + store +
         R"(","note":"a string too long for any small-string buffer","items":[{"sku":"x","qty":2}]}})";
}

TEST_CASE("the arena counts live allocations and reuses memory when idle", "[json_arena]") {
  auto arena = std::make_shared<JsonArena>(64);
  boost::json::storage_ptr sp = JsonArena::Storage(arena);
  REQUIRE(arena->idle());
  {
    boost::json::value v = boost::json::parse(R"({"a":[1,2,3],"b":"a string longer than the small buffer"})", sp);
    CHECK_FALSE(arena->idle());
    CHECK(v.at("b").as_string() == "a string longer than the small buffer");
    CHECK(v.at("a").as_array().size() == 3);
  }
  REQUIRE(arena->idle());
  arena->Reset();
  boost::json::value again = boost::json::parse(R"({"c":"another long string, reusing the memory"})", sp);
  CHECK(again.at("c").as_string() == "another long string, reusing the memory");
}

TEST_CASE("decoded data stays intact while a later message is decoded", "[json_arena][event_decoder]") {
  EventDecoder decoder;
  Event first, second;
  REQUIRE_FALSE(decoder.Decode(Message("e-1", "s01"), first));
  REQUIRE_FALSE(decoder.Decode(Message("e-2", "s02"), second));
  CHECK(first.data.at("store").as_string() == "s01");
  CHECK(second.data.at("store").as_string() == "s02");
  CHECK(first.data.at("items").as_array()[0].at("qty").as_int64() == 2);

  // A copy kept past the next decode of the same Event is not overwritten.
  boost::json::object kept(first.data, first.data.storage());
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(decoder.Decode(Message("e-" + std::to_string(3 + i), "s09"), first));
  CHECK(kept.at("store").as_string() == "s01");
  CHECK(first.data.at("store").as_string() == "s09");
  CHECK(second.data.at("store").as_string() == "s02");
}

TEST_CASE("a rejected message leaves later decodes correct", "[json_arena][event_decoder]") {
  EventDecoder decoder;
  Event event;
  CHECK(decoder.Decode(R"({"specversion":"1.0","id":"e-1","data":{"store":"s01"})", event).has_value());
  CHECK(decoder.Decode(R"({"specversion":"1.0", "id": [1, 2, {"x": "unterminated)", event).has_value());
  REQUIRE_FALSE(decoder.Decode(Message("e-2", "s02"), event));
  CHECK(event.data.at("store").as_string() == "s02");
  CHECK(event.id == "e-2");
}

}  // namespace
}  // namespace patron
