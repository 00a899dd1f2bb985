// The engine's intake: dead letters, declared types at run time, dedupe,
// derived customer ids, identity merges, group commit order.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

std::string IdOf(const std::string& kind_value) { return "c-" + Hex64(StableHash({kind_value})); }

}  // namespace

TEST_CASE("malformed messages go to the dead letters with their reason", "[intake]") {
  Harness h(R"(
event review.posted { rating: number, text: string, at: time }
rule "r" when review.posted then coupon "R" end
)");
  const std::string good_head = R"({"specversion":"1.0","id":"e1","source":"s","type":"review.posted",)";
  h.Queue("{not json");
  h.Queue(good_head + R"("data":{}})");                                      // no time
  h.Queue(good_head + R"("time":"2026-03-01T10:00:00","data":{}})");         // no offset
  h.Queue(Ev("e2", "review.posted", "2026-03-01T10:00:00Z", R"("rating":"five")"));  // declared number
  h.Queue(Ev("e3", "review.posted", "2026-03-01T10:00:00Z", R"("at":"yesterday")"));  // declared time
  h.Queue(Ev("e4", "review.posted", "2026-03-01T10:00:00Z", R"("rating":null,"text":"ok")"));  // null is missing: fine
  h.Commit();
  const auto& dead = h.sink().dead_letters;
  REQUIRE(dead.size() == 5);
  CHECK(dead[0].message == "{not json");
  CHECK_FALSE(dead[0].reason.empty());
  CHECK(dead[1].reason.find("time") != std::string::npos);
  CHECK(dead[2].reason.find("time") != std::string::npos);
  CHECK(dead[3].reason == "field 'rating' of review.posted must be a number, got a string");
  CHECK(dead[4].reason == "field 'at' of review.posted must be an RFC 3339 time with an offset, got a string that is not one");
  CHECK(h.Count("r") == 1);
  CHECK(h.ActionsOf("r")[0].cause_event == "e4");
  CHECK(h.engine().stats().rejected == 5);
  CHECK(h.engine().stats().events_read == 6);
  CHECK(h.engine().stats().events_processed == 1);
}

TEST_CASE("dead letters keep their subject and their place among the actions", "[intake]") {
  Harness h(R"(rule "r" when ping then coupon "P" end)");
  h.engine().Accept(Ev("e1", "ping", "2026-03-01T10:00:00Z"), "patron.events.ping");
  h.engine().Accept("[]", "patron.events.bad");
  h.engine().Accept(Ev("e2", "ping", "2026-03-01T10:00:01Z"), "patron.events.ping");
  CHECK(h.engine().pending() == 3);
  CHECK(h.sink().actions.empty());  // nothing before the commit
  h.Commit();
  CHECK(h.engine().pending() == 0);
  REQUIRE(h.sink().dead_letters.size() == 1);
  CHECK(h.sink().dead_letters[0].subject == "patron.events.bad");
  CHECK(h.sink().actions.size() == 2);
  CHECK(h.sink().flushes == 1);
}

TEST_CASE("events are processed once per (source, id), a rejected message does not use up its id", "[intake]") {
  Harness h(R"(rule "r" when ping then coupon "P" end)");
  const std::string bad_time = R"({"specversion":"1.0","id":"e1","source":"test","type":"ping","time":"soon"})";
  h.Send(bad_time);
  h.Send(Ev("e1", "ping", "2026-03-01T10:00:00Z"));
  h.Queue(Ev("e1", "ping", "2026-03-01T10:00:00Z"));  // duplicate in the same batch
  h.Commit();
  h.Send(Ev("e1", "ping", "2026-03-01T10:00:00Z"));  // duplicate after the commit
  h.Send(R"({"specversion":"1.0","id":"e1","source":"other","type":"ping","time":"2026-03-01T10:00:00Z"})");
  CHECK(h.Count("r") == 2);
  CHECK(h.engine().stats().duplicates == 2);
  CHECK(h.engine().stats().rejected == 1);
  // Dedupe survives a restart.
  h.Open();
  h.Send(Ev("e1", "ping", "2026-03-01T10:00:00Z"));
  CHECK(h.Count("r") == 2);
}

TEST_CASE("customer ids: data.customer.id verbatim, else derived from the first identifier", "[intake]") {
  Harness h(R"(rule "r" when ping then coupon "P" end)");
  h.Send(Ev("e1", "ping", "2026-03-01T10:00:00Z", R"("customer":{"id":"m-42","phone":"13800000001"})"));
  h.Send(Ev("e2", "ping", "2026-03-01T10:00:01Z", R"("customer":{"openid":"oX","unionid":"uX"})"));
  h.Send(Ev("e3", "ping", "2026-03-01T10:00:02Z", R"("customer":{"phone":"+86 138-0000-0001"})"));
  auto a = h.ActionsOf("r");
  REQUIRE(a.size() == 3);
  CHECK(a[0].customer_id == "m-42");
  CHECK(a[1].customer_id == IdOf("openid:oX"));
  CHECK(a[2].customer_id == "m-42");  // the phone is m-42's, normalised
  CHECK(a[2].customer_phone == "13800000001");
  CHECK(h.engine().stats().customers_created == 2);
}

TEST_CASE("identifiers seen together merge their customers", "[intake]") {
  Harness h(R"(
rule "third" when count(order.completed) >= 3 then coupon "THREE" end
rule "spent" when order.completed where customer.spent == 60 then coupon "SIXTY" end
)");
  const std::string phone_id = IdOf("phone:13800000001");
  const std::string openid_id = IdOf("openid:oAbc");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z",
            R"("customer":{"phone":"13800000001"},"store":"s1","amount":10)"));
  h.Send(Ev("o2", "order.completed", "2026-03-02T10:00:00Z", R"("customer":{"openid":"oAbc"},"store":"s2","amount":20)"));
  REQUIRE(h.Customer(phone_id) != nullptr);
  REQUIRE(h.Customer(openid_id) != nullptr);
  CHECK(h.Count("third") == 0);
  // Both identifiers in one event: one customer, the one who joined first.
  h.Send(Ev("o3", "order.completed", "2026-03-03T10:00:00Z",
            R"("customer":{"phone":"13800000001","openid":"oAbc"},"store":"s2","amount":30)"));
  CHECK(h.engine().stats().merges == 1);
  CHECK(h.Customer(openid_id) == nullptr);
  CustomerRecord* merged = h.Customer(phone_id);
  REQUIRE(merged != nullptr);
  CHECK(merged->profile.orders == 3);
  CHECK(merged->profile.spent == Decimal::FromInt(60));
  CHECK(merged->profile.phone == "13800000001");
  // The aggregate covers the merged history (1 + 1 before, 3 with o3).
  REQUIRE(h.Count("third") == 1);
  CHECK(h.ActionsOf("third")[0].customer_id == phone_id);
  CHECK(h.ActionsOf("third")[0].cause_event == "o3");
  CHECK(h.Count("spent") == 1);
  // Either identifier now finds the survivor.
  auto by_openid = h.store().FindIdentity(IdentityKind::kOpenid, "oAbc");
  REQUIRE(by_openid.ok());
  CHECK(*by_openid == std::optional<std::string>(phone_id));
  h.Send(Ev("o4", "order.completed", "2026-03-04T10:00:00Z", R"("customer":{"openid":"oAbc"},"amount":1)"));
  CHECK(h.Customer(phone_id)->profile.orders == 4);
  CHECK(h.engine().stats().customers_created == 2);
}

TEST_CASE("events with no customer run rules with customer.* null", "[intake]") {
  Harness h(R"(
rule "anon" when ping where not exists(customer.id) and not (customer.tier != "x") then coupon "A" end
rule "tagger" when ping then tag "t" end
)");
  h.Send(Ev("e1", "ping", "2026-03-01T10:00:00Z", R"("store":"s1")"));
  REQUIRE(h.Count("anon") == 1);
  CHECK(h.ActionsOf("anon")[0].customer_id.empty());
  CHECK(h.Count("tagger") == 0);  // nothing to tag
  CHECK(h.engine().stats().suppressed == 1);
}

}  // namespace patron::testing

#include <sstream>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

namespace patron::testing {

TEST_CASE("logs go to the configured logger and never carry a phone", "[intake]") {
  std::ostringstream text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text);
  EngineOptions options;
  options.logger = std::make_shared<spdlog::logger>("engine-test", sink);
  options.logger->set_level(spdlog::level::trace);
  options.max_emit_depth = 0;
  Harness h(R"(
event review.posted { rating: number }
rule "e" when order.completed then emit order.extra end
)",
            options);
  h.Send(Ev("r1", "review.posted", "2026-03-01T10:00:00Z",
            R"("customer":{"phone":"13812345678"},"rating":"13812345678")"));
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z",
            R"("customer":{"phone":"13812345678"},"birthday":"13812345678")"));
  h.Send(Ev("m1", "member.registered", "2026-03-01T10:00:00Z",
            R"("customer":{"phone":"13812345678"},"birthday":"13812345678")"));
  std::string log = text.str();
  CHECK(log.find("dead letter") != std::string::npos);
  CHECK(log.find("emit order.extra dropped") != std::string::npos);
  CHECK(log.find("13812345678") == std::string::npos);
  CHECK(h.engine().stats().emits_dropped == 1);
}

}  // namespace patron::testing

namespace patron::testing {

TEST_CASE("an emitted event that breaks its declared type is a dead letter with its cause's origin", "[intake]") {
  Harness h(R"(
event order.echo { n: number }

rule "echo"
  when order.completed
  then emit order.echo with n = event.label
end
)");
  h.engine().Accept(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", R"("label":"seven")"),
                    "patron.events.order.completed", DeliveryToken::Line(7));
  h.Commit();
  REQUIRE(h.sink().dead_letters.size() == 1);
  CHECK(h.sink().dead_letters[0].reason.find("'n'") != std::string::npos);
  CHECK(h.sink().dead_letters[0].origin == DeliveryToken::Line(7));
  CHECK(h.sink().dead_letters[0].subject.empty());
}

}  // namespace patron::testing
