#include "runtime/batch_loop.hpp"

#include "base/crash_point.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "runtime/engine_report.hpp"
#include "runtime/system_clock.hpp"

namespace patron::runtime {

namespace asio = boost::asio;

BatchLoop::BatchLoop(Engine& engine, const Clock& clock, MessageSource& source, BatchLoopOptions options,
                     RuleSetHolder* rules, std::shared_ptr<const CompiledRules> running,
                     uint64_t running_version)
    : engine_(engine),
      clock_(clock),
      source_(source),
      options_(std::move(options)),
      rules_(rules),
      running_(std::move(running)),
      running_version_(running_version),
      work_(io_.get_executor()),
      due_timer_(io_),
      commit_timer_(io_),
      stats_timer_(io_) {
  if (options_.batch_size < 1) options_.batch_size = 1;
  if (options_.take_chunk < 1) options_.take_chunk = 1;
}

// One Drain() waiting in the io_context is enough for any number of wakeups:
// it is reset before the source is read, so a wakeup after that posts again.
void BatchLoop::Notify() {
  if (!wake_posted_.exchange(true)) asio::post(io_, [this] { Drain(); });
}

Status BatchLoop::Run() {
  source_.SetWakeup([this] { Notify(); });
  if (options_.outbox) options_.outbox->delivery().SetWakeup([this] { Notify(); });
  ArmStats();
  if (options_.fire_by_clock) FireStep();  // what fell due while Patron was down, before any message
  Notify();
  if (!stopped_) io_.run();
  source_.SetWakeup({});  // the source outlives the loop: no call may reach it after this
  if (options_.outbox) options_.outbox->delivery().SetWakeup({});
  return status_;
}

// Records what the outbox's delivery finished; a commit within the batch
// interval makes it durable.
bool BatchLoop::PumpOutbox() {
  if (options_.outbox == nullptr) return true;
  Result<size_t> applied = options_.outbox->Apply(engine_);
  if (!Check(applied.status())) return false;
  if (*applied > 0) {
    marks_uncommitted_ = true;
    ArmCommit();
  }
  return true;
}

void BatchLoop::Drain() {
  wake_posted_.store(false);
  if (stopped_) return;
  if (!PumpOutbox()) return;
  const size_t pending = engine_.pending();
  const size_t room =
      std::min(options_.take_chunk, options_.batch_size > pending ? options_.batch_size - pending : size_t{1});
  size_t n = 0;
  Result<MessageSource::Poll> poll = source_.Take(batch_, room, n);
  if (!Check(poll.status())) return;
  for (size_t i = 0; i < n; ++i) {
    InboundMessage& m = batch_[i];
    if (!m.refused.empty()) {
      engine_.AcceptRefused(m.payload, m.subject, m.token, std::move(m.refused));
      m.refused.clear();
    } else if (!Check(engine_.Accept(m.payload, m.subject, m.token))) {
      return;
    }
    taken_.push_back(m.token);
  }
  if (*poll == MessageSource::Poll::kEnded) {
    Finish();
    return;
  }
  if (engine_.pending() >= options_.batch_size) {
    if (!CommitNow()) return;
  } else if (engine_.pending() > 0) {
    ArmCommit();
  }
  ArmDue();
  // More than one group was ready: go on after whatever else is ready (a
  // timer's expiry).
  if (!stopped_ && *poll == MessageSource::Poll::kReady) Notify();
}

void BatchLoop::FireStep() {
  if (stopped_) return;
  const TimePoint now = clock_.Now();
  Result<bool> unfinished = engine_.FireDue();
  if (!Check(unfinished.status())) return;
  if (!CommitNow()) return;
  broadcasting_ = *unfinished;
  if (broadcasting_) {
    // The next slice after the messages that came meanwhile.
    if (options_.logger && options_.logger->should_log(spdlog::level::debug)) {
      options_.logger->debug("a broadcast goes on after {} queued messages", source_.queued());
    }
    asio::post(io_, [this] {
      Drain();
      FireStep();
    });
    return;
  }
  ArmDue(now);
}

// `fired_up_to`: the clock's time just before a FireDue(); a timer due by
// then should have fired.
void BatchLoop::ArmDue(std::optional<TimePoint> fired_up_to) {
  if (!options_.fire_by_clock || stopped_ || broadcasting_) return;
  Result<std::optional<TimePoint>> next = engine_.NextDue();
  if (!Check(next.status())) return;
  if (!next->has_value()) {
    armed_due_.reset();
    ++due_generation_;
    due_timer_.cancel();
    return;
  }
  TimePoint due = **next;
  if (armed_due_ == due) return;
  armed_due_ = due;
  if (fired_up_to && due <= *fired_up_to) {
    if (options_.logger) {
      options_.logger->warn("a timer due at {} did not fire; trying again in {} ms", FormatRfc3339Utc(due),
                            options_.refire_pause.count());
    }
    due = clock_.Now() + std::chrono::duration_cast<std::chrono::microseconds>(options_.refire_pause).count();
  }
  const Duration delay = std::max<Duration>(options_.fire_delay, 0);
  due_timer_.expires_at(ToSystemTime(due > INT64_MAX - delay ? INT64_MAX : due + delay));
  due_timer_.async_wait([this, generation = ++due_generation_](const boost::system::error_code& ec) {
    if (ec || generation != due_generation_) return;
    armed_due_.reset();
    FireStep();
  });
}

void BatchLoop::ArmCommit() {
  if (commit_armed_ || options_.batch_interval.count() <= 0) return;
  commit_armed_ = true;
  commit_timer_.expires_after(options_.batch_interval);
  commit_timer_.async_wait([this, generation = ++commit_generation_](const boost::system::error_code& ec) {
    if (ec || generation != commit_generation_ || stopped_) return;
    commit_armed_ = false;
    if ((engine_.pending() > 0 || marks_uncommitted_) && CommitNow()) ArmDue();
  });
}

void BatchLoop::ArmStats() {
  if (options_.stats_interval.count() <= 0 || !options_.logger) return;
  stats_timer_.expires_after(options_.stats_interval);
  stats_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    const EngineStats& stats = engine_.stats();
    options_.logger->info("running: {}, {}, {} queued", EventCounts(stats), TimerCounts(stats), source_.queued());
    ArmStats();
  });
}

bool BatchLoop::CommitNow() {
  const size_t n = engine_.pending();
  if (!Check(engine_.Commit())) return false;
  PATRON_CRASH_POINT("after-commit-before-ack");
  marks_uncommitted_ = false;
  if (!taken_.empty()) {
    source_.Acknowledge(taken_);  // only now: their effects are durable
    taken_.clear();
  }
  if (commit_armed_) {
    commit_armed_ = false;
    ++commit_generation_;
    commit_timer_.cancel();
  }
  if (n > 0 && options_.logger && options_.logger->should_log(spdlog::level::debug)) {
    options_.logger->debug("committed a batch of {} messages", n);
  }
  SwapIfNewer();
  return true;
}

// Between batches only: the engine has nothing pending right after a commit.
void BatchLoop::SwapIfNewer() {
  if (rules_ == nullptr || rules_->version() == running_version_) return;
  uint64_t version = 0;
  std::shared_ptr<const CompiledRules> next = rules_->Current(&version);
  if (Status swapped = engine_.SwapRules(*next); !swapped.ok()) {
    if (options_.logger) options_.logger->warn("rule set {} not swapped in: {}", version, swapped.message());
    return;
  }
  running_ = std::move(next);
  running_version_ = version;
  ++swaps_;
  if (options_.logger) options_.logger->info("rule set {} swapped in between batches", version);
}

// The engine or the source failed: the engine must not be used again. The
// source closes so that a delivery thread blocked on it returns.
bool BatchLoop::Check(Status status) {
  if (status.ok()) return true;
  status_ = std::move(status);
  source_.Close();
  stopped_ = true;
  io_.stop();
  return false;
}

void BatchLoop::Finish() {
  if (!CommitNow()) return;
  stopped_ = true;
  io_.stop();
}

}  // namespace patron::runtime
