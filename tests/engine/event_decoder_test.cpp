// engine/event_decoder: what events.md "Events in" accepts and every reason
// it gives for a rejection.
#include <catch2/catch.hpp>

#include <string>

#include "engine/event_decoder.hpp"

namespace patron {
namespace {

constexpr const char* kExample =
    R"({"specversion":"1.0","id":"e-000123","source":"pos/s012","type":"order.completed",)"
    R"("time":"2026-03-01T12:34:56+08:00",)"
    R"("data":{"customer":{"phone":"+86 138 0013 8000","openid":"oAbc"},)"
    R"("store":"s012","order_id":"o-77","amount":128.5,"channel":"dine_in",)"
    R"("items":[{"sku":"suancaiyu","qty":1,"price":68}]}})";

// Decodes `message`; returns "" on success, else the reason.
std::string Reason(const std::string& message) {
  EventDecoder decoder;
  Event event;
  auto reason = decoder.Decode(message, event);
  return reason ? *reason : "";
}

// An object with the given members.
std::string With(const std::string& members) { return "{" + members + "}"; }

const std::string kHead = R"("specversion":"1.0","id":"e-1","source":"pos/s1","type":"order.completed",)";
const std::string kTime = R"("time":"2026-03-01T12:34:56Z")";

}  // namespace

TEST_CASE("decodes the events.md example", "[event_decoder]") {
  EventDecoder decoder;
  Event event;
  auto reason = decoder.Decode(kExample, event);
  INFO((reason ? *reason : std::string("ok")));
  REQUIRE_FALSE(reason);
  CHECK(event.id == "e-000123");
  CHECK(event.source == "pos/s012");
  CHECK(event.type == "order.completed");
  CHECK(event.time_text == "2026-03-01T12:34:56+08:00");
  CHECK(event.time == *ParseRfc3339("2026-03-01T04:34:56Z"));
  CHECK(event.time == 1772339696LL * kMicrosPerSecond);
  CHECK(event.store == "s012");
  CHECK(event.identity[static_cast<size_t>(IdentityKind::kPhone)] == "13800138000");
  CHECK(event.identity[static_cast<size_t>(IdentityKind::kOpenid)] == "oAbc");
  CHECK(event.identity[static_cast<size_t>(IdentityKind::kId)].empty());
  CHECK(event.identity[static_cast<size_t>(IdentityKind::kMemberNo)].empty());
  CHECK(event.HasCustomer());
  REQUIRE(event.data.contains("amount"));
  CHECK(event.data.at("amount").as_double() == 128.5);
  CHECK(event.data.at("order_id").as_string() == "o-77");
  CHECK(event.data.at("items").as_array().size() == 1);
  CHECK(event.data.contains("customer"));  // the whole data member is kept
  CHECK(event.data.at("store").as_string() == "s012");
}

TEST_CASE("every identifier kind is read, integers become decimal text", "[event_decoder]") {
  EventDecoder decoder;
  Event event;
  std::string msg =
      With(kHead + kTime +
           R"(,"data":{"customer":{"id":"cust-9","phone":13800138000,"openid":"o1","unionid":"u1",)"
           R"("meituan_id":"m1","eleme_id":"el1","member_no":42,"name":"ignored"},"store":7})");
  auto reason = decoder.Decode(msg, event);
  INFO((reason ? *reason : std::string("ok")));
  REQUIRE_FALSE(reason);
  CHECK(event.identity[0] == "cust-9");
  CHECK(event.identity[1] == "13800138000");
  CHECK(event.identity[2] == "o1");
  CHECK(event.identity[3] == "u1");
  CHECK(event.identity[4] == "m1");
  CHECK(event.identity[5] == "el1");
  CHECK(event.identity[6] == "42");
  CHECK(event.store == "7");
}

TEST_CASE("optional parts may be absent or null", "[event_decoder]") {
  EventDecoder decoder;
  Event event;
  // First fill the event, then check that a later decode clears old fields.
  REQUIRE_FALSE(decoder.Decode(kExample, event));

  SECTION("no data") {
    REQUIRE_FALSE(decoder.Decode(With(kHead + kTime), event));
    CHECK(event.data.empty());
    CHECK(event.store.empty());
    CHECK_FALSE(event.HasCustomer());
  }
  SECTION("data null") {
    REQUIRE_FALSE(decoder.Decode(With(kHead + kTime + R"(,"data":null)"), event));
    CHECK(event.data.empty());
    CHECK_FALSE(event.HasCustomer());
  }
  SECTION("no customer, null store, null or empty identifiers") {
    REQUIRE_FALSE(decoder.Decode(With(kHead + kTime + R"(,"data":{"store":null,"amount":3})"), event));
    CHECK(event.store.empty());
    CHECK_FALSE(event.HasCustomer());
    CHECK(event.data.at("amount").as_int64() == 3);
    REQUIRE_FALSE(
        decoder.Decode(With(kHead + kTime + R"(,"data":{"customer":{"phone":null,"openid":""}})"), event));
    CHECK_FALSE(event.HasCustomer());
    REQUIRE_FALSE(decoder.Decode(With(kHead + kTime + R"(,"data":{"customer":null})"), event));
    CHECK_FALSE(event.HasCustomer());
  }
  SECTION("a one-word type and a fractional time") {
    std::string msg = R"({"specversion":"1.0","id":"x","source":"s","type":"ping",)"
                      R"("time":"2026-03-01T00:00:00.25-01:30"})";
    REQUIRE_FALSE(decoder.Decode(msg, event));
    CHECK(event.type == "ping");
    CHECK(event.time == *ParseRfc3339("2026-03-01T01:30:00.25Z"));
  }
  SECTION("trailing white space and UTF-8") {
    REQUIRE_FALSE(decoder.Decode(With(kHead + kTime + R"(,"data":{"text":"好吃"})") + "\r\n", event));
    CHECK(event.data.at("text").as_string() == "好吃");
  }
}

TEST_CASE("rejects malformed JSON with the offset", "[event_decoder]") {
  CHECK(Reason("") == "not valid JSON at offset 0: incomplete JSON");
  CHECK(Reason(R"({"a":1,})") == "not valid JSON at offset 7: syntax error");
  CHECK(Reason(R"({"a":1} x)") == "not valid JSON at offset 8: extra data");
  CHECK(Reason("{\"a\":\"\xff\"}") == "not valid UTF-8 at byte 6");
  CHECK(Reason(R"({"a":)") == "not valid JSON at offset 5: incomplete JSON");
}

TEST_CASE("rejects JSON nested too deep", "[event_decoder]") {
  std::string deep(70, '[');
  deep += std::string(70, ']');
  // The prefix is 117 bytes; the root object and data take 2 of the 64
  // levels (IntakeLimits::max_json_depth), so the 63rd '[' (offset 117 + 62)
  // is one too many.
  CHECK(Reason(With(kHead + kTime + R"(,"data":{"x":)" + deep + "}")) ==
        "JSON nested deeper than 64 levels (at offset 179)");
}

TEST_CASE("rejects a JSON value that is not an object", "[event_decoder]") {
  CHECK(Reason("[1,2]") == "not a JSON object (an array)");
  CHECK(Reason("\"hi\"") == "not a JSON object (a string)");
  CHECK(Reason("null") == "not a JSON object (null)");
}

TEST_CASE("rejects a bad specversion", "[event_decoder]") {
  const std::string rest = R"("id":"e-1","source":"s","type":"a.b",)" + kTime;
  CHECK(Reason(With(rest)) == "missing 'specversion'");
  CHECK(Reason(With(R"("specversion":"0.3",)" + rest)) == "'specversion' is '0.3', not \"1.0\"");
  CHECK(Reason(With(R"("specversion":1.0,)" + rest)) == "'specversion' is 1E0, not \"1.0\"");
}

TEST_CASE("rejects missing, non-string or empty id, source and type", "[event_decoder]") {
  const std::string sv = R"("specversion":"1.0",)";
  CHECK(Reason(With(sv + R"("source":"s","type":"a.b",)" + kTime)) == "missing 'id'");
  CHECK(Reason(With(sv + R"("id":7,"source":"s","type":"a.b",)" + kTime)) ==
        "'id' is a number, not a string");
  CHECK(Reason(With(sv + R"("id":"","source":"s","type":"a.b",)" + kTime)) == "'id' is empty");
  CHECK(Reason(With(sv + R"("id":"e","type":"a.b",)" + kTime)) == "missing 'source'");
  CHECK(Reason(With(sv + R"("id":"e","source":null,"type":"a.b",)" + kTime)) ==
        "'source' is null, not a string");
  CHECK(Reason(With(sv + R"("id":"e","source":"","type":"a.b",)" + kTime)) == "'source' is empty");
  CHECK(Reason(With(sv + R"("id":"e","source":"s",)" + kTime)) == "missing 'type'");
  CHECK(Reason(With(sv + R"("id":"e","source":"s","type":["a"],)" + kTime)) ==
        "'type' is an array, not a string");
  CHECK(Reason(With(sv + R"("id":"e","source":"s","type":"",)" + kTime)) == "'type' is empty");
}

TEST_CASE("rejects a type that is not a dotted name", "[event_decoder]") {
  const std::string head = R"("specversion":"1.0","id":"e","source":"s",)";
  for (const char* bad :
       {"order..completed", ".order", "order.", "9lives", "order.1x", "order completed", "订单"}) {
    INFO(bad);
    CHECK(Reason(With(head + R"("type":")" + bad + "\"," + kTime)) ==
          std::string("type '") + bad + "' is not a dotted name of identifiers");
  }
  CHECK(Reason(With(head + R"("type":"_a.B_9.if",)" + kTime)).empty());
}

TEST_CASE("rejects a missing or bad time", "[event_decoder]") {
  CHECK(Reason(With(kHead.substr(0, kHead.size() - 1))) == "missing 'time'");
  CHECK(Reason(With(kHead + R"("time":1772339696)")) == "'time' is a number, not a string");
  CHECK(Reason(With(kHead + R"("time":"2026-03-01T12:34:56")")) ==
        "time '2026-03-01T12:34:56' has no UTC offset (RFC 3339 needs Z or +08:00)");
  CHECK(Reason(With(kHead + R"("time":"2026-02-30T10:00:00+08:00")")) ==
        "time '2026-02-30T10:00:00+08:00' is an impossible date");
  CHECK(Reason(With(kHead + R"("time":"2026-13-01T00:00:00Z")")) == "time '2026-13-01T00:00:00Z' is an impossible date");
  for (const char* bad : {"2026-03-01 12:34", "yesterday", "2026-03-01T12:34:56Z trailing", "2026-03-01T25:00:00Z"}) {
    INFO(bad);
    CHECK(Reason(With(kHead + R"("time":")" + bad + "\"")) ==
          std::string("time '") + bad + "' is not RFC 3339 with an offset");
  }
  const std::string long_text(100, '9');
  CHECK(Reason(With(kHead + R"("time":")" + long_text + "\"")) ==
        "time '" + std::string(64, '9') + "...' is not RFC 3339 with an offset");
}

TEST_CASE("rejects data, data.customer, data.store and identifiers of the wrong type", "[event_decoder]") {
  const std::string base = kHead + kTime;
  CHECK(Reason(With(base + R"(,"data":"x")")) == "'data' is a string, not an object");
  CHECK(Reason(With(base + R"(,"data":[1])")) == "'data' is an array, not an object");
  CHECK(Reason(With(base + R"(,"data":{"customer":"13800138000"})")) ==
        "'data.customer' is a string, not an object");
  CHECK(Reason(With(base + R"(,"data":{"customer":[]})")) == "'data.customer' is an array, not an object");
  CHECK(Reason(With(base + R"(,"data":{"store":{"id":1}})")) == "'data.store' is an object, not a string");
  CHECK(Reason(With(base + R"(,"data":{"store":1.5})")) == "'data.store' is a number, not a string");
  CHECK(Reason(With(base + R"(,"data":{"customer":{"id":true}})")) ==
        "'data.customer.id' is a boolean, not a string or an integer");
  CHECK(Reason(With(base + R"(,"data":{"customer":{"phone":1.5}})")) ==
        "'data.customer.phone' is a number, not a string or an integer");
  CHECK(Reason(With(base + R"(,"data":{"customer":{"openid":{"x":1}}})")) ==
        "'data.customer.openid' is an object, not a string or an integer");
  CHECK(Reason(With(base + R"(,"data":{"customer":{"member_no":[1]}})")) ==
        "'data.customer.member_no' is an array, not a string or an integer");
}

TEST_CASE("one decoder decodes many events in a row", "[event_decoder]") {
  EventDecoder decoder;
  Event event;
  for (int i = 0; i < 1000; ++i) {
    std::string msg = R"({"specversion":"1.0","id":"e-)" + std::to_string(i) +
                      R"(","source":"pos","type":"order.completed","time":"2026-03-01T00:00:00Z",)"
                      R"("data":{"customer":{"member_no":")" +
                      std::to_string(i) + R"("},"amount":)" + std::to_string(i) + "}}";
    if (i % 10 == 3) msg += ",";  // every tenth-ish is broken
    auto reason = decoder.Decode(msg, event);
    if (i % 10 == 3) {
      REQUIRE(reason);
      continue;
    }
    REQUIRE_FALSE(reason);
    REQUIRE(event.id == "e-" + std::to_string(i));
    REQUIRE(event.identity[6] == std::to_string(i));
    REQUIRE(event.data.at("amount").as_int64() == i);
  }
}

}  // namespace patron
