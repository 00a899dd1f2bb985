// transport/jetstream_intake: the durable intake against a real nats-server
// with JetStream on disk, in both modes: every message of a pre-filled
// stream once with ordered tokens, redelivery of what was not acknowledged,
// the max_deliver refusal and the max-deliveries advisory, the watchdog, and
// a kill -9 and restart of the server.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

#include "tests/transport/jetstream_fixture.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::JetStreamFixture;
using testing::MessageCollector;
using testing::ReceivedMessage;

std::vector<DeliveryToken> Tokens(const std::vector<ReceivedMessage>& got, size_t from = 0) {
  std::vector<DeliveryToken> out;
  for (size_t i = from; i < got.size(); ++i) out.push_back(got[i].token);
  return out;
}


// Acknowledges what `c` collected, every 20 ms, until destroyed (an engine
// committing in batches).
class Acker {
 public:
  Acker(JetStreamIntake& intake, MessageCollector& c) : thread_([&] {
    size_t done = 0;
    while (!stop_) {
      auto got = c.messages();
      intake.Acknowledge(Tokens(got, done));
      done = got.size();
      std::this_thread::sleep_for(20ms);
    }
  }) {}
  ~Acker() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A fixture whose consumer (in `mode`) redelivers after 500 ms and refuses
// the `max_deliver`th delivery.
std::unique_ptr<JetStreamFixture> PoisonFixture(IntakeMode mode, int64_t max_deliver) {
  auto f = std::make_unique<JetStreamFixture>();
  f->ack_wait = 500ms;
  f->max_deliver = max_deliver;
  f->Ensure(mode);
  return f;
}

// Deletes the durable consumer behind the intake's back.
void DeleteConsumer(JetStreamFixture& f) {
  jsCtx* js = nullptr;
  REQUIRE(natsConnection_JetStream(&js, transport_internal::ConnectionAccess::Handle(*f.pub), nullptr) == NATS_OK);
  const natsStatus s = js_DeleteConsumer(js, "PATRON_EVENTS", "patron", nullptr, nullptr);
  jsCtx_Destroy(js);
  REQUIRE(s == NATS_OK);
}

// Waits until `c` has `distinct` different messages, the watchdog having
// resubscribed and logged `logged`.
void ExpectRecovered(JetStreamFixture& f, MessageCollector& c, JetStreamIntake& intake, size_t distinct,
                     const std::string& logged) {
  const bool all =
      c.WaitUntil([&](const auto& got) { return testing::Distinct(got).size() == distinct; }, 30s);
  INFO(f.log.Text());
  REQUIRE(all);
  CHECK(Eventually([&] { return intake.counters().resubscribes >= 1; }));
  CHECK(f.log.Text().find(logged) != std::string::npos);
}

}  // namespace

TEST_CASE("every message of a pre-filled stream is delivered once, with tokens 1 to N in stream order",
          "[jetstream_intake]") {
  const IntakeMode mode = GENERATE(IntakeMode::kPush, IntakeMode::kPull);
  INFO(IntakeModeName(mode));
  JetStreamFixture f(mode);
  constexpr int kTotal = 2'000;
  f.Publish(0, kTotal);
  REQUIRE(Eventually([&] { return f.StreamMessages() == kTotal; }));

  MessageCollector c;
  auto intake = f.StartIntake(c.IntakeHandler());
  CHECK(intake->mode() == mode);
  CHECK(intake->max_deliver() == 10);
  {
    Acker acker(*intake, c);
    REQUIRE(c.WaitForCount(kTotal, 60s));
    REQUIRE(Eventually([&] { return f.ConsumerDone(); }));
  }
  const auto got = c.messages();
  REQUIRE(got.size() == kTotal);  // the server has nothing more: none twice
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("message " << i);
    CHECK(got[i].token == DeliveryToken::Sequence(i + 1));
    CHECK(got[i].data == std::to_string(i));
    CHECK(got[i].subject == "patron.events.order.completed");
    CHECK(got[i].refused.empty());
  }
  CHECK(intake->unacknowledged() == 0);
  CHECK(intake->counters().acknowledged == kTotal);
  CHECK(intake->counters().delivered == kTotal);
}

TEST_CASE("unacknowledged messages are redelivered after ack_wait, acknowledged ones are not",
          "[jetstream_intake]") {
  const IntakeMode mode = GENERATE(IntakeMode::kPush, IntakeMode::kPull);
  INFO(IntakeModeName(mode));
  JetStreamFixture f;
  f.ack_wait = 1s;
  f.Ensure(mode);
  MessageCollector c;
  auto intake = f.StartIntake(c.IntakeHandler());
  f.Publish(0, 10);
  REQUIRE(c.WaitForCount(10));
  auto first = c.messages();
  std::vector<DeliveryToken> even;
  for (size_t i = 0; i < first.size(); i += 2) even.push_back(first[i].token);
  intake->Acknowledge(even);
  CHECK(intake->unacknowledged() == 5);

  REQUIRE(c.WaitForCount(15));
  auto got = c.messages();
  std::vector<std::string> again;
  for (size_t i = 10; i < 15; ++i) {
    CHECK(got[i].token == DeliveryToken::Sequence(i + 1));  // a new sequence for each delivery
    again.push_back(got[i].data);
  }
  std::sort(again.begin(), again.end());
  CHECK(again == std::vector<std::string>{"1", "3", "5", "7", "9"});
  intake->Acknowledge(Tokens(got, 10));
  // The first deliveries of the odd ones are stale now; acking them is harmless.
  intake->Acknowledge(Tokens(got, 0));
  REQUIRE(Eventually([&] { return f.ConsumerDone(); }));
  CHECK(c.messages().size() == 15);  // nothing else was delivered
}

TEST_CASE("max_deliver: the last delivery is refused, or comes back refused from the advisory",
          "[jetstream_intake]") {
  const IntakeMode mode = GENERATE(IntakeMode::kPush, IntakeMode::kPull);
  INFO(IntakeModeName(mode));
  SECTION("the last allowed delivery is refused, its advisory ignored") {
    auto fixture = PoisonFixture(mode, 3);
    JetStreamFixture& f = *fixture;
    MessageCollector c;
    auto intake = f.StartIntake(c.IntakeHandler());
    f.Publish(0, 1);
    REQUIRE(c.WaitForCount(3));
    // Never acknowledged: the server gives up after the third and advises;
    // the intake refused that one already, so it skips the advisory.
    REQUIRE(Eventually([&] { return intake->counters().advisories_skipped == 1; }));
    const auto got = c.messages();
    REQUIRE(got.size() == 3);
    CHECK(got[0].refused.empty());
    CHECK(got[1].refused.empty());
    CHECK(got[2].refused == "delivered 3 times without being committed (max_deliver)");
    CHECK(got[2].data == "0");
    CHECK(intake->counters().refused == 1);
    CHECK(intake->counters().advisories == 0);
    CHECK(f.log.Text().find("refused: delivered 3 times") != std::string::npos);
  }
  SECTION("a last delivery lost with its process comes back refused from the max-deliveries advisory") {
    auto fixture = PoisonFixture(mode, 2);
    JetStreamFixture& f = *fixture;
    {
      MessageCollector first;
      auto intake = f.StartIntake(first.IntakeHandler());
      f.Publish(41, 1);
      REQUIRE(first.WaitForCount(2));  // the second is refused, and then "the process dies"
      CHECK(first.messages()[1].refused != "");
    }
    MessageCollector c;
    auto intake = f.StartIntake(c.IntakeHandler());
    REQUIRE(c.WaitForCount(1));
    const auto got = c.messages();
    CHECK(got[0].data == "41");
    CHECK(got[0].subject == "patron.events.order.completed");
    CHECK(got[0].refused == "delivered 2 times without being committed (max_deliver)");
    CHECK(got[0].token == DeliveryToken::Sequence(1));
    CHECK(intake->counters().advisories == 1);
    intake->Acknowledge(Tokens(got));  // nothing to ack: skipped
    CHECK(intake->counters().acknowledged == 0);
  }
}

TEST_CASE("the watchdog creates a deleted consumer again and goes on", "[jetstream_intake]") {
  const IntakeMode mode = GENERATE(IntakeMode::kPush, IntakeMode::kPull);
  INFO(IntakeModeName(mode));
  JetStreamFixture f(mode);
  MessageCollector c;
  auto intake = f.StartIntake(c.IntakeHandler(), 300ms);
  Acker acker(*intake, c);
  f.Publish(0, 5);
  REQUIRE(c.WaitForCount(5));
  REQUIRE(Eventually([&] { return f.ConsumerDone(); }));

  DeleteConsumer(f);
  f.Publish(5, 5);
  // The new consumer delivers the whole stream again (deliver all).
  ExpectRecovered(f, c, *intake, 10, "is gone; creating it again");
}

TEST_CASE("the watchdog recreates a push subscription that no longer receives", "[jetstream_intake]") {
  JetStreamFixture f;
  f.Ensure(IntakeMode::kPush);
  MessageCollector c;
  auto intake = f.StartIntake(c.IntakeHandler(), 300ms);
  Acker acker(*intake, c);
  f.Publish(0, 3);
  REQUIRE(c.WaitForCount(3));

  // Replace the consumer behind the intake's back by one that delivers
  // elsewhere: the intake's subscription hears nothing while the consumer
  // has pending messages.
  DeleteConsumer(f);
  ConsumerSettings elsewhere = f.consumer;
  elsewhere.deliver_subject = "_PATRON.elsewhere";
  REQUIRE(EnsureConsumer(*f.pub, elsewhere).ok());

  f.Publish(3, 5);
  ExpectRecovered(f, c, *intake, 8, "recreating the subscription");
}

TEST_CASE("after a kill -9 and restart of nats-server the intake goes on and every message arrives",
          "[jetstream_intake]") {
  const IntakeMode mode = GENERATE(IntakeMode::kPush, IntakeMode::kPull);
  INFO(IntakeModeName(mode));
  JetStreamFixture f(mode);
  constexpr int kBefore = 3'000;
  constexpr int kAfter = 1'000;
  f.Publish(0, kBefore);
  REQUIRE(Eventually([&] { return f.StreamMessages() == kBefore; }));
  MessageCollector c;
  auto intake = f.StartIntake(c.IntakeHandler(), 1s);
  Acker acker(*intake, c);
  REQUIRE(c.WaitForCount(kBefore / 10, 30s));

  f.server.Kill();
  std::this_thread::sleep_for(500ms);  // the outage
  testing::RequireStarted(f.server);
  REQUIRE(Eventually([&] { return f.pub->IsConnected() && f.conn->IsConnected(); }, 30s));
  f.Publish(kBefore, kAfter);

  REQUIRE(c.WaitUntil([](const auto& got) { return testing::Distinct(got).size() == kBefore + kAfter; }, 120s));
  REQUIRE(Eventually([&] { return f.ConsumerDone(); }, 60s));
  const auto got = c.messages();
  CHECK(got.size() >= kBefore + kAfter);
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].token == DeliveryToken::Sequence(i + 1));
  INFO("delivered " << got.size() << " for " << kBefore + kAfter << " messages");
  CHECK(f.conn->counters().reconnects >= 1);
}

}  // namespace patron
