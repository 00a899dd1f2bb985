#include "actions/fanout_sink.hpp"

namespace patron {
namespace {

// Keeps the first failure.
void Merge(Status& first, Status next) {
  if (first.ok() && !next.ok()) first = std::move(next);
}

}  // namespace

FanoutSink::FanoutSink(std::vector<ActionSink*> sinks, ActionSink* webhooks)
    : sinks_(std::move(sinks)), webhooks_(webhooks) {}

Status FanoutSink::Publish(const Action& action) {
  Status result;
  for (ActionSink* sink : sinks_) Merge(result, sink->Publish(action));
  if (webhooks_ != nullptr && action.kind == ActionKind::kWebhook)
    Merge(result, webhooks_->Publish(action));
  return result;
}

Status FanoutSink::PublishDead(const DeadLetter& dead) {
  Status result;
  for (ActionSink* sink : sinks_) Merge(result, sink->PublishDead(dead));
  return result;
}

Status FanoutSink::Flush() {
  Status result;
  for (ActionSink* sink : sinks_) Merge(result, sink->Flush());
  if (webhooks_ != nullptr) Merge(result, webhooks_->Flush());
  return result;
}

}  // namespace patron
