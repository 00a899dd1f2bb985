#pragma once
// `patron run`: one partition served from NATS (events.md "The command-line
// contract"), effectively once end to end on JetStream: an event is acked
// only after the LMDB transaction holding its effects (state, timers, its
// outbox rows, its processed id) committed; every action and dead letter
// is an outbox row in that transaction, published by the outbox's delivery
// (its own thread) with its id as Nats-Msg-Id and marked sent once the
// stream acknowledged it; at start the rows left unsent are sent before
// intake begins. Events come in on <prefix>.events.>, actions go out on
// <prefix>.actions.<kind>.<store> (and webhook actions are also POSTed to
// their endpoint), rejected messages on <prefix>.dead. The NATS delivery
// thread only queues messages; the calling thread runs the partition's
// accept/commit loop, fires timers by the wall clock, and commits each
// batch to LMDB before any of its actions leave (STYLE.md §8, decision 10).
//
//
// Stop() shuts down in this order: stop intake (drain the subscription, so
// what was received reaches the queue), close the queue; Run() then
// finishes the queue, commits (and acks), waits (bounded) for the outbox's
// last rows to be delivered, drains and closes NATS, and returns; rows not
// delivered by then are sent at the next start. With `--core` intake is at
// most once: a message published while Patron is down is lost.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "base/time.hpp"
#include "engine/engine.hpp"
#include "runtime/rule_set_holder.hpp"
#include "transport/jetstream_streams.hpp"
#include "transport/nats_connection.hpp"
#include "stores/lmdb_state_store.hpp"

namespace spdlog {
class logger;
}

namespace patron::runtime {

struct LiveServiceOptions {
  std::string nats_url = "nats://127.0.0.1:4222";
  // Authentication, TLS, connect retries and reconnects (its logger, when
  // unset, is `logger` below).
  NatsConnectionOptions nats;
  std::string subject_prefix = "patron";
  std::string data_dir;  // required; created when missing
  // The state store's options (processed-id retention and its minimum, the
  // JetStream duplicate window, among them).
  LmdbStoreOptions store;
  // Webhook endpoint name -> "http://..." URL.
  std::map<std::string, std::string> webhooks;
  bool mask_staff_phones = true;
  // What the engine accepts at the door (engine/intake_limits.hpp).
  IntakeLimits limits;
  size_t batch_size = 4096;
  std::chrono::milliseconds batch_interval{10};
  // Timers fire this long after they fall due, for late events
  // (runtime/live_clock.hpp).
  Duration late_grace = 5 * kMicrosPerSecond;
  // Messages waiting for the engine before the delivery thread blocks.
  size_t queue_capacity = 65'536;
  // How long shutdown waits for messages already received to be handed over.
  std::chrono::milliseconds drain_timeout{30'000};
  // How long shutdown waits for the server to take the last actions.
  std::chrono::milliseconds close_timeout{10'000};
  // Where the service logs; required.
  std::shared_ptr<spdlog::logger> logger;

  // JetStream (the default): events from the durable consumer, acked after
  // the commit that holds their effects; actions published to the actions
  // stream with acknowledgements. False (`--core`): core NATS, at most once
  // in (a message published while Patron is down is lost); the outbox still
  // holds each action until the server has it.
  bool jetstream = true;
  StreamSettings events_stream = EventsStreamSettings("patron");
  StreamSettings actions_stream = ActionsStreamSettings("patron");
  ConsumerSettings consumer = EventsConsumerSettings("patron");
  // Sent outbox rows are kept this long, for a republish.
  Duration outbox_tombstone_ttl = 10 * kMicrosPerMinute;
  // At start, rows sent at or after this time are sent again (with their
  // ids; `--republish-since`); INT64_MAX: none.
  TimePoint republish_since = INT64_MAX;
  // Webhook requests at once per endpoint, attempts per action, the time
  // one request may take, and the back-off between attempts (doubled each
  // time up to the maximum); actions/outbox_delivery.hpp.
  size_t webhook_concurrency = 8;
  int webhook_max_attempts = 5;
  std::chrono::milliseconds webhook_timeout{5'000};
  std::chrono::milliseconds webhook_initial_backoff{200};
  std::chrono::milliseconds webhook_max_backoff{10'000};
};

class LiveService {
 public:
  // Opens the state, connects to NATS, creates the sinks and subscribes.
  // Waits for the server as options.nats says, then kUnavailable naming the
  // URL (credentials as ***) when none answered; the store's and
  // sinks' errors otherwise. `rules` must outlive the service.
  static Result<std::unique_ptr<LiveService>> Start(RuleSetHolder& rules, LiveServiceOptions options);
  ~LiveService();
  LiveService(const LiveService&) = delete;
  LiveService& operator=(const LiveService&) = delete;

  // Serves on the calling thread until Stop() (Ok, everything received
  // committed and published) or until the engine fails (that Status: intake
  // stops at once, nothing uncommitted was published). Call once.
  Status Run();
  // Stops intake and lets Run() finish. Any thread (a signal watcher);
  // blocks while the subscription drains; idempotent.
  void Stop();

  // Counters; read after Run() returned, or on Run()'s thread.
  const EngineStats& stats() const;

  struct Parts;  // the connection, sinks, queue and partition; in the .cpp
  explicit LiveService(std::unique_ptr<Parts> parts);

 private:
  std::unique_ptr<Parts> parts_;
};

}  // namespace patron::runtime
