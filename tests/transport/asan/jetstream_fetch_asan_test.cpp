// Regression for libnats 3.4.1's heap corruption in natsSubscription_Fetch
// (nats.c #749: a batch above 1 whose fetch times out while messages are in
// flight). Built as its own executable with the transport sources compiled
// in under AddressSanitizer (tests/CMakeLists.txt, label `asan`): short
// fetch timeouts (1-5 ms) loop against a live publisher, through the pull
// intake and through bare batch-1 fetches; any heap error aborts the run.
//
// The hidden case "[.batch]" does the same with a batch of 10: it is the
// demonstration that the bug is real on this libnats (not part of the
// suite; run `transport_asan_tests "[.batch]"` by hand).
#include <catch2/catch.hpp>

#include <nats/nats.h>

#include <atomic>
#include <thread>

#include "tests/transport/jetstream_fixture.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;
using testing::JetStreamFixture;

constexpr int kMessages = 5'000;

// Publishes "0".."n-1" in bursts of 50 with short pauses, so that fetches
// time out while messages are on their way.
class Publisher {
 public:
  Publisher(NatsConnection& pub, int n) : thread_([&pub, n] {
    for (int i = 0; i < n; ++i) {
      (void)pub.Publish("patron.events.order.completed", std::to_string(i));
      if (i % 50 == 49) std::this_thread::sleep_for(std::chrono::microseconds(300 + (i / 50) % 5 * 400));
    }
    (void)pub.Flush(5s);
  }) {}
  ~Publisher() { thread_.join(); }

 private:
  std::thread thread_;
};

// Fetches with `batch` and timeouts cycling 1..5 ms until `n` messages came
// (acked at once) or 60 s passed; returns how many came (redeliveries of
// messages that reached a timed-out fetch count again).
int FetchLoop(JetStreamFixture& f, int batch, int n) {
  jsCtx* js = nullptr;
  REQUIRE(natsConnection_JetStream(&js, transport_internal::ConnectionAccess::Handle(*f.conn), nullptr) == NATS_OK);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = "PATRON_EVENTS";
  so.Consumer = "patron";
  so.ManualAck = true;
  natsSubscription* sub = nullptr;
  REQUIRE(js_PullSubscribe(&sub, js, nullptr, nullptr, nullptr, &so, nullptr) == NATS_OK);
  int received = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (int round = 0; received < n && std::chrono::steady_clock::now() < deadline; ++round) {
    natsMsgList list{nullptr, 0};
    if (natsSubscription_Fetch(&list, sub, batch, 1 + round % 5, nullptr) == NATS_OK) {
      for (int i = 0; i < list.Count; ++i) natsMsg_Ack(list.Msgs[i], nullptr);
      received += list.Count;
    }
    natsMsgList_Destroy(&list);
  }
  natsSubscription_Destroy(sub);
  jsCtx_Destroy(js);
  return received;
}

}  // namespace

TEST_CASE("the pull intake with 2 ms fetches against a live publisher keeps the heap intact", "[asan]") {
  JetStreamFixture f;
  f.ack_wait = 1s;  // messages of timed-out fetches come back soon
  f.Ensure(IntakeMode::kPull);
  testing::MessageCollector c;
  JetStreamIntakeOptions options;
  options.consumer = f.consumer;
  options.stream = f.stream;
  options.fetch_timeout = 2ms;
  std::atomic<JetStreamIntake*> self{nullptr};
  auto started = JetStreamIntake::Start(*f.conn, options, [&](InboundMessage m) {
    const DeliveryToken token = m.token;
    c.IntakeHandler()(std::move(m));
    if (JetStreamIntake* intake = self.load()) intake->Acknowledge({&token, 1});
  });
  REQUIRE(started.ok());
  std::unique_ptr<JetStreamIntake> intake = std::move(started).value();
  self = intake.get();
  {
    Publisher publisher(*f.pub, kMessages);
  }
  REQUIRE(c.WaitUntil([](const auto& got) { return testing::Distinct(got).size() == kMessages; }, 60s));
  intake->Stop();
}

// Batch-`batch` fetches on a fresh server while a publisher sends.
int FetchWhilePublishing(int batch) {
  JetStreamFixture f;
  f.ack_wait = 1s;  // messages of timed-out fetches come back soon
  f.Ensure(IntakeMode::kPull);
  Publisher publisher(*f.pub, kMessages);
  return FetchLoop(f, batch, kMessages);
}

TEST_CASE("bare batch-1 fetches with 1-5 ms timeouts against a live publisher keep the heap intact", "[asan]") {
  CHECK(FetchWhilePublishing(1) >= kMessages);
}

TEST_CASE("batch-10 fetches with 1-5 ms timeouts against a live publisher (nats.c #749)", "[.batch]") {
  CHECK(FetchWhilePublishing(10) >= kMessages);
}

}  // namespace patron
