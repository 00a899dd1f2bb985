#include "actions/outbox_delivery.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "actions/outbox_row.hpp"
#include "base/crash_point.hpp"
#include "transport/http_client.hpp"

namespace patron {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kContentType = "application/cloudevents+json; charset=utf-8";

std::chrono::milliseconds Doubled(std::chrono::milliseconds d, std::chrono::milliseconds max) {
  return std::min(d * 2, max);
}

}  // namespace

struct OutboxDelivery::Worker {
  struct Row {
    OutboxMessage message;
    std::chrono::milliseconds backoff{0};
    int attempts = 0;
  };
  struct Endpoint {
    HttpTarget target;
    size_t active = 0;
    std::deque<uint64_t> waiting;
  };

  explicit Worker(NatsConnection& connection, OutboxDeliveryOptions o)
      : options(std::move(o)),
        connection(connection),
        http(io, HttpClientOptions{options.webhook_timeout, "patron", 1 << 20}) {
    options.webhook_concurrency = std::max<size_t>(1, options.webhook_concurrency);
    options.webhook_max_attempts = std::max(1, options.webhook_max_attempts);
  }

  // ---- any thread
  void Complete(OutboxCompletion c) {
    std::function<void()> wake;
    {
      std::lock_guard<std::mutex> lock(mu);
      completed.push_back(std::move(c));
      --outstanding;
      cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(wake_mu);
    if (wakeup) wakeup();
  }

  // ---- the io thread, below
  void Take(uint64_t seq, std::string bytes) {
    Row row;
    if (!DecodeOutboxRow(bytes, row.message)) {
      Complete(OutboxCompletion{seq, false, "not an outbox row (" + std::to_string(bytes.size()) + " bytes)", {}, {}});
      return;
    }
    row.backoff = row.message.target == OutboxTarget::kWebhook ? options.webhook_initial_backoff
                                                                : options.nats_retry_initial;
    const OutboxTarget target = row.message.target;
    const std::string endpoint = row.message.address;
    rows[seq] = std::move(row);
    PATRON_CRASH_POINT("after-ack-before-publish");
    if (target == OutboxTarget::kNats) {
      SendNats(seq);
    } else {
      auto it = endpoints.find(endpoint);
      if (it == endpoints.end()) {
        GiveUp(seq, "webhook endpoint '" + endpoint + "' is not configured");
        return;
      }
      it->second.waiting.push_back(seq);
      StartWebhooks(it->second);
    }
  }

  void GiveUp(uint64_t seq, std::string reason) {
    auto it = rows.find(seq);
    if (it == rows.end()) return;
    OutboxCompletion c{seq, false, std::move(reason), std::move(it->second.message.address),
                       std::move(it->second.message.payload)};
    rows.erase(it);
    if (options.logger) options.logger->error("outbox row {}: giving up: {}", seq, c.reason);
    Complete(std::move(c));
  }

  void Delivered(uint64_t seq) {
    if (rows.erase(seq) == 0) return;
    Complete(OutboxCompletion{seq, true, {}, {}, {}});
  }

  // Retries `seq` after its back-off.
  void RetryLater(uint64_t seq, const Status& why, bool webhook) {
    auto it = rows.find(seq);
    if (it == rows.end()) return;
    Row& row = it->second;
    ++row.attempts;
    if (options.logger && (row.attempts == 1 || row.attempts % 10 == 0)) {
      options.logger->warn("outbox row {} (to {}): attempt {} failed: {}; retrying in {} ms", seq,
                           row.message.address, row.attempts, why.message(), row.backoff.count());
    }
    auto timer = std::make_shared<asio::steady_timer>(io, row.backoff);
    row.backoff = Doubled(row.backoff, webhook ? options.webhook_max_backoff : options.nats_retry_max);
    timer->async_wait([this, seq, timer](const boost::system::error_code& ec) {
      if (ec || stopping) return;
      SendNats(seq);
    });
  }

  void SendNats(uint64_t seq) {
    auto it = rows.find(seq);
    if (it == rows.end() || stopping) return;
    const OutboxMessage& m = it->second.message;
    if (!options.jetstream) {
      Status published = connection.Publish(m.address, m.payload);
      if (!published.ok()) {
        RetryLater(seq, published, false);
        return;
      }
      core_unflushed.push_back(seq);
      ScheduleCoreFlush();
      return;
    }
    Status published = publisher->Publish(m.address, m.payload, m.id, seq);
    if (published.code() == StatusCode::kInvalidArgument) {
      GiveUp(seq, "the server refuses it: " + published.message());
    } else if (!published.ok()) {
      RetryLater(seq, published, false);
    }
  }

  // libnats' thread: the stream's answer for `seq`.
  void OnPublished(uint64_t seq, Status status) {
    asio::post(io, [this, seq, status = std::move(status)] {
      if (status.ok()) {
        Delivered(seq);
      } else if (status.code() == StatusCode::kInvalidArgument) {
        GiveUp(seq, "the stream refuses it: " + status.message());
      } else {
        RetryLater(seq, status, false);
      }
    });
  }

  // Core NATS: what was published is delivered once a flush confirms it.
  void ScheduleCoreFlush() {
    if (core_flush_posted) return;
    core_flush_posted = true;
    asio::post(io, [this] {
      core_flush_posted = false;
      std::vector<uint64_t> seqs;
      seqs.swap(core_unflushed);
      Status flushed = connection.Flush(options.publish.ack_timeout);
      for (uint64_t seq : seqs) {
        if (flushed.ok()) {
          Delivered(seq);
        } else {
          RetryLater(seq, flushed, false);
        }
      }
    });
  }

  void StartWebhooks(Endpoint& endpoint) {
    while (!stopping && endpoint.active < options.webhook_concurrency && !endpoint.waiting.empty()) {
      uint64_t seq = endpoint.waiting.front();
      endpoint.waiting.pop_front();
      ++endpoint.active;
      asio::co_spawn(io, PostWebhook(endpoint, seq), asio::detached);
    }
  }

  asio::awaitable<void> PostWebhook(Endpoint& endpoint, uint64_t seq) {
    for (;;) {
      auto it = rows.find(seq);
      if (it == rows.end() || stopping) break;
      // Copies: the row may go while the request is in flight (shutdown).
      const std::string id = it->second.message.id;
      const std::string body = it->second.message.payload;
      const Result<unsigned> answer = co_await http.Post(endpoint.target, kContentType, body, id);
      it = rows.find(seq);
      if (it == rows.end()) break;
      if (answer.ok() && *answer >= 200 && *answer < 300) {
        Delivered(seq);
        break;
      }
      Row& row = it->second;
      const std::string error = answer.ok() ? "HTTP " + std::to_string(*answer) : answer.status().message();
      if (++row.attempts >= options.webhook_max_attempts) {
        GiveUp(seq, "webhook '" + row.message.address + "' failed after " + std::to_string(row.attempts) +
                        " attempts: " + error);
        break;
      }
      if (options.logger) {
        options.logger->debug("webhook '{}' attempt {} for action {}: {}; retrying in {} ms", row.message.address,
                              row.attempts, id, error, row.backoff.count());
      }
      asio::steady_timer pause(io, row.backoff);
      row.backoff = Doubled(row.backoff, options.webhook_max_backoff);
      boost::system::error_code ec;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    --endpoint.active;
    StartWebhooks(endpoint);
  }

  OutboxDeliveryOptions options;
  NatsConnection& connection;
  asio::io_context io;  // before everything that uses it
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  const HttpClient http;
  std::unique_ptr<JetStreamPublisher> publisher;
  std::map<std::string, Endpoint, std::less<>> endpoints;
  std::unordered_map<uint64_t, Row> rows;  // io thread only
  std::vector<uint64_t> core_unflushed;     // io thread only
  bool core_flush_posted = false;
  std::atomic<bool> stopping{false};
  std::thread thread;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<OutboxCompletion> completed;
  size_t outstanding = 0;
  bool accepting = true;

  std::mutex wake_mu;
  std::function<void()> wakeup;
};

Result<std::unique_ptr<OutboxDelivery>> OutboxDelivery::Start(NatsConnection& connection,
                                                              OutboxDeliveryOptions options) {
  auto worker = std::make_unique<Worker>(connection, std::move(options));
  Worker& w = *worker;
  for (const auto& [name, url] : w.options.webhooks) {
    auto target = ParseHttpUrl(url);
    if (!target.ok()) return Status::Invalid("webhook '" + name + "' (" + url + "): " + target.status().message());
    w.endpoints[name].target = std::move(target.value());
  }
  if (w.options.jetstream) {
    auto publisher = JetStreamPublisher::Create(connection, w.options.publish,
                                                [&w](uint64_t seq, Status status) { w.OnPublished(seq, std::move(status)); });
    if (!publisher.ok()) return publisher.status();
    w.publisher = std::move(publisher.value());
  }
  w.thread = std::thread([&w] { w.io.run(); });
  return std::unique_ptr<OutboxDelivery>(new OutboxDelivery(std::move(worker)));
}

OutboxDelivery::OutboxDelivery(std::unique_ptr<Worker> worker) : worker_(std::move(worker)) {}

OutboxDelivery::~OutboxDelivery() { (void)Shutdown(std::chrono::milliseconds(0)); }

void OutboxDelivery::Submit(std::vector<OutboxRow>& rows) {
  Worker& w = *worker_;
  {
    std::lock_guard<std::mutex> lock(w.mu);
    if (!w.accepting) return;
    w.outstanding += rows.size();
  }
  std::vector<std::pair<uint64_t, std::string>> taken;
  taken.reserve(rows.size());
  for (OutboxRow& row : rows) taken.emplace_back(row.seq, std::move(row.bytes));
  asio::post(w.io, [&w, taken = std::move(taken)]() mutable {
    for (auto& [seq, bytes] : taken) w.Take(seq, std::move(bytes));
  });
}

void OutboxDelivery::SetWakeup(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(worker_->wake_mu);
  worker_->wakeup = std::move(wake);
}

void OutboxDelivery::TakeCompleted(std::vector<OutboxCompletion>& out) {
  out.clear();
  std::lock_guard<std::mutex> lock(worker_->mu);
  out.swap(worker_->completed);
}

size_t OutboxDelivery::outstanding() const {
  std::lock_guard<std::mutex> lock(worker_->mu);
  return worker_->outstanding;
}

Status OutboxDelivery::Shutdown(std::chrono::milliseconds deadline) {
  Worker& w = *worker_;
  size_t left;
  {
    std::unique_lock<std::mutex> lock(w.mu);
    w.accepting = false;
    w.cv.wait_for(lock, deadline, [&] { return w.outstanding == 0; });
    left = w.outstanding;
  }
  if (w.thread.joinable()) {
    w.stopping = true;
    w.io.stop();
    w.thread.join();
  }
  w.publisher.reset();  // its outcomes still to come are dropped
  if (left == 0) return Status::Ok();
  return Status::Unavailable(std::to_string(left) + " outbox rows not delivered yet (sent again at the next start)");
}

}  // namespace patron
