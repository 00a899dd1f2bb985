#pragma once
// The durable intake: reads the JetStream consumer (`patron` on
// PATRON_EVENTS, made by EnsureConsumer in transport/jetstream_streams.hpp)
// and hands each message to a handler as a patron::InboundMessage whose
// token is DeliveryToken::Sequence(n), n = 1, 2, 3, ... counted by the
// intake. The intake keeps each message until Acknowledge() names its token
// (after the LMDB commit that holds its effects); a message never
// acknowledged is delivered again by the server after ack_wait, with a new
// sequence number. So a message is at least once, and the engine's dedupe
// on (source, id) makes it effectively once.
//
// Poison messages: the delivery numbered max_deliver (the consumer's) comes
// with InboundMessage::refused set, so the engine dead-letters it instead of
// evaluating it again. If that last delivery is never committed either (the
// process died), the server gives up and publishes its max-deliveries
// advisory; the intake turns it into a refused message too, read back from
// the stream by its sequence. Both are needed: the refusal on the last
// delivery is the normal path (the message is in hand and its ack rides on
// the commit), the advisory only covers a last delivery lost with the
// process (at most once: it is core NATS). An advisory for a message this
// intake already refused is ignored.
//
// Modes (the consumer's kind decides, see ConsumerSettings::mode):
// - push (default): the server pushes with flow control and heartbeats; the
//   handler runs on libnats' delivery thread of the subscription.
// - pull: the intake's own thread fetches one message at a time
//   (natsSubscription_Fetch with batch 1: libnats 3.4.1 corrupts its heap
//   with a larger batch when a fetch times out while messages are in flight,
//   nats.c #749; the batching is in the LMDB transaction).
// Measured on loopback (tests/transport/jetstream_bench_test.cpp: a
// pre-filled stream of 200,000 bench-kit events, acked in groups of 1,000,
// 2 shared cores, 2026-12-04): push 179,000 messages/s (200,000 in 1.1 s),
// pull with batch 1 967 messages/s (206.6 s: every message costs one fetch
// round trip of about 1 ms through libnats), so push is the default.
//
// Robustness: a watchdog on the intake's thread reads the consumer's info
// when nothing arrived for `watchdog_idle`; when the server has messages for
// it (pending, or unacknowledged ones this intake does not hold) it
// recreates the subscription, and when the consumer (or its stream) is gone
// it creates them again from the options. With the connection's reconnects
// (forever by default) the intake goes on by itself after a server restart.
//
// Threads: the handler is called one message at a time (a lock serialises
// the push thread and the intake's thread, which delivers advisories); it
// may block (a full queue: back-pressure). Acknowledge, Drain, Stop and the
// accessors may be called from any thread. The connection must outlive the
// intake.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "base/result.hpp"
#include "model/delivery.hpp"
#include "transport/jetstream_streams.hpp"
#include "transport/nats_connection.hpp"

namespace spdlog {
class logger;
}

namespace patron {

// Receives one message (moved in). An exception it throws is caught and
// logged; that message is released unacknowledged (redelivered later).
using JetStreamIntakeHandler = std::function<void(InboundMessage message)>;

struct JetStreamIntakeOptions {
  // The consumer to read (stream, durable). Its mode and max_deliver are the
  // server's, read at Start(); these settings (and `stream`) are used only
  // when the watchdog must create the consumer (or stream) again.
  ConsumerSettings consumer;
  StreamSettings stream;
  // Pull: the wait of one fetch; push: the period of the intake's thread
  // (advisories, watchdog). Also bounds how long Stop() waits for a fetch.
  std::chrono::milliseconds fetch_timeout{100};
  // The watchdog looks when nothing arrived for this long (at most once per
  // period).
  std::chrono::milliseconds watchdog_idle{10'000};
  // Bound of each JetStream API request (consumer info, get message).
  std::chrono::milliseconds api_timeout{5'000};
  // How long Stop() waits for libnats to confirm a push subscription closed.
  std::chrono::milliseconds close_timeout{5'000};
  // Subscribe to the max-deliveries advisory.
  bool max_deliveries_advisory = true;
  // Subscriptions recreated, refusals, fetch errors; nullptr = silent.
  std::shared_ptr<spdlog::logger> logger;
};

// Counters, updated on the intake's threads, read from any.
struct JetStreamIntakeCounters {
  std::atomic<uint64_t> delivered{0};       // messages handed to the handler (the last sequence)
  std::atomic<uint64_t> acknowledged{0};    // acks sent
  std::atomic<uint64_t> refused{0};         // refused on their last delivery
  std::atomic<uint64_t> advisories{0};      // refused from a max-deliveries advisory
  std::atomic<uint64_t> advisories_skipped{0};  // advisories of messages refused here already
  std::atomic<uint64_t> resubscribes{0};    // subscriptions recreated by the watchdog
  std::atomic<uint64_t> fetch_errors{0};    // pull: fetches that failed other than by timeout
  std::atomic<uint64_t> handler_exceptions{0};
};

class JetStreamIntake {
 public:
  // Binds to the existing consumer (kNotFound when it or its stream is
  // missing: call EnsureConsumer first), subscribes and starts delivering.
  // kUnavailable when the connection is closed or the server does not answer.
  static Result<std::unique_ptr<JetStreamIntake>> Start(NatsConnection& connection,
                                                        JetStreamIntakeOptions options,
                                                        JetStreamIntakeHandler handler);
  JetStreamIntake(const JetStreamIntake&) = delete;
  JetStreamIntake& operator=(const JetStreamIntake&) = delete;
  // Stop(); messages still held are freed unacknowledged.
  ~JetStreamIntake();

  // Acks the messages of `tokens` (natsMsg_Ack, no wait per message) and
  // frees them. Tokens that are not the intake's (not sequences, unknown,
  // already acknowledged, or refused messages read from an advisory) are
  // skipped. Cheap to call once per batch with thousands of tokens; any
  // thread, also after Stop() (while the connection is open).
  void Acknowledge(std::span<const DeliveryToken> tokens);

  // Stops fetching (push: drains the subscription), lets the messages
  // already received reach the handler, and waits for that up to `timeout`
  // (then kUnavailable; Stop() or the destructor finishes). Idempotent.
  Status Drain(std::chrono::milliseconds timeout);
  // Stops at once: messages received but not handed over are freed (the
  // server redelivers them); waits for the handler's last return. Idempotent.
  void Stop();

  // The consumer's kind, as found at Start().
  IntakeMode mode() const;
  // The consumer's max_deliver, as found at Start() (-1: unlimited).
  int64_t max_deliver() const;
  // Messages handed over and not yet acknowledged.
  size_t unacknowledged() const;
  const JetStreamIntakeCounters& counters() const;

 private:
  struct Impl;
  explicit JetStreamIntake(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace patron
