#pragma once
// Publishing to JetStream with acknowledgements (the durable outbox's
// sender): each message carries the header Nats-Msg-Id = its id, so the
// stream drops a repeat within its duplicate window, and its outcome comes
// back once through `done`: Ok when the stream stored it (or already had it),
// else why not. Publishes are asynchronous (many in flight, bounded by
// max_pending), so the sender never waits for one round trip per message.
//
// Threads: Publish from one thread at a time (the outbox's delivery
// thread); `done` runs on a libnats thread and must only hand the outcome
// over (a queue). The connection must outlive the publisher; destroying it
// drops the outcomes still to come (their messages count as not sent).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "base/result.hpp"
#include "transport/nats_connection.hpp"

namespace patron {

struct JetStreamPublisherOptions {
  // Publishes in flight (not yet acknowledged); beyond it Publish waits up
  // to stall_wait for room, then fails with kUnavailable.
  int64_t max_pending = 8192;
  std::chrono::milliseconds stall_wait{200};
  // An acknowledgement not back within this is reported as kUnavailable
  // ("timed out"): send the message again (the id makes that safe).
  std::chrono::milliseconds ack_timeout{5'000};
};

// The outcome of the publish tagged `tag`: Ok (stored, or a duplicate the
// stream already had), kUnavailable (timed out, no stream answered, the
// connection is down: try again later), kInvalidArgument (the stream or
// server refused this message for good: its size, say).
using JetStreamPublishDone = std::function<void(uint64_t tag, Status status)>;

class JetStreamPublisher {
 public:
  // A JetStream context on `connection`. kUnavailable when the connection
  // is closed.
  static Result<std::unique_ptr<JetStreamPublisher>> Create(NatsConnection& connection,
                                                            JetStreamPublisherOptions options,
                                                            JetStreamPublishDone done);
  ~JetStreamPublisher();
  JetStreamPublisher(const JetStreamPublisher&) = delete;
  JetStreamPublisher& operator=(const JetStreamPublisher&) = delete;

  // Sends `payload` to `subject` with Nats-Msg-Id `msg_id`. Ok: `done` will
  // be called once for `tag`. A failure here (no `done` call):
  // kInvalidArgument when the message can never be sent (above the
  // server's max payload, a bad subject), kUnavailable otherwise (try again).
  Status Publish(std::string_view subject, std::string_view payload, std::string_view msg_id, uint64_t tag);

  // Publishes whose outcome has not come back yet.
  size_t in_flight() const;

  // Acknowledgements so far that said the stream already had the message
  // (its Nats-Msg-Id was seen within the duplicate window): a subset of the
  // Ok outcomes. Any thread.
  uint64_t duplicates() const;

  struct State;  // in the .cpp

 private:
  explicit JetStreamPublisher(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace patron
