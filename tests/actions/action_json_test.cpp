// actions/action_json: golden bytes of every action kind (hand-written from
// events.md "Actions out" and decision 7), escaping, subjects, dead letters.
#include <catch2/catch.hpp>

#include <utility>

#include "actions/action_json.hpp"

namespace patron {
namespace {

TimePoint T(const char* text) { return *ParseRfc3339(text); }

std::string Json(const Action& a) {
  std::string out;
  AppendActionJson(out, a);
  return out;
}

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

// The common part of the examples: a customer at s012, caused by e-000123.
Action Base(ActionKind kind) {
  Action a;
  a.id = "0123456789abcdef";
  a.kind = kind;
  a.rule = "R";
  a.time = T("2026-03-31T12:34:56Z");
  a.customer_id = "c-1";
  a.customer_phone = "13800138000";
  a.store = "s012";
  a.cause_event = "e-000123";
  return a;
}

// The envelope up to and including "cause":{...}, for a kind.
std::string Head(const char* kind) {
  return std::string(
             R"({"specversion":"1.0","id":"0123456789abcdef","source":"patron","type":"patron.action.)") +
         kind + R"(","time":"2026-03-31T12:34:56Z","subject":"c-1","data":{"rule":"R","action":")" + kind +
         R"(","customer":{"id":"c-1","phone":"13800138000"},"store":"s012","cause":{"event":"e-000123"},)";
}

}  // namespace

TEST_CASE("the events.md coupon example, byte for byte", "[action_json]") {
  Action a;
  a.id = "9f3a0c71d2e4b858";
  a.kind = ActionKind::kCoupon;
  a.rule = "Wake sleeping customers";
  a.time = T("2026-03-31T20:34:56+08:00");
  a.customer_id = "c-2b1f09e3a4c5d6e7";
  a.customer_phone = "13800138000";
  a.store = "s012";
  a.cause_event = "e-000123";
  a.code = "COMEBACK20";
  a.value = Decimal::FromInt(20);
  a.valid_until = T("2026-04-14T12:34:56Z");
  CHECK(Json(a) ==
        R"({"specversion":"1.0","id":"9f3a0c71d2e4b858","source":"patron","type":"patron.action.coupon",)"
        R"("time":"2026-03-31T12:34:56Z","subject":"c-2b1f09e3a4c5d6e7",)"
        R"("data":{"rule":"Wake sleeping customers","action":"coupon",)"
        R"("customer":{"id":"c-2b1f09e3a4c5d6e7","phone":"13800138000"},)"
        R"("store":"s012","cause":{"event":"e-000123"},)"
        R"("coupon":{"code":"COMEBACK20","value":20,"valid_until":"2026-04-14T12:34:56Z"}}})");
}

TEST_CASE("every kind's member", "[action_json]") {
  SECTION("coupon without value and validity") {
    Action a = Base(ActionKind::kCoupon);
    a.code = "WELCOME";
    CHECK(Json(a) == Head("coupon") + R"("coupon":{"code":"WELCOME"}}})");
  }
  SECTION("coupon with a fractional value") {
    Action a = Base(ActionKind::kCoupon);
    a.code = "HALF";
    a.value = Decimal::FromMicros(12'500'000);
    CHECK(Json(a) == Head("coupon") + R"("coupon":{"code":"HALF","value":12.5}}})");
  }
  SECTION("message") {
    Action a = Base(ActionKind::kMessage);
    a.channel = Channel::kWechat;
    a.template_name = "miss_you";
    CHECK(Json(a) == Head("message") + R"("message":{"channel":"wechat","template":"miss_you"}}})");
  }
  SECTION("ticket") {
    Action a = Base(ActionKind::kTicket);
    a.customer_phone = "138****8000";
    a.title = "差评 1 星: 太咸了";
    a.priority = TicketPriority::kHigh;
    a.role = "store_manager";
    std::string head = Head("ticket");
    head.replace(head.find("13800138000"), 11, "138****8000");
    CHECK(
        Json(a) ==
        head +
            R"("ticket":{"title":"差评 1 星: 太咸了","priority":"high","role":"store_manager","store":"s012"}}})");
  }
  SECTION("remind: action \"remind\", member \"reminder\"") {
    Action a = Base(ActionKind::kRemind);
    a.role = "purchasing";
    a.text = "牛肉 low";
    CHECK(Json(a) ==
          Head("remind") + R"("reminder":{"role":"purchasing","text":"牛肉 low","store":"s012"}}})");
  }
  SECTION("tag and untag both write \"tag\"") {
    Action a = Base(ActionKind::kTag);
    a.tag = "vip";
    CHECK(Json(a) == Head("tag") + R"("tag":"vip"}})");
    a.kind = ActionKind::kUntag;
    CHECK(Json(a) == Head("untag") + R"("tag":"vip"}})");
  }
  SECTION("set writes the value verbatim, null when missing") {
    Action a = Base(ActionKind::kSet);
    a.attr = "tier";
    a.value_json = R"("VIP")";
    CHECK(Json(a) == Head("set") + R"("set":{"attr":"tier","value":"VIP"}}})");
    a.attr = "attrs.visits";
    a.value_json = "3";
    CHECK(Json(a) == Head("set") + R"("set":{"attr":"attrs.visits","value":3}}})");
    a.value_json.clear();
    CHECK(Json(a) == Head("set") + R"("set":{"attr":"attrs.visits","value":null}}})");
  }
  SECTION("points") {
    Action a = Base(ActionKind::kPoints);
    a.delta = Decimal::FromMicros(-2'250'000);
    a.balance = Decimal::FromInt(100);
    CHECK(Json(a) == Head("points") + R"("points":{"delta":-2.25,"balance":100}}})");
  }
  SECTION("emit") {
    Action a = Base(ActionKind::kEmit);
    a.emit_type = "customer.vip_reached";
    CHECK(Json(a) == Head("emit") + R"("emit":{"type":"customer.vip_reached"}}})");
  }
  SECTION("webhook") {
    Action a = Base(ActionKind::kWebhook);
    a.endpoint = "crm";
    CHECK(Json(a) == Head("webhook") + R"("webhook":{"endpoint":"crm"}}})");
  }
}

TEST_CASE("optional parts are left out", "[action_json]") {
  SECTION("no customer, no store, a deadline cause (a stock reminder)") {
    Action a;
    a.id = "00000000000000aa";
    a.kind = ActionKind::kRemind;
    a.rule = "Stock";
    a.time = T("2026-03-13T01:00:00.5Z");
    a.cause_deadline = T("2026-03-13T09:00:00+08:00");
    a.role = "purchasing";
    a.text = "check";
    CHECK(Json(a) ==
          R"({"specversion":"1.0","id":"00000000000000aa","source":"patron","type":"patron.action.remind",)"
          R"("time":"2026-03-13T01:00:00.5Z","data":{"rule":"Stock","action":"remind",)"
          R"("cause":{"deadline":"2026-03-13T01:00:00Z"},"reminder":{"role":"purchasing","text":"check"}}})");
  }
  SECTION("a customer without a phone; both causes; no cause at all") {
    Action a = Base(ActionKind::kTag);
    a.customer_phone.clear();
    a.store.clear();
    a.tag = "t";
    a.cause_deadline = T("2026-04-01T00:00:00Z");
    const std::string prefix =
        R"({"specversion":"1.0","id":"0123456789abcdef","source":"patron","type":"patron.action.tag",)"
        R"("time":"2026-03-31T12:34:56Z","subject":"c-1","data":{"rule":"R","action":"tag","customer":{"id":"c-1"},)";
    CHECK(Json(a) ==
          prefix + R"("cause":{"event":"e-000123","deadline":"2026-04-01T00:00:00Z"},"tag":"t"}})");
    a.cause_event.clear();
    a.cause_deadline.reset();
    CHECK(Json(a) == prefix + R"("cause":{},"tag":"t"}})");
  }
}

TEST_CASE("JSON string escaping", "[action_json]") {
  CHECK(JsonString("") == R"("")");
  CHECK(JsonString("plain") == R"("plain")");
  CHECK(JsonString("say \"hi\"") == R"("say \"hi\"")");
  CHECK(JsonString("a\\b") == R"("a\\b")");
  CHECK(JsonString("l1\nl2\tx\r\b\f") == R"("l1\nl2\tx\r\b\f")");
  CHECK(JsonString(std::string("\x01\x1f\x00z", 4)) == R"("\u0001\u001f\u0000z")");
  CHECK(JsonString("/ \x7f") == "\"/ \x7f\"");
  // UTF-8 is written as is: 2, 3 and 4-byte sequences.
  CHECK(JsonString("é 酸菜鱼 😀") == "\"é 酸菜鱼 😀\"");
  // Invalid UTF-8 becomes U+FFFD per bad byte: a lone continuation byte, a
  // truncated sequence, an overlong form, a surrogate.
  CHECK(JsonString("a\x80z") == "\"a\xEF\xBF\xBDz\"");
  CHECK(JsonString("\xE9\x85") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(JsonString("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(JsonString("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");

  Action a = Base(ActionKind::kMessage);
  a.rule = "Say \"hello\"\n";
  a.template_name = "t\\1";
  const std::string json = Json(a);
  CHECK(json.find(R"("rule":"Say \"hello\"\n")") != std::string::npos);
  CHECK(json.find(R"("template":"t\\1")") != std::string::npos);
}

TEST_CASE("JSON string escaping at every position of long strings", "[action_json]") {
  // The plain run is scanned eight bytes at a time: put each special byte at
  // every offset of a 21-byte string, so it falls in every lane of a word and
  // in the tail, with a second one further on.
  const std::pair<std::string, std::string> kCases[] = {
      {"\"", "\\\""},          {"\\", "\\\\"},          {"\n", "\\n"},
      {"\x01", "\\u0001"},     {"\x1f", "\\u001f"},      {std::string(1, '\0'), "\\u0000"},
      {"\x7f", "\x7f"},         {" ", " "},                {"\x80", "\xEF\xBF\xBD"},
      {"\xC3\xA9", "\xC3\xA9"}, {"\xFF", "\xEF\xBF\xBD"}};
  const std::string plain = "abcdefghijklmnopqrstu";
  for (const auto& [raw, escaped] : kCases) {
    for (size_t at = 0; at <= plain.size(); ++at) {
      std::string text = plain.substr(0, at) + raw + plain.substr(at);
      std::string expected = "\"" + plain.substr(0, at) + escaped + plain.substr(at) + "\"";
      INFO("special " << escaped << " at " << at);
      CHECK(JsonString(text) == expected);
      text += raw;
      expected.insert(expected.size() - 1, escaped);
      CHECK(JsonString(text) == expected);
    }
  }
}

TEST_CASE("subjects", "[action_json]") {
  Action a = Base(ActionKind::kCoupon);
  CHECK(ActionSubject(a, "patron") == "patron.actions.coupon.s012");
  a.kind = ActionKind::kRemind;
  a.store.clear();
  CHECK(ActionSubject(a, "patron") == "patron.actions.remind._");
  a.kind = ActionKind::kUntag;
  a.store = "s 1.x*>";
  CHECK(ActionSubject(a, "acme.prod") == "acme.prod.actions.untag.s_1_x__");
  CHECK(DeadLetterSubject("patron") == "patron.dead");
}

TEST_CASE("dead-letter JSON", "[action_json]") {
  DeadLetter dead;
  dead.reason = "missing 'time'";
  dead.message = R"({"id":"x"})";
  dead.message_bytes = 10;
  dead.message_hash = 0xabc;
  std::string out;
  dead.origin = DeliveryToken::Line(12);
  AppendDeadLetterJson(out, dead);
  CHECK(out ==
        R"({"reason":"missing 'time'","line":12,"message":"{\"id\":\"x\"}","message_bytes":10,"message_hash":"0000000000000abc"})");
  out.clear();
  dead.subject = "patron.events.order";
  dead.origin = {};
  AppendDeadLetterJson(out, dead);
  CHECK(out ==
        R"({"reason":"missing 'time'","subject":"patron.events.order","message":"{\"id\":\"x\"}","message_bytes":10,"message_hash":"0000000000000abc"})");
}

TEST_CASE("dead-letter JSON of a cut message that is not UTF-8", "[action_json]") {
  DeadLetter dead;
  dead.reason = "not valid UTF-8 at byte 1";
  dead.message = "a\xFF";
  dead.message_bytes = 900'000;
  dead.message_hash = 1;
  dead.message_cut = true;
  dead.message_binary = true;
  std::string out;
  AppendDeadLetterJson(out, dead);
  CHECK(out == "{\"reason\":\"not valid UTF-8 at byte 1\",\"message\":\"a\xEF\xBF\xBD\",\"message_base64\":\"Yf8=\","
               "\"message_bytes\":900000,\"message_hash\":\"0000000000000001\",\"message_cut\":true}");
}

}  // namespace patron
