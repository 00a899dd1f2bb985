#pragma once
// ActionSink for `webhook "<endpoint>"` actions (language.md): POSTs the
// action's CloudEvents JSON (structured mode, Content-Type
// "application/cloudevents+json; charset=utf-8") to the URL configured for
// the endpoint name. Other kinds and dead letters are ignored: FanoutSink
// hands only webhook actions here, while the primary sinks also get them.
//
// Delivery runs on the sink's own thread (a Boost.Asio io_context and the
// HTTP/1.1 client of transport/http_client.hpp, one request at a time, in
// publish order), so Publish never waits for the network: it appends to a
// bounded queue; when the queue is full the oldest request is dropped,
// counted and logged. Each attempt has a timeout
// covering connect, send and receive; a 2xx answer is success; anything else
// (other status, refused, timeout) is retried with exponential backoff up to
// max_attempts, then counted as failed and logged. An endpoint name missing
// from the configuration is counted and logged, never sent.
//
// Only plain "http://host[:port][/path]" URLs: https is out of scope (put a
// TLS-terminating proxy on the same host if a receiver needs it).
//
// Publish/Flush/stats may be called from any thread; Shutdown/destructor
// from the owner's thread only.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "engine/action_sink.hpp"

namespace spdlog {
class logger;
}

namespace patron {

struct WebhookSinkOptions {
  // Endpoint name -> URL ("http://127.0.0.1:8080/patron"). Checked by Create().
  std::map<std::string, std::string> endpoints;
  // Requests waiting for delivery; when full the oldest is dropped.
  size_t queue_capacity = 10'000;
  // Deadline of one attempt: connect, send the request, read the answer.
  std::chrono::milliseconds request_timeout{5'000};
  // Attempts per action, the first included (1 = no retry).
  int max_attempts = 5;
  // Pause before the first retry; doubled before each further one, capped.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
  // How long Shutdown() keeps delivering what is queued before abandoning it.
  std::chrono::milliseconds shutdown_deadline{5'000};
  // Sent as User-Agent.
  std::string user_agent = "patron";
  // Where dropped, failed and unknown-endpoint requests are logged; nullptr = silent.
  std::shared_ptr<spdlog::logger> logger;
};

// A snapshot of the sink's counters.
struct WebhookStats {
  uint64_t queued = 0;            // accepted by Publish
  uint64_t delivered = 0;         // answered 2xx
  uint64_t retries = 0;           // attempts after a failed one
  uint64_t failed = 0;            // given up after max_attempts
  uint64_t dropped = 0;           // pushed out of a full queue
  uint64_t unknown_endpoint = 0;  // endpoint name not configured
  uint64_t abandoned = 0;         // still queued or in flight when Shutdown's deadline passed
};

class WebhookSink final : public ActionSink {
 public:
  // Validates every URL (kInvalidArgument naming the endpoint for https or a
  // malformed URL) and starts the delivery thread.
  static Result<std::unique_ptr<WebhookSink>> Create(WebhookSinkOptions options);
  // Shutdown().
  ~WebhookSink() override;
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;

  // Queues a webhook action (other kinds are ignored). Never blocks on the
  // network and never fails: trouble is counted and logged.
  Status Publish(const Action& action) override;
  // Ignored (dead letters are not webhooks).
  Status PublishDead(const DeadLetter& dead) override;
  // Returns at once: delivery is asynchronous by design.
  Status Flush() override;

  // Blocks until nothing is queued or in flight; false after `timeout`.
  bool WaitUntilIdle(std::chrono::milliseconds timeout);
  // Stops accepting, keeps delivering the queue for up to
  // options.shutdown_deadline, then abandons the rest (counted) and joins
  // the thread. Idempotent.
  void Shutdown();

  WebhookStats stats() const;

  // The delivery machinery (io_context, thread, queue); defined in the .cpp.
  class Worker;
  explicit WebhookSink(std::unique_ptr<Worker> worker);

 private:
  std::unique_ptr<Worker> worker_;
};

}  // namespace patron
