#pragma once
// ActionSink over core NATS: each action is published as its CloudEvents
// JSON (actions/action_json.hpp) to "<prefix>.actions.<kind>.<store or _>",
// each dead letter as decision 6's JSON to "<prefix>.dead". Flush() waits
// for the server to acknowledge everything published so far.
// Used on the engine's thread; the connection may be shared with other users.

#include <chrono>
#include <string>

#include "engine/action_sink.hpp"
#include "transport/nats_connection.hpp"

namespace patron {

struct NatsSinkOptions {
  // Subject prefix (decision 9).
  std::string subject_prefix = "patron";
  // How long Flush() waits for the server's acknowledgement.
  std::chrono::milliseconds flush_timeout{5'000};
};

class NatsSink final : public ActionSink {
 public:
  // `connection` must outlive the sink.
  explicit NatsSink(NatsConnection& connection, NatsSinkOptions options = {});

  // A failed Status (kUnavailable when the connection is closed or its
  // reconnect buffer is full) means the transport is broken: the caller stops.
  Status Publish(const Action& action) override;
  Status PublishDead(const DeadLetter& dead) override;
  Status Flush() override;

  uint64_t actions_published() const { return actions_published_; }
  uint64_t dead_published() const { return dead_published_; }

 private:
  NatsConnection& connection_;
  NatsSinkOptions options_;
  std::string dead_subject_;
  std::string buffer_;  // reused for every payload
  uint64_t actions_published_ = 0;
  uint64_t dead_published_ = 0;
};

}  // namespace patron
