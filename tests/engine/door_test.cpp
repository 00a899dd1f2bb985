// Bad input at the door (docs/architecture.md): every check of
// IntakeLimits sends its message to the dead letters with its reason and
// blocks nothing else; dead letters and rendered texts stay bounded; no
// action or timer carries a time past year 9999.
#include "tests/engine/engine_fixture.hpp"

#include "actions/action_json.hpp"
#include "base/base64.hpp"
#include "base/utf8.hpp"

namespace patron::testing {
namespace {

// Limits with the skew measured from a fixed "now", as replay sets it.
EngineOptions DoorOptions() {
  EngineOptions o;
  o.limits.time_reference = TimeOf("2026-06-01T00:00:00Z");
  return o;
}

std::string Good(int n) {
  return Ev("good-" + std::to_string(n), "order.completed", "2026-05-01T10:00:00Z",
            CustomerRef("alice") + R"(,"amount":10)");
}

std::string Rendered(const DeadLetter& dead) {
  std::string out;
  AppendDeadLetterJson(out, dead);
  return out;
}

}  // namespace

TEST_CASE("each bad message goes to the dead letters with its reason, the good ones between them run",
          "[intake][door]") {
  EngineOptions options = DoorOptions();
  options.limits.max_event_bytes = 64 << 10;
  Harness h(R"(
event review.posted { rating: number }
rule "r" when order.completed then coupon "C" end
)",
            options);
  const std::string long_id(257, 'i');
  const std::string nested = std::string(10'000, '[') + std::string(10'000, ']');
  const std::string head = R"({"specversion":"1.0","source":"test","type":"order.completed",)";
  struct Bad {
    std::string message;
    std::string reason;  // the whole reason, or its start when `prefix`
    bool prefix = false;
  };
  const std::vector<Bad> bad = {
      {"{not json", "not valid JSON at offset 1: syntax error"},
      {Ev("u", "order.completed", "2026-05-01T10:00:00Z", "\"note\":\"caf\xC3\x28\""), "not valid UTF-8 at byte ", true},
      {Ev("big", "order.completed", "2026-05-01T10:00:00Z", "\"pad\":\"" + std::string(70'000, 'x') + "\""),
       "event is 70121 bytes, over the limit of 65536"},
      {Ev("deep", "order.completed", "2026-05-01T10:00:00Z", "\"x\":" + nested),
       "JSON nested deeper than 64 levels (at offset ", true},
      {Ev("inf", "order.completed", "2026-05-01T10:00:00Z", "\"tip\":1e400"), "number '1e400' is out of range"},
      {Ev("amt", "order.completed", "2026-05-01T10:00:00Z", CustomerRef("alice") + R"(,"amount":12345678901234567890.5)"),
       "field 'amount' of order.completed is a number out of range (decimals hold at most about 9.2e12)"},
      {Ev("rat", "review.posted", "2026-05-01T10:00:00Z", R"("rating":12345678901234567890.5)"),
       "field 'rating' of review.posted is a number out of range (decimals hold at most about 9.2e12)"},
      {Ev("future", "order.completed", "2027-06-02T00:00:00Z"),
       "time '2027-06-02T00:00:00Z' is more than 365 days ahead of 2026-06-01T00:00:00Z"},
      {Ev("far", "order.completed", "9999-06-01T00:00:00Z"),
       "time '9999-06-01T00:00:00Z' is more than 365 days ahead of 2026-06-01T00:00:00Z"},
      {Ev("old", "order.completed", "1999-12-31T23:59:59Z"),
       "time '1999-12-31T23:59:59Z' is before the earliest accepted, 2000-01-01T00:00:00Z"},
      {Ev("leap", "order.completed", "2026-06-30T23:59:60Z"),
       "time '2026-06-30T23:59:60Z' is a leap second (:60), which Patron does not keep"},
      {Ev(long_id, "order.completed", "2026-05-01T10:00:00Z"), "'id' is 257 bytes, over the limit of 256"},
      {head + R"("id":"s","source":")" + long_id + R"(","time":"2026-05-01T10:00:00Z"})",
       "repeated key 'source' in a JSON object"},
      {R"({"specversion":"1.0","id":"s","source":")" + long_id +
           R"(","type":"order.completed","time":"2026-05-01T10:00:00Z"})",
       "'source' is 257 bytes, over the limit of 256"},
      {Ev("ph", "order.completed", "2026-05-01T10:00:00Z", R"("customer":{"member_no":")" + long_id + R"("})"),
       "'data.customer.member_no' is 257 bytes, over the limit of 256"},
      {Ev("dup", "order.completed", "2026-05-01T10:00:00Z", R"("items":[{"sku":"a","qty":1,"qty":2}])"),
       "repeated key 'qty' in a JSON object"},
  };
  int good = 0;
  h.Queue(Good(good++));
  for (const Bad& b : bad) {
    h.Queue(b.message);
    h.Queue(Good(good++));
  }
  h.Commit();
  const auto& dead = h.sink().dead_letters;
  REQUIRE(dead.size() == bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    INFO("bad message " << i);
    if (bad[i].prefix)
      CHECK(dead[i].reason.rfind(bad[i].reason, 0) == 0);
    else
      CHECK(dead[i].reason == bad[i].reason);
    CHECK(dead[i].message_bytes == bad[i].message.size());
    CHECK(dead[i].message_hash == StableHash({bad[i].message}));
  }
  CHECK(h.Count("r") == good);
  CHECK(h.engine().stats().rejected == bad.size());
  // The out-of-range amount did not count: ten per good order.
  CHECK(h.Customer("alice")->profile.orders == static_cast<uint64_t>(good));
  CHECK(h.Customer("alice")->profile.spent == Decimal::FromInt(10 * good));
  // An id of exactly the limit is fine.
  h.Send(Ev(std::string(256, 'i'), "order.completed", "2026-05-01T10:00:00Z"));
  CHECK(h.Count("r") == good + 1);
}

TEST_CASE("the future is measured from the later of the clock and the reference", "[intake][door]") {
  Harness h(R"(rule "r" when ping then coupon "C" end)");  // no reference: the event clock only
  h.Send(Ev("a", "ping", "2026-01-01T00:00:00Z"));
  h.Send(Ev("b", "ping", "2026-12-31T00:00:00Z"));  // within a year of the clock
  h.Send(Ev("c", "ping", "2028-01-01T00:00:00Z"));  // more than a year after 2026-12-31
  REQUIRE(h.sink().dead_letters.size() == 1);
  CHECK(h.sink().dead_letters[0].reason ==
        "time '2028-01-01T00:00:00Z' is more than 365 days ahead of 2026-12-31T00:00:00Z");
  CHECK(h.Count("r") == 2);
}

TEST_CASE("a message that is not UTF-8 keeps its raw bytes, in base64", "[intake][door]") {
  Harness h(R"(rule "r" when ping then coupon "C" end)", DoorOptions());
  const std::string message = "{\"bytes\":\"\xFF\xFE\x01\"}";
  h.Send(message);
  REQUIRE(h.sink().dead_letters.size() == 1);
  const DeadLetter& d = h.sink().dead_letters[0];
  CHECK(d.reason == "not valid UTF-8 at byte 10");
  CHECK(d.message_binary);
  CHECK_FALSE(d.message_cut);
  std::string base64;
  AppendBase64(base64, message);
  CHECK(base64 == "eyJieXRlcyI6Iv/+ASJ9");
  const std::string json = Rendered(d);
  CHECK(json.find("\"message_base64\":\"" + base64 + "\"") != std::string::npos);
  CHECK(json.find("\"message_bytes\":15,\"message_hash\":\"" + Hex64(StableHash({message})) + "\"") !=
        std::string::npos);
  CHECK(FirstInvalidUtf8(json) == std::string_view::npos);  // the dead letter itself is valid UTF-8
}

TEST_CASE("a dead letter is bounded whatever came in: cut at a UTF-8 boundary after escaping",
          "[intake][door]") {
  EngineOptions options = DoorOptions();
  options.limits.max_event_bytes = 2 << 20;  // parsed, so the reason is the JSON's
  Harness h(R"(rule "r" when ping then coupon "C" end)", options);
  // 900 KB of control characters (each escapes to 6 bytes), then of
  // three-byte characters, then of bytes that are not UTF-8.
  const std::vector<std::string> messages = {
      "{\"x\":\"" + std::string(900'000, '\x01'),
      "{\"x\":\"" + [] {
        std::string s;
        for (int i = 0; i < 300'000; ++i) s += "\xE6\xB1\x89";  // 汉
        return s;
      }(),
      "{\"x\":\"" + std::string(900'000, '\xFF'),
  };
  for (const std::string& m : messages) h.Queue(m);
  h.Queue(Ev("after", "ping", "2026-05-01T10:00:00Z"));
  h.Commit();
  REQUIRE(h.sink().dead_letters.size() == messages.size());
  CHECK(h.Count("r") == 1);
  for (size_t i = 0; i < messages.size(); ++i) {
    INFO("message " << i);
    const DeadLetter& d = h.sink().dead_letters[i];
    CHECK(d.message_cut);
    CHECK(d.message_bytes == messages[i].size());
    CHECK(messages[i].rfind(d.message, 0) == 0);  // a prefix
    if (!d.message_binary) CHECK(FirstInvalidUtf8(d.message) == std::string_view::npos);
    const std::string json = Rendered(d);
    CHECK(json.size() <= (64 << 10) + 512);  // the limit, and the reason and fields around it
    CHECK(json.find("\"message_cut\":true") != std::string::npos);
  }
  CHECK(h.sink().dead_letters[2].message_binary);
}

TEST_CASE("ticket titles and reminder texts longer than the limit are cut and marked", "[actions][door]") {
  EngineOptions options = DoorOptions();
  options.limits.max_text_bytes = 100;
  Harness h(R"(
rule "t" when review.posted then
  ticket "review: {event.text}"
  remind owner "{event.text}"
end
)",
            options);
  std::string text;
  for (int i = 0; i < 200; ++i) text += "差";  // 3 bytes each
  h.Send(Ev("r1", "review.posted", "2026-05-01T10:00:00Z", R"("text":")" + text + R"(")"));
  h.Send(Ev("r2", "review.posted", "2026-05-01T10:00:00Z", R"("text":"short")"));
  const auto actions = h.ActionsOf("t");
  REQUIRE(actions.size() == 4);
  const std::string ellipsis = "\xE2\x80\xA6";
  CHECK(actions[0].title.size() <= 100);
  CHECK(actions[0].title.size() >= 97);
  CHECK(actions[0].title.rfind("review: 差差", 0) == 0);
  CHECK(actions[0].title.substr(actions[0].title.size() - 3) == ellipsis);
  CHECK(FirstInvalidUtf8(actions[0].title) == std::string_view::npos);
  CHECK(actions[1].text.size() == 99);  // 32 characters and the mark
  CHECK(actions[1].text == text.substr(0, 96) + ellipsis);
  CHECK(actions[2].title == "review: short");
  CHECK(actions[3].text == "short");
  CHECK(h.engine().stats().texts_cut == 2);
}

TEST_CASE("no action or timer carries a time after 9999-12-31T23:59:59Z", "[actions][door]") {
  Harness h(R"(
rule "forever" when ping then coupon "F" valid 3000000 days end
rule "later" when no order.completed for 3000000 days then coupon "L" end
)",
            DoorOptions());
  h.Send(Ev("p1", "ping", "2026-05-01T10:00:00Z", CustomerRef("alice")));
  h.Send(Ev("o1", "order.completed", "2026-05-01T10:00:00Z", CustomerRef("alice") + R"(,"amount":1)"));
  REQUIRE(h.Count("forever") == 1);
  const Action coupon = h.ActionsOf("forever")[0];
  REQUIRE(coupon.valid_until.has_value());
  CHECK(FormatRfc3339Utc(*coupon.valid_until) == "9999-12-31T23:59:59Z");
  std::string json;
  AppendActionJson(json, coupon);
  CHECK(json.find("\"valid_until\":\"9999-12-31T23:59:59Z\"") != std::string::npos);
  // The absence deadline would be in year 10239: never armed.
  CHECK(h.engine().stats().timers_refused == 1);
  auto next = h.engine().NextDue();
  REQUIRE(next.ok());
  CHECK_FALSE(next->has_value());
}

}  // namespace patron::testing
