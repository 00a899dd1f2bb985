// runtime/: the one accept/commit loop over a file and over a queue, rule
// sets swapped between batches, a failing source, and replay's --until.

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "runtime/batch_loop.hpp"
#include "runtime/line_source.hpp"
#include "runtime/message_queue.hpp"
#include "runtime/partition.hpp"
#include "runtime/replay.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using runtime::BatchLoopOptions;
using runtime::LineSource;
using runtime::MessageQueue;
using runtime::MessageSource;
using runtime::Partition;
using runtime::PartitionOptions;
using runtime::RuleSetHolder;

const char* kTagRule = R"(
rule "tagger"
  when order.completed
  then tag "a"
end
)";

std::string Order(int i) {
  return Ev("o" + std::to_string(i), "order.completed", "2026-03-01T10:0" + std::to_string(i) + ":00Z",
            Phone("1380013800" + std::to_string(i)) + R"(,"amount":10)");
}

std::string WriteFile(const TempDir& dir, const std::string& text) {
  std::string path = dir.str() + "/events.jsonl";
  std::ofstream(path) << text;
  return path;
}

std::shared_ptr<const CompiledRules> Shared(const std::string& text) { return CompileText(text); }

// A partition over LMDB in a temporary directory, replay-like (event time,
// commits only when a batch is full and at the end unless `interval`), with
// a recording sink.
struct LoopFixture {
  explicit LoopFixture(const std::string& rules_text) : rules(Shared(rules_text)) {}

  void Open(size_t batch_size, std::chrono::milliseconds interval = std::chrono::milliseconds(0)) {
    PartitionOptions o;
    o.data_dir = dir.str() + "/data";
    o.store.sync_on_commit = false;
    o.loop.batch_size = batch_size;
    o.loop.batch_interval = interval;
    o.loop.fire_by_clock = false;
    auto opened = Partition::Open(rules, sink, clock, o);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    partition = std::move(opened.value());
  }
  // Runs the partition over a file holding `text`; must succeed.
  void RunFile(const std::string& text) {
    auto source = LineSource::Open(WriteFile(dir, text));
    REQUIRE(source.ok());
    Status served = partition->Run(**source);
    INFO(served.ToString());
    REQUIRE(served.ok());
  }

  TempDir dir;
  RuleSetHolder rules;
  RecordingSink sink;
  EventTimeClock clock;
  std::unique_ptr<Partition> partition;
};

const char* kTagRuleB = R"(
rule "tagger"
  when order.completed
  then tag "b"
end
)";

// A source whose second Take fails.
class FailingSource final : public MessageSource {
 public:
  void SetWakeup(std::function<void()>) override {}
  Result<Poll> Take(std::vector<InboundMessage>& out, size_t, size_t& n) override {
    n = 0;
    if (++takes_ > 1) return Status::Io("the disk went away");
    if (out.empty()) out.resize(1);
    out[0] = InboundMessage{"", Order(1), DeliveryToken::Line(1)};
    n = 1;
    return Poll::kReady;
  }
  void Close() override { closed = true; }
  bool closed = false;

 private:
  int takes_ = 0;
};

}  // namespace

TEST_CASE("loop: a file is taken in batches, committed every batch_size events and at its end", "[runtime]") {
  LoopFixture f(kTagRule);
  f.Open(2);
  f.RunFile(Order(1) + "\n\n" + Order(2) + "\n{not json\n" + Order(3) + "\n" + Order(4) + "\n");
  CHECK(f.sink.actions.size() == 4);
  // Batches: lines 1 and 3, then 4 (rejected) and 5, then 6, then the end.
  CHECK(f.sink.flushes == 3);
  REQUIRE(f.sink.dead_letters.size() == 1);
  CHECK(f.sink.dead_letters[0].origin == DeliveryToken::Line(4));
  CHECK(f.partition->stats().events_read == 5);
}

TEST_CASE("loop: a rule set published to the holder is swapped in between batches", "[runtime]") {
  LoopFixture f(kTagRule);
  f.rules.Publish(Shared(kTagRuleB));
  f.Open(2);
  f.RunFile(Order(1) + "\n" + Order(2) + "\n" + Order(3) + "\n" + Order(4) + "\n");
  // The partition was built on version 2 already: nothing to swap.
  CHECK(f.partition->swaps() == 0);
  REQUIRE(f.sink.actions.size() == 4);
  for (const Action& a : f.sink.actions) CHECK(a.tag == "b");
}

TEST_CASE("loop: a newer rule set arriving while it runs starts with the next batch", "[runtime]") {
  LoopFixture f(kTagRule);
  f.Open(2);
  // The newer set is published after the partition was built: the first
  // batch (two events) runs the old one, the rest the new one.
  f.rules.Publish(Shared(kTagRuleB));
  f.RunFile(Order(1) + "\n" + Order(2) + "\n" + Order(3) + "\n" + Order(4) + "\n");
  CHECK(f.partition->swaps() == 1);
  REQUIRE(f.sink.actions.size() == 4);
  CHECK(f.sink.actions[0].tag == "a");
  CHECK(f.sink.actions[1].tag == "a");
  CHECK(f.sink.actions[2].tag == "b");
  CHECK(f.sink.actions[3].tag == "b");
}

TEST_CASE("loop: a queue fed by another thread is served until it is closed, everything committed", "[runtime]") {
  LoopFixture f(kTagRule);
  f.Open(16, std::chrono::milliseconds(2));
  MessageQueue queue(8);  // small: the producer blocks while the loop catches up
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      std::string id = "q" + std::to_string(i);
      queue.Push(InboundMessage{"patron.events.order.completed",
                                Ev(id, "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000")),
                                DeliveryToken::Sequence(static_cast<uint64_t>(i + 1))});
    }
    queue.Push(InboundMessage{"patron.events.x", "{bad", DeliveryToken::Sequence(101)});
    queue.Close();
  });
  Status served = f.partition->Run(queue);
  producer.join();
  REQUIRE(served.ok());
  CHECK(f.partition->stats().events_processed == 100);
  CHECK(f.sink.actions.size() == 1);  // the tag is held after the first order
  REQUIRE(f.sink.dead_letters.size() == 1);
  CHECK(f.sink.dead_letters[0].origin == DeliveryToken::Sequence(101));
  CHECK(f.sink.dead_letters[0].subject == "patron.events.x");
}

TEST_CASE("loop: a source that fails stops the loop with its error and is closed", "[runtime]") {
  LoopFixture f(kTagRule);
  f.Open(10);
  FailingSource source;
  Status served = f.partition->Run(source);
  CHECK(served.code() == StatusCode::kIoError);
  CHECK(served.message() == "the disk went away");
  CHECK(source.closed);
  CHECK(f.sink.actions.empty());  // the open batch was not committed, so nothing left
}

TEST_CASE("replay: --until fires the timers due after the last event", "[runtime]") {
  TempDir dir;
  RuleSetHolder rules(Shared(R"(
rule "sleeping"
  when no order.completed for 30 days
  then coupon "BACK" value 10
end
)"));
  RecordingSink sink;
  auto source = LineSource::Open(WriteFile(dir, Order(1) + "\n"));
  REQUIRE(source.ok());
  runtime::ReplayOptions options;
  SECTION("without until nothing fires") {
    auto result = runtime::Replay(rules, **source, sink, options);
    REQUIRE(result.ok());
    CHECK(sink.actions.empty());
    CHECK(result->stats.timers_armed == 1);
  }
  SECTION("with until the deadline fires") {
    options.until = TimeOf("2026-04-01T00:00:00Z");
    auto result = runtime::Replay(rules, **source, sink, options);
    REQUIRE(result.ok());
    REQUIRE(sink.actions.size() == 1);
    CHECK(FormatRfc3339Utc(*sink.actions[0].cause_deadline) == "2026-03-31T10:01:00Z");
  }
}

TEST_CASE("loop: messages are acknowledged to their source after the commit that holds them, in commit groups",
          "[runtime]") {
  LoopFixture f(kTagRule);
  f.Open(2);
  MessageQueue queue(16);
  std::vector<std::vector<uint64_t>> acked;
  std::vector<size_t> committed_when_acked;
  queue.SetAcknowledger([&](std::span<const DeliveryToken> tokens) {
    std::vector<uint64_t>& group = acked.emplace_back();
    for (const DeliveryToken& t : tokens) group.push_back(t.value);
    // The sink gets a batch's actions right after its commit: by the time
    // of an ack, every acked message's action is out.
    committed_when_acked.push_back(f.sink.actions.size());
  });
  for (int i = 1; i <= 5; ++i) {
    REQUIRE(queue.Push(InboundMessage{"patron.events.order.completed", Order(i), DeliveryToken::Sequence(i), {}}));
  }
  // A refused message (delivered max_deliver times) is dead-lettered, and acked too.
  REQUIRE(queue.Push(InboundMessage{"patron.events.x", Order(6), DeliveryToken::Sequence(6),
                                    "delivered 10 times without being committed (max_deliver)"}));
  queue.Close();
  Status served = f.partition->Run(queue);
  INFO(served.ToString());
  REQUIRE(served.ok());
  CHECK(acked == std::vector<std::vector<uint64_t>>{{1, 2}, {3, 4}, {5, 6}});
  CHECK(committed_when_acked == std::vector<size_t>{2, 4, 5});
  REQUIRE(f.sink.dead_letters.size() == 1);
  CHECK(f.sink.dead_letters[0].reason == "delivered 10 times without being committed (max_deliver)");
  CHECK(f.partition->stats().rejected == 1);
}

}  // namespace patron::testing
