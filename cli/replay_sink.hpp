#pragma once
// The sink of `patron replay`: a JsonlSink (actions as JSON lines, dead
// letters to --dead) that also gives each dead letter the input line it
// came from (decision 6). Used on the replay's one thread.

#include <cstdint>
#include <deque>

#include "actions/jsonl_sink.hpp"
#include "engine/action_sink.hpp"

namespace patron::cli {

class ReplaySink final : public ActionSink {
 public:
  // `inner` must outlive this sink.
  explicit ReplaySink(JsonlSink& inner) : inner_(inner) {}

  // Announces that the next dead letter published came from input line
  // `line`. The engine rejects a message in Accept() and publishes the dead
  // letter at the next Commit(), in the same order.
  void ExpectDeadLetter(uint64_t line) { dead_lines_.push_back(line); }

  Status Publish(const Action& action) override { return inner_.Publish(action); }
  Status PublishDead(const DeadLetter& dead) override;
  Status Flush() override { return inner_.Flush(); }

 private:
  JsonlSink& inner_;
  std::deque<uint64_t> dead_lines_;
};

}  // namespace patron::cli
