#pragma once
// ActionSink that forwards every action and dead letter to each of a list of
// sinks (NATS, JSON lines, ...), in list order, and webhook actions also to
// a webhook sink when one is configured: webhook actions therefore go out on
// the primary sinks too, for audit. Used on the engine's thread.

#include <vector>

#include "engine/action_sink.hpp"

namespace patron {

class FanoutSink final : public ActionSink {
 public:
  // Non-owning: every sink, and `webhooks` (may be null), must outlive this.
  explicit FanoutSink(std::vector<ActionSink*> sinks, ActionSink* webhooks = nullptr);

  // Each call reaches every sink even when one fails; the first failure is
  // returned (a broken transport: the caller stops).
  Status Publish(const Action& action) override;
  Status PublishDead(const DeadLetter& dead) override;
  Status Flush() override;

 private:
  std::vector<ActionSink*> sinks_;
  ActionSink* webhooks_;
};

}  // namespace patron
