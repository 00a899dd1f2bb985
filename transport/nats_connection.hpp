#pragma once
// RAII over libnats (nats.c 3.4.1) core NATS: one connection, publishing,
// flushing, asynchronous subscriptions, drain and close. Every C handle is
// owned by exactly one object and released in its destructor.
//
// Threads: Publish/Flush may be called from any thread (libnats locks).
// Subscription handlers run on libnats' delivery thread and must only hand
// the message to the caller's own thread (a queue), never evaluate.
// Connection events (disconnect, reconnect, slow consumer) are counted and
// logged from libnats' callback thread.
//
// No libnats type appears here: the handles live in each class's State
// (defined in the .cpp); transport/internal/ holds what needs nats.h.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace spdlog {
class logger;
}

namespace patron {

class NatsConnection;
namespace transport_internal {
struct ConnectionAccess;  // transport/internal/connection_access.hpp
}

struct NatsConnectionOptions {
  // Time allowed to establish the TCP connection and NATS handshake.
  std::chrono::milliseconds connect_timeout{2'000};
  // Reconnect attempts per server after the connection is lost; -1 = forever.
  int max_reconnect = -1;
  // Pause between reconnect attempts.
  std::chrono::milliseconds reconnect_wait{250};
  // Bytes of publishes kept while reconnecting; beyond it Publish fails.
  int reconnect_buffer_bytes = 64 << 20;
  // Keep retrying the first connect in the background instead of failing.
  bool retry_on_failed_connect = false;
  // Pending limits of every subscription (libnats' defaults are 65536
  // messages / 64 MiB); beyond them libnats drops messages (slow consumer).
  int pending_messages_limit = 1'000'000;
  int pending_bytes_limit = 1 << 30;
  // How long the destructor / Close() waits for libnats to confirm the close.
  std::chrono::milliseconds close_timeout{5'000};
  // Where connection events are logged; nullptr = silent.
  std::shared_ptr<spdlog::logger> logger;
};

// Counters of connection events, updated on libnats' threads, read from any.
struct NatsCounters {
  std::atomic<uint64_t> disconnects{0};
  std::atomic<uint64_t> reconnects{0};
  // NATS_SLOW_CONSUMER reports (each means messages were dropped; see
  // NatsSubscription::dropped() for the number).
  std::atomic<uint64_t> slow_consumer_events{0};
  // Other asynchronous errors reported by libnats.
  std::atomic<uint64_t> async_errors{0};
  // Exceptions thrown by a subscription handler (caught; the message is lost).
  std::atomic<uint64_t> handler_exceptions{0};
};

// Receives one message: its subject and payload, valid only during the call.
// Runs on libnats' delivery thread.
using NatsMessageHandler = std::function<void(std::string_view subject, std::string_view data)>;

// An asynchronous subscription. Destroying it unsubscribes and waits (up to
// the connection's close_timeout) until its handler has returned for the
// last time, so the handler's captures may be freed right after.
// Drain, Unsubscribe, dropped and pending may be called from any thread,
// also at once (libnats locks; the handle lives until destruction); moving
// and destroying it must not overlap another call.
class NatsSubscription {
 public:
  NatsSubscription(NatsSubscription&&) noexcept;
  NatsSubscription& operator=(NatsSubscription&&) noexcept;
  ~NatsSubscription();

  // Messages libnats dropped because the pending limits were reached. Once
  // the subscription is closed (drained, unsubscribed, or its connection
  // closed) libnats no longer reports it: then the count read when Drain()
  // or Unsubscribe() began (0 if neither ran), so drops during a drain's
  // last round trip may be missing.
  int64_t dropped() const;
  // Messages received but not yet handed to the handler.
  int pending() const;
  // Stops interest, lets the messages already received reach the handler,
  // and waits for that (bounded by `timeout`). kUnavailable on timeout; Ok
  // at once when already closed.
  Status Drain(std::chrono::milliseconds timeout);
  // Stops delivery now (messages not yet delivered are discarded) and waits
  // for the handler to return. Idempotent.
  void Unsubscribe();

 private:
  friend class NatsConnection;
  struct State;
  explicit NatsSubscription(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class NatsConnection {
 public:
  // Connects to `url` ("nats://host:port", comma-separated for several),
  // presenting `name` to the server. kUnavailable with libnats' reason when
  // no server answers (unless options.retry_on_failed_connect).
  static Result<NatsConnection> Connect(std::string_view url, std::string_view name,
                                        NatsConnectionOptions options = {});

  NatsConnection(NatsConnection&&) noexcept;
  NatsConnection& operator=(NatsConnection&&) noexcept;
  // Closes (without draining) and waits for libnats to confirm.
  ~NatsConnection();

  // Queues one message for sending (libnats buffers and a background thread
  // flushes). Fails when the connection is closed or the reconnect buffer
  // is full.
  Status Publish(std::string_view subject, std::string_view data);
  // Sends everything buffered and waits for the server's acknowledgement
  // (PING/PONG). kUnavailable when it does not come within `timeout`.
  Status Flush(std::chrono::milliseconds timeout);

  // Subscribes `handler` to `subject` (wildcards allowed), with the pending
  // limits of the options. The subscription may outlive this object (libnats
  // keeps what it needs alive); it gets no messages once the connection closes.
  Result<NatsSubscription> Subscribe(std::string_view subject, NatsMessageHandler handler);

  // Drains: subscriptions stop taking messages and deliver what they have,
  // then publishes are flushed and the connection closes. Blocks until closed
  // or `timeout` (then kUnavailable, and the connection is closed anyway).
  Status Drain(std::chrono::milliseconds timeout);
  // Closes at once; idempotent. Waits up to options.close_timeout for the
  // close to be confirmed.
  void Close();

  // True while libnats reports the connection as connected (false while
  // reconnecting, draining or closed). Any thread.
  bool IsConnected() const;
  // True once closed (or moved from). Any thread.
  bool IsClosed() const;
  // The event counters; zeros for a moved-from connection. Any thread; the
  // reference lives as long as this object.
  const NatsCounters& counters() const;

 private:
  friend struct transport_internal::ConnectionAccess;
  struct State;
  explicit NatsConnection(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace patron
