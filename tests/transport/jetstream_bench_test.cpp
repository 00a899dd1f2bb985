// Not part of the suite (hidden tag "[.bench]"): the rate of the JetStream
// intake in each mode, from a pre-filled stream, every message acknowledged
// in groups of 1,000 (as the engine acks once per committed batch). The
// figures in transport/jetstream_intake.hpp come from here:
//
//   python3 ../shared/bench/gen_events.py --events 200000 --out /tmp/events.jsonl
//   PATRON_BENCH_EVENTS=/tmp/events.jsonl build/tests/transport_tests "[.bench]" -s
//
// Without PATRON_BENCH_EVENTS it uses 200,000 synthetic 400-byte events.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "tests/transport/jetstream_fixture.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> BenchEvents() {
  std::vector<std::string> lines;
  if (const char* path = std::getenv("PATRON_BENCH_EVENTS")) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(line);
  }
  if (lines.empty()) {
    for (int i = 0; i < 200'000; ++i) lines.push_back(std::string(400, 'x') + std::to_string(i));
  }
  return lines;
}

}  // namespace

TEST_CASE("JetStream intake rate, push and pull, from a pre-filled stream", "[.bench]") {
  const std::vector<std::string> events = BenchEvents();
  for (IntakeMode mode : {IntakeMode::kPush, IntakeMode::kPull}) {
    testing::JetStreamFixture f;
    f.Ensure(mode);
    for (size_t i = 0; i < events.size(); ++i) {
      REQUIRE(f.pub->Publish("patron.events.order.completed", events[i]).ok());
      if (i % 10'000 == 9'999) REQUIRE(f.pub->Flush(30s).ok());
    }
    REQUIRE(f.pub->Flush(30s).ok());
    REQUIRE(testing::Eventually([&] { return f.StreamMessages() == events.size(); }, 120s));

    std::mutex mu;
    std::condition_variable cv;
    std::vector<DeliveryToken> batch;
    size_t received = 0;
    std::atomic<JetStreamIntake*> self{nullptr};
    const auto start = std::chrono::steady_clock::now();
    auto intake = f.StartIntake([&](InboundMessage m) {
      std::vector<DeliveryToken> full;
      {
        std::lock_guard<std::mutex> lock(mu);
        batch.push_back(m.token);
        ++received;
        if (batch.size() == 1'000 || received == events.size()) full.swap(batch);
        cv.notify_all();
      }
      while (!full.empty() && self.load() == nullptr) std::this_thread::yield();
      if (!full.empty()) self.load()->Acknowledge(full);
    });
    self = intake.get();
    {
      std::unique_lock<std::mutex> lock(mu);
      REQUIRE(cv.wait_for(lock, 600s, [&] { return received == events.size(); }));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << IntakeModeName(mode) << ": " << events.size() << " messages in " << seconds << " s = "
              << static_cast<int64_t>(events.size() / seconds) << " messages/s\n";
    REQUIRE(testing::Eventually([&] { return f.ConsumerDone(); }, 60s));
  }
}

}  // namespace patron
