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

PartitionOptions ReplayLike(const TempDir& dir, size_t batch_size) {
  PartitionOptions o;
  o.data_dir = dir.str() + "/data";
  o.store.sync_on_commit = false;
  o.loop.batch_size = batch_size;
  o.loop.batch_interval = std::chrono::milliseconds(0);
  o.loop.fire_by_clock = false;
  return o;
}

std::shared_ptr<const CompiledRules> Shared(const std::string& text) { return CompileText(text); }

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
  TempDir dir;
  const std::string path =
      WriteFile(dir, Order(1) + "\n\n" + Order(2) + "\n{not json\n" + Order(3) + "\n" + Order(4) + "\n");
  RuleSetHolder rules(Shared(kTagRule));
  RecordingSink sink;
  EventTimeClock clock;
  auto partition = Partition::Open(rules, sink, clock, ReplayLike(dir, 2));
  REQUIRE(partition.ok());
  auto source = LineSource::Open(path);
  REQUIRE(source.ok());
  REQUIRE((*partition)->Run(**source).ok());

  CHECK(sink.actions.size() == 4);
  // Batches: lines 1 and 3, then 4 (rejected) and 5, then 6, then the end.
  CHECK(sink.flushes == 3);
  REQUIRE(sink.dead_letters.size() == 1);
  CHECK(sink.dead_letters[0].origin == DeliveryToken::Line(4));
  CHECK((*partition)->stats().events_read == 5);
}

TEST_CASE("loop: a rule set published to the holder is swapped in between batches", "[runtime]") {
  TempDir dir;
  const std::string path = WriteFile(dir, Order(1) + "\n" + Order(2) + "\n" + Order(3) + "\n" + Order(4) + "\n");
  RuleSetHolder rules(Shared(kTagRule));
  rules.Publish(Shared(R"(
rule "tagger"
  when order.completed
  then tag "b"
end
)"));
  RecordingSink sink;
  EventTimeClock clock;
  auto partition = Partition::Open(rules, sink, clock, ReplayLike(dir, 2));
  REQUIRE(partition.ok());
  auto source = LineSource::Open(path);
  REQUIRE(source.ok());
  REQUIRE((*partition)->Run(**source).ok());

  // The partition was built on version 2 already: nothing to swap.
  CHECK((*partition)->swaps() == 0);
  REQUIRE(sink.actions.size() == 4);
  for (const Action& a : sink.actions) CHECK(a.tag == "b");
}

TEST_CASE("loop: a newer rule set arriving while it runs starts with the next batch", "[runtime]") {
  TempDir dir;
  RuleSetHolder rules(Shared(kTagRule));
  RecordingSink sink;
  EventTimeClock clock;
  PartitionOptions options = ReplayLike(dir, 2);
  auto partition = Partition::Open(rules, sink, clock, options);
  REQUIRE(partition.ok());
  // The newer set is published after the partition was built: the first
  // batch (two events) runs the old one, the rest the new one.
  rules.Publish(Shared(R"(
rule "tagger"
  when order.completed
  then tag "b"
end
)"));
  auto source = LineSource::Open(WriteFile(dir, Order(1) + "\n" + Order(2) + "\n" + Order(3) + "\n" + Order(4) + "\n"));
  REQUIRE(source.ok());
  REQUIRE((*partition)->Run(**source).ok());
  CHECK((*partition)->swaps() == 1);
  REQUIRE(sink.actions.size() == 4);
  CHECK(sink.actions[0].tag == "a");
  CHECK(sink.actions[1].tag == "a");
  CHECK(sink.actions[2].tag == "b");
  CHECK(sink.actions[3].tag == "b");
}

TEST_CASE("loop: a queue fed by another thread is served until it is closed, everything committed", "[runtime]") {
  TempDir dir;
  RuleSetHolder rules(Shared(kTagRule));
  RecordingSink sink;
  EventTimeClock clock;
  PartitionOptions options = ReplayLike(dir, 16);
  options.loop.batch_interval = std::chrono::milliseconds(2);
  auto partition = Partition::Open(rules, sink, clock, options);
  REQUIRE(partition.ok());
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
  Status served = (*partition)->Run(queue);
  producer.join();
  REQUIRE(served.ok());
  CHECK((*partition)->stats().events_processed == 100);
  CHECK(sink.actions.size() == 1);  // the tag is held after the first order
  REQUIRE(sink.dead_letters.size() == 1);
  CHECK(sink.dead_letters[0].origin == DeliveryToken::Sequence(101));
  CHECK(sink.dead_letters[0].subject == "patron.events.x");
}

TEST_CASE("loop: a source that fails stops the loop with its error and is closed", "[runtime]") {
  TempDir dir;
  RuleSetHolder rules(Shared(kTagRule));
  RecordingSink sink;
  EventTimeClock clock;
  auto partition = Partition::Open(rules, sink, clock, ReplayLike(dir, 10));
  REQUIRE(partition.ok());
  FailingSource source;
  Status served = (*partition)->Run(source);
  CHECK(served.code() == StatusCode::kIoError);
  CHECK(served.message() == "the disk went away");
  CHECK(source.closed);
  CHECK(sink.actions.empty());  // the open batch was not committed, so nothing left
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

}  // namespace patron::testing
