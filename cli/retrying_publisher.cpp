#include "cli/retrying_publisher.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "transport/jetstream_publisher.hpp"

namespace patron::cli {
namespace {

using Clock = std::chrono::steady_clock;

// How long one round of Service waits for an outcome when there is nothing
// else to do (also the granularity of the retry timers).
constexpr std::chrono::milliseconds kServiceWait{50};

struct Entry {
  std::string subject, payload, msg_id;
  bool failed = false;                // has failed at least once
  Clock::time_point first_failure{};  // when it first failed (for retry_for)
  std::chrono::milliseconds backoff{0};
  Clock::time_point next_try{};
};

}  // namespace

struct RetryingPublisher::State {
  RetryingPublishOptions options;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<uint64_t, Status>> outcomes;  // from libnats' thread, under mu

  // The caller thread's own, no lock.
  std::unordered_map<uint64_t, Entry> in_flight;  // publish tag -> message
  std::vector<Entry> waiting;                     // failed, to send again at next_try
  uint64_t next_tag = 1;
  uint64_t acknowledged = 0;
  RetryingPublishCounts counts;
  std::string last_failure;
  std::unique_ptr<JetStreamPublisher> publisher;  // last: destroyed first, with its callbacks

  size_t outstanding() const { return in_flight.size() + waiting.size(); }

  void OnDone(uint64_t tag, Status status) {
    {
      std::lock_guard<std::mutex> lock(mu);
      outcomes.emplace_back(tag, std::move(status));
    }
    cv.notify_one();
  }

  void Send(Entry e) {
    const uint64_t tag = next_tag++;
    Status s = publisher->Publish(e.subject, e.payload, e.msg_id, tag);
    if (s.ok()) {
      in_flight.emplace(tag, std::move(e));
      return;
    }
    Failed(std::move(e), s);
  }

  void Failed(Entry e, const Status& s) {
    if (s.code() == StatusCode::kInvalidArgument) {  // never storable: counted, not retried
      ++counts.refused;
      last_failure = s.message();
      return;
    }
    const auto now = Clock::now();
    if (!e.failed) {
      e.failed = true;
      e.first_failure = now;
      e.backoff = options.retry_initial;
    } else {
      e.backoff = std::min(e.backoff * 2, options.retry_max);
    }
    e.next_try = now + e.backoff;
    last_failure = s.message();
    waiting.push_back(std::move(e));
  }

  // Takes the outcomes that came back (waiting up to `wait` for one when
  // none is there), then sends the retries that are due. kUnavailable when
  // a message has failed for longer than retry_for.
  Status Service(std::chrono::milliseconds wait) {
    std::vector<std::pair<uint64_t, Status>> got;
    {
      std::unique_lock<std::mutex> lock(mu);
      if (outcomes.empty() && wait.count() > 0) cv.wait_for(lock, wait, [&] { return !outcomes.empty(); });
      got.swap(outcomes);
    }
    for (auto& [tag, status] : got) {
      auto it = in_flight.find(tag);
      if (it == in_flight.end()) continue;
      Entry e = std::move(it->second);
      in_flight.erase(it);
      if (status.ok())
        ++acknowledged;
      else
        Failed(std::move(e), status);
    }
    if (waiting.empty()) return Status::Ok();
    const auto now = Clock::now();
    auto due = std::partition(waiting.begin(), waiting.end(), [&](const Entry& e) { return e.next_try > now; });
    std::vector<Entry> resend(std::make_move_iterator(due), std::make_move_iterator(waiting.end()));
    waiting.erase(due, waiting.end());
    for (Entry& e : resend) {
      if (options.retry_for.count() >= 0 && now - e.first_failure > options.retry_for) {
        return Status::Unavailable("a message was not stored within the retry bound: " + last_failure);
      }
      ++counts.retries;
      Send(std::move(e));
    }
    return Status::Ok();
  }
};

Result<std::unique_ptr<RetryingPublisher>> RetryingPublisher::Create(NatsConnection& connection,
                                                                     RetryingPublishOptions options) {
  auto state = std::make_unique<State>();
  state->options = options;
  JetStreamPublisherOptions js;
  js.max_pending = static_cast<int64_t>(options.max_in_flight) + 1;
  js.ack_timeout = options.ack_timeout;
  State* raw = state.get();
  auto publisher = JetStreamPublisher::Create(connection, js, [raw](uint64_t tag, Status s) {
    raw->OnDone(tag, std::move(s));
  });
  if (!publisher.ok()) return publisher.status();
  state->publisher = std::move(*publisher);
  return std::unique_ptr<RetryingPublisher>(new RetryingPublisher(std::move(state)));
}

RetryingPublisher::RetryingPublisher(std::unique_ptr<State> state) : state_(std::move(state)) {}

RetryingPublisher::~RetryingPublisher() {
  if (state_) state_->publisher.reset();  // no callback after this
}

Status RetryingPublisher::Add(std::string subject, std::string payload, std::string msg_id) {
  State& s = *state_;
  while (s.outstanding() >= s.options.max_in_flight) PATRON_RETURN_IF_ERROR(s.Service(kServiceWait));
  PATRON_RETURN_IF_ERROR(s.Service(std::chrono::milliseconds(0)));
  Entry e;
  e.subject = std::move(subject);
  e.payload = std::move(payload);
  e.msg_id = std::move(msg_id);
  s.Send(std::move(e));
  return Status::Ok();
}

Result<RetryingPublishCounts> RetryingPublisher::Finish() {
  State& s = *state_;
  while (s.outstanding() > 0) PATRON_RETURN_IF_ERROR(s.Service(kServiceWait));
  RetryingPublishCounts counts = s.counts;
  counts.duplicates = std::min<uint64_t>(s.publisher->duplicates(), s.acknowledged);
  counts.stored = s.acknowledged - counts.duplicates;
  return counts;
}

}  // namespace patron::cli
