// Bad input at the door, over NATS: `patron run --core` (the real binary,
// a real nats-server) gets each kind of bad message with good events
// between them; every bad one reaches patron.dead with its reason, every
// good one makes its coupon, and the engine keeps running.

#include <catch2/catch.hpp>

#include <chrono>
#include <set>

#include "base/time.hpp"
#include "tests/integration/json_fields.hpp"
#include "tests/integration/process.hpp"
#include "tests/support/message_collector.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

constexpr std::chrono::seconds kBound{30};

std::string Event(const std::string& id, const std::string& time, const std::string& data) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"door","type":"order.completed","time":")" + time +
         R"(","data":{"customer":{"id":"c-)" + id + R"("},"store":"s1")" + data + "}}";
}

}  // namespace

TEST_CASE("run: each bad message reaches patron.dead with its reason, the good ones between them run",
          "[integration][run][door]") {
  NatsServer server;
  RequireStarted(server);
  TempDir dir;
  const std::string rules = (dir.path() / "door.rules").string();
  WriteFile(rules, R"(
event review.posted { rating: number }
rule "welcome" when order.completed then coupon "HI" end
)");
  NatsConnection client = RequireConnect(server.url());
  MessageCollector actions;
  MessageCollector dead;
  auto actions_sub = client.Subscribe("patron.actions.>", actions.Handler());
  auto dead_sub = client.Subscribe("patron.dead", dead.Handler());
  REQUIRE(actions_sub.ok());
  REQUIRE(dead_sub.ok());
  REQUIRE(client.Flush(kBound).ok());

  Process engine({PatronBinary(), "run", "--core", "--rules", rules, "--nats", server.url(), "--data",
                  (dir.path() / "data").string(), "--log-format", "json", "--max-event-bytes", "65536"});
  REQUIRE(engine.started());
  auto listening = [&] { return engine.err().find("listening on patron.events.>") != std::string::npos; };
  REQUIRE(WaitUntil([&] { return listening() || !engine.running(); }, kBound));
  INFO(engine.Describe());
  REQUIRE(listening());

  // Times around the wall clock, which is the clock of `run`.
  const TimePoint now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() /
                        kMicrosPerSecond * kMicrosPerSecond;
  const std::string t = FormatRfc3339Utc(now - kMicrosPerHour);
  const std::string long_id(300, 'x');
  struct Bad {
    std::string message;
    std::string reason_start;
  };
  const std::vector<Bad> bad = {
      {"{\"specversion\":\"1.0\", this is not json", "not valid JSON at offset "},
      {Event("utf8", t, ",\"note\":\"\xC3\x28\""), "not valid UTF-8 at byte "},
      {Event("big", t, ",\"pad\":\"" + std::string(70'000, 'p') + "\""), "event is "},
      {Event("deep", t, ",\"x\":" + std::string(10'000, '[') + std::string(10'000, ']')), "JSON nested deeper than 64 levels"},
      {Event("inf", t, ",\"amount\":1e400"), "number '1e400' is out of range"},
      {Event("amount", t, ",\"amount\":12345678901234567890.5"), "field 'amount' of order.completed is a number out of range"},
      {R"({"specversion":"1.0","id":"rating","source":"door","type":"review.posted","time":")" + t +
           R"(","data":{"rating":12345678901234567890.5}})",
       "field 'rating' of review.posted is a number out of range"},
      {Event("future", FormatRfc3339Utc(now + 400 * kMicrosPerDay), ""), "time '"},
      {Event("y9999", "9999-06-01T00:00:00Z", ""), "time '9999-06-01T00:00:00Z' is more than 365 days ahead of "},
      {Event("old", "1999-06-01T00:00:00Z", ""), "time '1999-06-01T00:00:00Z' is before the earliest accepted"},
      {Event("leap", "2016-12-31T23:59:60Z", ""), "time '2016-12-31T23:59:60Z' is a leap second"},
      {Event(long_id, t, ""), "'id' is 300 bytes, over the limit of 256"},
      {R"({"specversion":"1.0","id":"src","source":")" + long_id + R"(","type":"order.completed","time":")" + t + R"("})",
       "'source' is 300 bytes, over the limit of 256"},
      {R"({"specversion":"1.0","id":"phone","source":"door","type":"order.completed","time":")" + t +
           R"(","data":{"customer":{"phone":")" + std::string(300, '1') + R"("}}})",
       "'data.customer.phone' is 300 bytes, over the limit of 256"},
      {Event("twice", t, ",\"customer\":{\"id\":\"c-other\"}"), "repeated key 'customer' in a JSON object"},
      {Event("dup", t, ",\"items\":[{\"sku\":\"a\",\"sku\":\"b\"}]"), "repeated key 'sku' in a JSON object"},
  };
  std::set<std::string> good_ids;
  int n = 0;
  auto publish_good = [&] {
    const std::string id = "good-" + std::to_string(n++);
    good_ids.insert(id);
    REQUIRE(client.Publish("patron.events.order.completed", Event(id, t, ",\"amount\":10")).ok());
  };
  publish_good();
  for (const Bad& b : bad) {
    REQUIRE(client.Publish("patron.events.order.completed", b.message).ok());
    publish_good();
  }
  REQUIRE(client.Flush(kBound).ok());

  REQUIRE(actions.WaitForCount(good_ids.size(), kBound));
  REQUIRE(dead.WaitForCount(bad.size(), kBound));
  // Every good event made its coupon, and nothing else did.
  std::set<std::string> causes;
  for (const ReceivedMessage& m : actions.messages()) causes.insert(Field(m.data, "data.cause.event"));
  CHECK(causes == good_ids);
  // Every bad one is a dead letter with its reason, its size and hash, in order.
  const auto letters = dead.messages();
  REQUIRE(letters.size() == bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    INFO("bad message " << i << ": " << letters[i].data.substr(0, 300));
    CHECK(Field(letters[i].data, "reason").rfind(bad[i].reason_start, 0) == 0);
    CHECK(Field(letters[i].data, "subject") == "patron.events.order.completed");
    CHECK(Field(letters[i].data, "message_bytes") == std::to_string(bad[i].message.size()));
    CHECK(Field(letters[i].data, "message_hash").size() == 16);
    CHECK(letters[i].data.size() <= bad[i].message.size() + 512);
  }
  CHECK(Field(letters[1].data, "message_base64") != "<missing>");
  CHECK(Field(letters[2].data, "message_cut") == "true");
  CHECK(engine.running());

  engine.Signal(SIGTERM);
  auto code = engine.Wait(kBound);
  INFO(engine.Describe());
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  // No log line carries the long phone.
  CHECK(engine.err().find(std::string(300, '1')) == std::string::npos);
}

}  // namespace patron::testing
