#include "actions/webhook_sink.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "actions/action_json.hpp"
#include "transport/http_client.hpp"

namespace patron {

namespace asio = boost::asio;

// Types of the Worker's members (not in an anonymous namespace: the Worker
// has external linkage).
namespace webhook_internal {

constexpr std::string_view kContentType = "application/cloudevents+json; charset=utf-8";

struct Request {
  const HttpTarget* target = nullptr;  // owned by the worker's endpoint map
  std::string endpoint;
  std::string rule;
  std::string action_id;
  std::string body;
};

}  // namespace webhook_internal

using webhook_internal::Request;

class WebhookSink::Worker {
 public:
  Worker(WebhookSinkOptions options, std::map<std::string, HttpTarget, std::less<>> targets)
      : options_(std::move(options)),
        targets_(std::move(targets)),
        client_(io_, HttpClientOptions{options_.request_timeout, options_.user_agent}) {
    options_.queue_capacity = std::max<size_t>(1, options_.queue_capacity);
    options_.max_attempts = std::max(1, options_.max_attempts);
  }

  ~Worker() { Shutdown(); }

  void Start() {
    asio::co_spawn(io_, Run(), [this](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        if (options_.logger) options_.logger->error("webhook delivery stopped: {}", ex.what());
      }
    });
    thread_ = std::thread([this] {
      io_.run();
      std::lock_guard<std::mutex> lock(mu_);
      finished_ = true;
      cv_.notify_all();
    });
  }

  void Enqueue(const Action& action) {
    auto it = targets_.find(action.endpoint);
    if (it == targets_.end()) {
      unknown_endpoint_.fetch_add(1, std::memory_order_relaxed);
      if (options_.logger) {
        options_.logger->warn("webhook endpoint '{}' of rule '{}' is not configured; action {} not sent",
                              action.endpoint, action.rule, action.id);
      }
      return;
    }
    Request request;
    request.target = &it->second;
    request.endpoint = action.endpoint;
    request.rule = action.rule;
    request.action_id = action.id;
    AppendActionJson(request.body, action);

    std::optional<Request> pushed_out;
    bool refused = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!accepting_) {
        refused = true;
      } else {
        if (queue_.size() >= options_.queue_capacity) {
          pushed_out = std::move(queue_.front());
          queue_.pop_front();
        }
        queue_.push_back(std::move(request));
      }
    }
    if (refused) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      if (options_.logger) options_.logger->warn("webhook sink is shut down; action {} not sent", action.id);
      return;
    }
    queued_.fetch_add(1, std::memory_order_relaxed);
    if (pushed_out) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      if (options_.logger) {
        options_.logger->warn("webhook queue full ({}): dropped action {} of rule '{}' for '{}'",
                              options_.queue_capacity, pushed_out->action_id, pushed_out->rule,
                              pushed_out->endpoint);
      }
    }
    Wake();
  }

  bool WaitUntilIdle(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return finished_ || (queue_.empty() && !in_flight_); });
  }

  void Shutdown() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shut_down_) return;
      shut_down_ = true;
      accepting_ = false;
      stopping_ = true;
    }
    Wake();
    bool finished;
    {
      std::unique_lock<std::mutex> lock(mu_);
      finished = cv_.wait_for(lock, options_.shutdown_deadline, [&] { return finished_; });
    }
    // Past the deadline: stop the loop where it stands (pending requests are
    // abandoned; their coroutines are destroyed with the io_context).
    if (!finished) io_.stop();
    if (thread_.joinable()) thread_.join();
    uint64_t left = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      left = queue_.size() + (in_flight_ ? 1 : 0);
      queue_.clear();
      in_flight_ = false;
      finished_ = true;
      cv_.notify_all();
    }
    if (left > 0) {
      abandoned_.fetch_add(left, std::memory_order_relaxed);
      if (options_.logger)
        options_.logger->warn("webhook shutdown deadline passed: {} actions not sent", left);
    }
  }

  WebhookStats Stats() const {
    WebhookStats s;
    s.queued = queued_.load(std::memory_order_relaxed);
    s.delivered = delivered_.load(std::memory_order_relaxed);
    s.retries = retries_.load(std::memory_order_relaxed);
    s.failed = failed_.load(std::memory_order_relaxed);
    s.dropped = dropped_.load(std::memory_order_relaxed);
    s.unknown_endpoint = unknown_endpoint_.load(std::memory_order_relaxed);
    s.abandoned = abandoned_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  // Interrupts the idle wait of Run(); the cancel runs on the io thread, so
  // it cannot slip between Run()'s queue check and its wait.
  void Wake() {
    asio::post(io_, [this] { wake_.cancel(); });
  }

  asio::awaitable<void> Run() {
    for (;;) {
      std::optional<Request> next;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!queue_.empty()) {
          next = std::move(queue_.front());
          queue_.pop_front();
          in_flight_ = true;
        } else if (stopping_) {
          co_return;
        }
      }
      if (!next) {
        boost::system::error_code ec;
        wake_.expires_at(asio::steady_timer::time_point::max());
        co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      co_await Deliver(*next);
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_ = false;
      cv_.notify_all();
    }
  }

  asio::awaitable<void> Deliver(const Request& request) {
    std::chrono::milliseconds backoff = options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      const Result<unsigned> answer =
          co_await client_.Post(*request.target, webhook_internal::kContentType, request.body);
      if (answer.ok() && *answer >= 200 && *answer < 300) {
        delivered_.fetch_add(1, std::memory_order_relaxed);
        co_return;
      }
      const std::string error = answer.ok() ? "HTTP " + std::to_string(*answer) : answer.status().message();
      if (attempt >= options_.max_attempts) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        if (options_.logger) {
          options_.logger->error("webhook '{}' failed for action {} of rule '{}' after {} attempts: {}",
                                 request.endpoint, request.action_id, request.rule, attempt, error);
        }
        co_return;
      }
      if (options_.logger) {
        options_.logger->debug("webhook '{}' attempt {} for action {}: {}; retrying in {} ms",
                               request.endpoint, attempt, request.action_id, error, backoff.count());
      }
      retries_.fetch_add(1, std::memory_order_relaxed);
      asio::steady_timer pause(io_);
      pause.expires_after(backoff);
      boost::system::error_code ec;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }

  WebhookSinkOptions options_;
  const std::map<std::string, HttpTarget, std::less<>> targets_;
  // Declared before everything that uses it, so it is destroyed last.
  asio::io_context io_;
  const HttpClient client_;
  asio::steady_timer wake_{io_};
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable cv_;  // idle and finished changes
  std::deque<Request> queue_;
  bool in_flight_ = false;
  bool accepting_ = true;
  bool stopping_ = false;
  bool finished_ = false;
  bool shut_down_ = false;

  std::atomic<uint64_t> queued_{0};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> unknown_endpoint_{0};
  std::atomic<uint64_t> abandoned_{0};
};

Result<std::unique_ptr<WebhookSink>> WebhookSink::Create(WebhookSinkOptions options) {
  std::map<std::string, HttpTarget, std::less<>> targets;
  for (const auto& [name, url] : options.endpoints) {
    auto parsed = ParseHttpUrl(url);
    if (!parsed.ok()) {
      return Status::Invalid("webhook endpoint '" + name + "' URL '" + url +
                             "': " + parsed.status().message());
    }
    targets.emplace(name, std::move(parsed).value());
  }
  auto worker = std::make_unique<Worker>(std::move(options), std::move(targets));
  worker->Start();
  return std::make_unique<WebhookSink>(std::move(worker));
}

WebhookSink::WebhookSink(std::unique_ptr<Worker> worker) : worker_(std::move(worker)) {}

WebhookSink::~WebhookSink() { Shutdown(); }

Status WebhookSink::Publish(const Action& action) {
  if (action.kind == ActionKind::kWebhook) worker_->Enqueue(action);
  return Status::Ok();
}

Status WebhookSink::PublishDead(const DeadLetter&) { return Status::Ok(); }

Status WebhookSink::Flush() { return Status::Ok(); }

bool WebhookSink::WaitUntilIdle(std::chrono::milliseconds timeout) { return worker_->WaitUntilIdle(timeout); }

void WebhookSink::Shutdown() { worker_->Shutdown(); }

WebhookStats WebhookSink::stats() const { return worker_->Stats(); }

}  // namespace patron
