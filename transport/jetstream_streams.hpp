#pragma once
// The JetStream streams and the durable consumer Patron works on
// (../shared/spec/events.md): PATRON_EVENTS (subjects <prefix>.events.>)
// read through the durable consumer `patron`, and PATRON_ACTIONS (subjects
// <prefix>.actions.> and <prefix>.dead). EnsureStream / EnsureConsumer
// create them when missing; when they exist with other settings they are
// used as they are (never updated: an operator may have tuned them), each
// difference is logged as one warning line and returned, and the report
// holds the settings in effect.
//
// Threads: any thread; each call makes blocking JetStream API requests on
// the connection (bounded by `api_timeout`). No libnats type appears here.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "transport/nats_connection.hpp"

namespace spdlog {
class logger;
}

namespace patron {

struct StreamSettings {
  std::string name = "PATRON_EVENTS";
  std::vector<std::string> subjects = {"patron.events.>"};
  // File storage (survives a server restart); false = memory.
  bool file_storage = true;
  // Messages older than this are removed; 0 = kept forever.
  std::chrono::milliseconds max_age{std::chrono::hours(24 * 7)};
  // Oldest messages are removed beyond this size; -1 = unlimited.
  int64_t max_bytes = -1;
  // Largest message the stream accepts; -1 = the server's max payload.
  int32_t max_msg_size = -1;
  // Publishes with a Nats-Msg-Id seen within this window are dropped.
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
  int replicas = 1;
};

// The events stream and the actions stream for a subject prefix.
StreamSettings EventsStreamSettings(std::string_view prefix, std::string name = "PATRON_EVENTS");
StreamSettings ActionsStreamSettings(std::string_view prefix, std::string name = "PATRON_ACTIONS");

struct StreamReport {
  // The stream's settings as the server has them (what was asked for, when
  // it was created now).
  StreamSettings effective;
  bool created = false;
  // One line per setting that differs, as logged ("stream PATRON_EVENTS:
  // max_age is 24h, configured 7d; using the stream's").
  std::vector<std::string> differences;
  // The server's max payload for this connection (bytes): no message larger
  // than this can be published.
  int64_t max_payload = 0;
  // The stream's state when read: messages kept and the last sequence.
  uint64_t messages = 0;
  uint64_t last_sequence = 0;
};

struct StreamOptions {
  // Bound of each JetStream API request.
  std::chrono::milliseconds api_timeout{5'000};
  // Where creations and differences are logged; nullptr = silent.
  std::shared_ptr<spdlog::logger> logger;
};

// Creates the stream when missing, or reads it. kUnavailable when the
// connection is closed or the server does not answer, kIoError when
// JetStream is not enabled or the server refuses the settings (its reason
// in the message).
Result<StreamReport> EnsureStream(NatsConnection& connection, const StreamSettings& settings,
                                  const StreamOptions& options = {});

// How the intake receives messages (see transport/jetstream_intake.hpp).
enum class IntakeMode : uint8_t {
  kPush,  // the server pushes to a deliver subject, with flow control and heartbeats
  kPull,  // the intake fetches one message at a time
};
const char* IntakeModeName(IntakeMode mode);

struct ConsumerSettings {
  std::string stream = "PATRON_EVENTS";
  std::string durable = "patron";
  std::string filter_subject = "patron.events.>";
  // Delivered but unacknowledged messages at most; the server stops
  // delivering beyond it (the engine's batches must fit: >= batch_size).
  int64_t max_ack_pending = 20'000;
  // An unacknowledged message is delivered again after this.
  std::chrono::milliseconds ack_wait{30'000};
  // Deliveries of one message at most; the last one is refused by the
  // intake (a dead letter). -1 = unlimited.
  int64_t max_deliver = 10;
  // Waits before each redelivery (replaces ack_wait when not empty; the
  // server requires fewer entries than max_deliver).
  std::vector<std::chrono::milliseconds> backoff;
  // Push (default: measured faster, see jetstream_intake.hpp) or pull.
  // The kind is fixed when the consumer is created.
  IntakeMode mode = IntakeMode::kPush;
  // Push: where the server delivers; empty = "_PATRON.deliver.<stream>.<durable>".
  std::string deliver_subject;
  // Push: the server's idle heartbeat (flow control is always on).
  std::chrono::milliseconds heartbeat{5'000};
};

// The consumer of an events stream for a subject prefix.
ConsumerSettings EventsConsumerSettings(std::string_view prefix, std::string stream = "PATRON_EVENTS",
                                        std::string durable = "patron");

struct ConsumerReport {
  ConsumerSettings effective;  // as the server has it (deliver_subject filled in for push)
  bool created = false;
  std::vector<std::string> differences;  // as logged, one per setting
  // The consumer's state when read: messages not yet delivered, and
  // delivered but not acknowledged.
  uint64_t pending = 0;
  int64_t ack_pending = 0;
};

// When the durable consumer has messages delivered and not acknowledged (a
// previous process died, or a connection was lost, before its commit),
// makes the server deliver again in stream order from the first one: the
// consumer is created anew, with the settings it had, from its ack floor + 1
// (JetStream would otherwise redeliver those only after ack_wait, behind
// newer messages, and order-dependent rules such as `limit` and `first`
// would see another order than a replay). Messages above the floor that
// were acknowledged come again too: the engine drops them as processed.
// Call it before the intake subscribes, with no subscriber on the consumer.
// Returns the sequence it delivers from, 0 when nothing was pending.
Result<uint64_t> RewindConsumer(NatsConnection& connection, const ConsumerSettings& settings,
                                const StreamOptions& options = {});

// Creates the durable consumer (explicit acks, deliver all) when missing, or
// reads it. Errors as EnsureStream; kNotFound when the stream is missing.
Result<ConsumerReport> EnsureConsumer(NatsConnection& connection, const ConsumerSettings& settings,
                                      const StreamOptions& options = {});

}  // namespace patron
