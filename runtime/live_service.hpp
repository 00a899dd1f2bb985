#pragma once
// `patron run`: one partition served from NATS (events.md "The command-line
// contract"). Events come in on <prefix>.events.>, actions go out on
// <prefix>.actions.<kind>.<store> (and webhook actions are also POSTed to
// their endpoint), rejected messages on <prefix>.dead. The NATS delivery
// thread only queues messages; the calling thread runs the partition's
// accept/commit loop, fires timers by the wall clock, and commits each
// batch to LMDB before any of its actions leave (STYLE.md §8, decision 10).
//
// Stop() shuts down in this order: stop intake (drain the subscription, so
// what was received reaches the queue), close the queue; Run() then
// finishes the queue, commits, delivers the queued webhooks (bounded),
// drains and closes NATS, and returns. Core NATS is at most once: a message
// published while Patron is down is lost (JetStream is the reliability
// issue's).

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "base/time.hpp"
#include "engine/engine.hpp"
#include "runtime/rule_set_holder.hpp"
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
