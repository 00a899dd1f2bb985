#pragma once
// An ActionSink that keeps what it is given, in order, for assertions. The
// sink is not what the tests exercise; it only shows what the engine
// published. Single-threaded.

#include <string>
#include <vector>

#include "engine/action_sink.hpp"

namespace patron::testing {

class RecordingSink final : public ActionSink {
 public:
  Status Publish(const Action& action) override {
    actions.push_back(action);
    return Status::Ok();
  }
  Status PublishDead(const DeadLetter& dead) override {
    dead_letters.push_back(dead);
    return Status::Ok();
  }
  Status Flush() override {
    ++flushes;
    return Status::Ok();
  }

  std::vector<Action> actions;
  std::vector<DeadLetter> dead_letters;
  int flushes = 0;
};

}  // namespace patron::testing
