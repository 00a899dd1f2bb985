// transport/nats_intake: the live intake over core NATS, against a real
// nats-server on a free port: order, sequences, subjects, drain, unsubscribe,
// slow-consumer drops.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "tests/support/message_collector.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/nats_test_helpers.hpp"
#include "transport/nats_intake.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;

// A running server with a publishing connection and one for the intake.
struct Fixture {
  Fixture() {
    testing::RequireStarted(server);
    pub = Connect();
    intake_conn = Connect();
  }

  std::optional<NatsConnection> Connect(NatsConnectionOptions options = {}) {
    return testing::RequireConnect(server.url(), std::move(options));
  }

  // Starts an intake on `subject` and waits until the server has its interest.
  NatsIntake Start(NatsConnection& conn, const std::string& subject, NatsIntakeHandler handler) {
    auto started = NatsIntake::Start(conn, subject, std::move(handler));
    INFO(started.status().ToString());
    REQUIRE(started.ok());
    REQUIRE(conn.Flush(5s).ok());
    return std::move(started).value();
  }

  // Publishes `n` messages "<first>".."<first + n - 1>" to `subject` and
  // waits until the server has them all.
  void Publish(const std::string& subject, int first, int n) {
    for (int i = first; i < first + n; ++i) REQUIRE(pub->Publish(subject, std::to_string(i)).ok());
    REQUIRE(pub->Flush(5s).ok());
  }

  testing::NatsServer server;
  std::optional<NatsConnection> pub;
  std::optional<NatsConnection> intake_conn;
};

// Checks that `got` holds sequences 1..size in order.
void CheckSequences(const std::vector<testing::ReceivedMessage>& got) {
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("message " << i);
    CHECK(got[i].token == DeliveryToken::Sequence(i + 1));
  }
}

}  // namespace

TEST_CASE("an intake delivers in order with sequences 1 to N and the subjects", "[nats_intake]") {
  Fixture f;
  testing::MessageCollector c;
  NatsIntake intake = f.Start(*f.intake_conn, "in.>", c.IntakeHandler());
  CHECK(intake.subject() == "in.>");

  constexpr int kTotal = 300;
  for (int i = 0; i < kTotal; ++i) {
    const std::string subject = i % 3 == 0 ? "in.a" : (i % 3 == 1 ? "in.b.c" : "in.s012.orders");
    REQUIRE(f.pub->Publish(subject, std::to_string(i)).ok());
  }
  REQUIRE(f.pub->Publish("other.x", "not for the intake").ok());
  REQUIRE(f.pub->Flush(5s).ok());

  REQUIRE(c.WaitForCount(kTotal));
  const auto got = c.messages();
  REQUIRE(got.size() == kTotal);  // one publisher: order is kept
  CheckSequences(got);
  for (int i = 0; i < kTotal; ++i) {
    INFO("message " << i);
    CHECK(got[i].data == std::to_string(i));
    CHECK(got[i].subject == (i % 3 == 0 ? "in.a" : (i % 3 == 1 ? "in.b.c" : "in.s012.orders")));
  }
  CHECK(intake.delivered() == kTotal);
  CHECK(intake.dropped() == 0);
}

TEST_CASE("Drain delivers everything published before it, then nothing", "[nats_intake]") {
  Fixture f;
  testing::MessageCollector c;
  NatsIntake intake = f.Start(*f.intake_conn, "d", c.IntakeHandler());
  constexpr int kTotal = 1000;
  f.Publish("d", 0, kTotal);

  // No wait for arrival: Drain itself must deliver what the server sent.
  REQUIRE(intake.Drain(5s).ok());
  auto got = c.messages();
  REQUIRE(got.size() == kTotal);
  CheckSequences(got);
  CHECK(got.back().data == std::to_string(kTotal - 1));
  CHECK(intake.delivered() == kTotal);

  f.Publish("d", kTotal, 10);
  REQUIRE(f.intake_conn->Flush(5s).ok());  // anything routed to it has arrived
  CHECK(c.messages().size() == kTotal);
  CHECK(intake.Drain(1s).ok());  // already drained
  intake.Unsubscribe();
}

TEST_CASE("Unsubscribe stops delivery and a new intake counts from 1", "[nats_intake]") {
  Fixture f;
  testing::MessageCollector first;
  NatsIntake intake = f.Start(*f.intake_conn, "u", first.IntakeHandler());
  f.Publish("u", 0, 5);
  REQUIRE(first.WaitForCount(5));
  intake.Unsubscribe();
  intake.Unsubscribe();  // idempotent
  CHECK(intake.Drain(1s).ok());

  testing::MessageCollector second;
  NatsIntake next = f.Start(*f.intake_conn, "u", second.IntakeHandler());
  f.Publish("u", 5, 3);
  REQUIRE(second.WaitForCount(3));
  REQUIRE(f.intake_conn->Flush(5s).ok());
  CHECK(first.messages().size() == 5);
  CHECK(intake.delivered() == 5);
  const auto got = second.messages();
  REQUIRE(got.size() == 3);
  CheckSequences(got);
  CHECK(got[0].data == "5");

  // A moved intake keeps its subscription and its count.
  NatsIntake moved = std::move(next);
  f.Publish("u", 8, 1);
  REQUIRE(second.WaitForCount(4));
  CHECK(second.messages()[3].token == DeliveryToken::Sequence(4));
  CHECK(moved.delivered() == 4);
}

TEST_CASE("a slow intake handler loses messages, counted as dropped", "[nats_intake]") {
  Fixture f;
  NatsConnectionOptions options;
  options.pending_messages_limit = 10;
  std::optional<NatsConnection> slow_conn = f.Connect(options);

  // The handler blocks on the first message until the test lets it go.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::vector<InboundMessage> got;
  NatsIntake intake = f.Start(*slow_conn, "slow", [&](InboundMessage m) {
    std::unique_lock<std::mutex> lock(mu);
    got.push_back(std::move(m));
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  });
  constexpr int kTotal = 100;
  f.Publish("slow", 0, kTotal);
  // The PONG comes after every message the server sent this connection, so
  // all of them have been queued or dropped by now.
  REQUIRE(slow_conn->Flush(5s).ok());

  const int64_t dropped = intake.dropped();
  CHECK(dropped > 0);
  CHECK(dropped < kTotal);
  {
    std::unique_lock<std::mutex> lock(mu);
    release = true;
    cv.notify_all();
    REQUIRE(cv.wait_for(lock, 10s, [&] { return static_cast<int64_t>(got.size()) + dropped == kTotal; }));
  }
  REQUIRE(intake.Drain(5s).ok());
  CHECK(intake.delivered() == got.size());
  CHECK(intake.dropped() == dropped);  // still known once closed
  // Lost messages take no sequence number: the delivered ones count 1, 2, 3...
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].token == DeliveryToken::Sequence(i + 1));
}

TEST_CASE("a throwing intake handler uses up its sequence number", "[nats_intake]") {
  Fixture f;
  testing::MessageCollector c;
  auto collect = c.IntakeHandler();
  NatsIntake intake = f.Start(*f.intake_conn, "h", [&](InboundMessage m) {
    if (m.payload == "0") throw std::runtime_error("boom");
    collect(std::move(m));
  });
  f.Publish("h", 0, 2);
  REQUIRE(c.WaitForCount(1));
  const auto got = c.messages();
  CHECK(got[0].data == "1");
  CHECK(got[0].token == DeliveryToken::Sequence(2));
  CHECK(intake.delivered() == 2);
  CHECK(f.intake_conn->counters().handler_exceptions.load() == 1);
}

TEST_CASE("an intake cannot start on a closed connection or a bad subject", "[nats_intake]") {
  Fixture f;
  testing::MessageCollector c;
  auto bad = NatsIntake::Start(*f.intake_conn, "a..b", c.IntakeHandler());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  f.intake_conn->Close();
  auto closed = NatsIntake::Start(*f.intake_conn, "x", c.IntakeHandler());
  CHECK(closed.status().code() == StatusCode::kUnavailable);
}

}  // namespace patron
