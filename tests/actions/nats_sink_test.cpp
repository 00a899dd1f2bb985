// actions/nats_sink: actions and dead letters on their NATS subjects, as the
// subscribers of events.md see them (a store manager's app on
// patron.actions.*.s012, a messaging gateway on patron.actions.message.>).
#include <catch2/catch.hpp>

#include "actions/action_json.hpp"
#include "actions/nats_sink.hpp"
#include "tests/support/message_collector.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/nats_test_helpers.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;
using testing::RequireConnect;

Action MakeAction(const std::string& id, ActionKind kind, const std::string& store) {
  Action a;
  a.id = id;
  a.kind = kind;
  a.rule = "rule-" + id;
  a.time = *ParseRfc3339("2026-03-01T04:00:00Z");
  a.customer_id = "c-1";
  a.store = store;
  a.cause_event = "e-" + id;
  a.code = "C";
  a.template_name = "t";
  a.title = "T";
  a.text = "X";
  a.role = "store_manager";
  a.tag = "vip";
  return a;
}

std::string Json(const Action& a) {
  std::string out;
  AppendActionJson(out, a);
  return out;
}

std::vector<std::string> Subjects(const std::vector<testing::ReceivedMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.subject);
  return out;
}

}  // namespace

TEST_CASE("NatsSink routes actions by kind and store", "[nats_sink]") {
  testing::NatsServer server;
  auto started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  NatsConnection patron_conn = RequireConnect(server.url());
  NatsConnection consumers = RequireConnect(server.url());

  testing::MessageCollector store_app;
  testing::MessageCollector gateway;
  testing::MessageCollector dead;
  auto s1 = consumers.Subscribe("patron.actions.*.s012", store_app.Handler());
  auto s2 = consumers.Subscribe("patron.actions.message.>", gateway.Handler());
  auto s3 = consumers.Subscribe("patron.dead", dead.Handler());
  REQUIRE((s1.ok() && s2.ok() && s3.ok()));
  REQUIRE(consumers.Flush(5s).ok());

  NatsSink sink(patron_conn);
  const std::vector<Action> actions = {
      MakeAction("a1", ActionKind::kCoupon, "s012"),
      MakeAction("a2", ActionKind::kMessage, "s012"),
      MakeAction("a3", ActionKind::kMessage, "s015"),
      MakeAction("a4", ActionKind::kTicket, "s015"),
      MakeAction("a5", ActionKind::kRemind, ""),
      MakeAction("a6", ActionKind::kTag, "s012"),
      MakeAction("a7", ActionKind::kMessage, ""),
      MakeAction("a8", ActionKind::kCoupon, "s0120"),
  };
  for (const auto& a : actions) REQUIRE(sink.Publish(a).ok());
  DeadLetter bad;
  bad.message = "{not json";
  bad.reason = "not valid JSON at offset 1: syntax error";
  bad.subject = "patron.events.order.completed";
  REQUIRE(sink.PublishDead(bad).ok());
  // A marker both action subscribers match: once it arrives, everything
  // published before it has arrived too (one publisher keeps order).
  const Action marker = MakeAction("marker", ActionKind::kMessage, "s012");
  REQUIRE(sink.Publish(marker).ok());
  REQUIRE(sink.Flush().ok());
  CHECK(sink.actions_published() == actions.size() + 1);
  CHECK(sink.dead_published() == 1);

  const auto has_marker = [&](const std::vector<testing::ReceivedMessage>& m) {
    return !m.empty() && m.back().data == Json(marker);
  };
  REQUIRE(store_app.WaitUntil(has_marker));
  REQUIRE(gateway.WaitUntil(has_marker));
  REQUIRE(dead.WaitForCount(1));

  const auto store_msgs = store_app.messages();
  CHECK(Subjects(store_msgs) ==
        std::vector<std::string>{"patron.actions.coupon.s012", "patron.actions.message.s012",
                                 "patron.actions.tag.s012", "patron.actions.message.s012"});
  REQUIRE(store_msgs.size() == 4);
  CHECK(store_msgs[0].data == Json(actions[0]));
  CHECK(store_msgs[1].data == Json(actions[1]));
  CHECK(store_msgs[2].data == Json(actions[5]));

  const auto gateway_msgs = gateway.messages();
  CHECK(Subjects(gateway_msgs) ==
        std::vector<std::string>{"patron.actions.message.s012", "patron.actions.message.s015",
                                 "patron.actions.message._", "patron.actions.message.s012"});
  REQUIRE(gateway_msgs.size() == 4);
  CHECK(gateway_msgs[1].data == Json(actions[2]));
  CHECK(gateway_msgs[2].data == Json(actions[6]));

  const auto dead_msgs = dead.messages();
  REQUIRE(dead_msgs.size() == 1);
  CHECK(dead_msgs[0].subject == "patron.dead");
  CHECK(dead_msgs[0].data ==
        R"({"reason":"not valid JSON at offset 1: syntax error","subject":"patron.events.order.completed",)"
        R"("message":"{not json","message_bytes":0,"message_hash":"0000000000000000"})");
}

TEST_CASE("NatsSink uses its subject prefix", "[nats_sink]") {
  testing::NatsServer server;
  auto started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  NatsConnection conn = RequireConnect(server.url());
  testing::MessageCollector all;
  auto sub = conn.Subscribe(">", all.Handler());
  REQUIRE(sub.ok());
  REQUIRE(conn.Flush(5s).ok());

  NatsSinkOptions options;
  options.subject_prefix = "acme.test";
  NatsSink sink(conn, options);
  REQUIRE(sink.Publish(MakeAction("a1", ActionKind::kPoints, "s1")).ok());
  DeadLetter d;
  d.message = "x";
  d.reason = "r";
  REQUIRE(sink.PublishDead(d).ok());
  REQUIRE(sink.Flush().ok());
  REQUIRE(all.WaitForCount(2));
  CHECK(Subjects(all.messages()) ==
        std::vector<std::string>{"acme.test.actions.points.s1", "acme.test.dead"});
  CHECK(all.messages()[1].data == R"({"reason":"r","message":"x","message_bytes":0,"message_hash":"0000000000000000"})");
}

TEST_CASE("NatsSink reports a closed connection", "[nats_sink]") {
  testing::NatsServer server;
  auto started = server.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  NatsConnection conn = RequireConnect(server.url());
  NatsSink sink(conn);
  conn.Close();
  CHECK(sink.Publish(MakeAction("a1", ActionKind::kCoupon, "s1")).code() == StatusCode::kUnavailable);
  CHECK(sink.Flush().code() == StatusCode::kUnavailable);
}

}  // namespace patron
