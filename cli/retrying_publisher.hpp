#pragma once
// `patron publish --jetstream`'s sender: JetStream publishes with a
// Nats-Msg-Id, acknowledged, each one not acknowledged sent again (same id,
// so the stream keeps one copy) after a back-off, until it is stored or its
// retry bound has passed. It survives a server restart or a cut connection:
// the connection reconnects by itself and the messages in flight are resent.
//
// Threads: one caller thread (Add, Finish); libnats' ack thread only hands
// outcomes over to it. The connection must outlive the publisher. Memory is
// bounded by max_in_flight messages (the ones not yet acknowledged).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "transport/nats_connection.hpp"

namespace patron::cli {

struct RetryingPublishOptions {
  // Messages sent but not yet acknowledged (or waiting for a retry) at most;
  // Add waits beyond it.
  size_t max_in_flight = 4096;
  // An acknowledgement not back within this counts as lost: send again.
  std::chrono::milliseconds ack_timeout{5'000};
  // The pause before a message's first retry; it doubles up to retry_max.
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{5'000};
  // How long one message may go on failing before the publisher gives up
  // (Add / Finish then fail with kUnavailable); negative = forever.
  std::chrono::milliseconds retry_for{-1};
};

struct RetryingPublishCounts {
  uint64_t stored = 0;      // acknowledged as new by the stream
  uint64_t duplicates = 0;  // acknowledged as already there (same Nats-Msg-Id)
  uint64_t retries = 0;     // publishes sent again
  uint64_t refused = 0;     // refused for good (too large for the stream): not stored
};

class RetryingPublisher {
 public:
  // A publisher on `connection`. kUnavailable when the connection is closed.
  static Result<std::unique_ptr<RetryingPublisher>> Create(NatsConnection& connection,
                                                           RetryingPublishOptions options);
  ~RetryingPublisher();
  RetryingPublisher(const RetryingPublisher&) = delete;
  RetryingPublisher& operator=(const RetryingPublisher&) = delete;

  // Queues `payload` for `subject` with Nats-Msg-Id `msg_id` and sends it;
  // first waits (handling outcomes and retries) while max_in_flight are in
  // flight. kUnavailable when some message has failed for longer than
  // retry_for.
  Status Add(std::string subject, std::string payload, std::string msg_id);

  // Waits until every message added is acknowledged (or refused for good),
  // retrying as needed. The counts, or kUnavailable as for Add.
  Result<RetryingPublishCounts> Finish();

  struct State;  // in the .cpp

 private:
  explicit RetryingPublisher(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace patron::cli
