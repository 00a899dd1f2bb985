#include "cli/engine_loop.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "cli/command_line.hpp"
#include "cli/engine_report.hpp"
#include "cli/system_clock.hpp"

namespace patron::cli {

namespace asio = boost::asio;

std::string TimerCounts(const EngineStats& stats) {
  return Plural(stats.timers_armed, "timer", "timers") + " armed, " + std::to_string(stats.timers_fired) +
         " fired";
}

EngineLoop::EngineLoop(Engine& engine, const Clock& clock, EngineLoopOptions options)
    : engine_(engine),
      clock_(clock),
      options_(std::move(options)),
      queue_(options_.queue_capacity),
      work_(io_.get_executor()),
      due_timer_(io_),
      commit_timer_(io_),
      stats_timer_(io_) {
  if (options_.batch_size < 1) options_.batch_size = 1;
}

bool EngineLoop::Push(InboundMessage message) {
  if (!queue_.Push(std::move(message))) return false;
  Notify();
  return true;
}

void EngineLoop::CloseIntake() {
  closing_.store(true);
  queue_.Close();
  Notify();
}

// One Drain() waiting in the io_context is enough for any number of pushes:
// it is reset before the queue is read, so a push after that posts again.
void EngineLoop::Notify() {
  if (!wake_posted_.exchange(true)) asio::post(io_, [this] { Drain(); });
}

Status EngineLoop::Run() {
  ArmStats();
  FireStep();  // what fell due while Patron was down, before any message
  if (!stopped_) io_.run();
  return status_;
}

void EngineLoop::Drain() {
  wake_posted_.store(false);
  if (stopped_) return;
  batch_.clear();
  const size_t pending = engine_.pending();
  const size_t room = options_.batch_size > pending ? options_.batch_size - pending : 1;
  const bool open = queue_.PopBatch(batch_, room, MessageQueue::Clock::now());  // does not wait
  for (const InboundMessage& m : batch_) {
    if (!Check(engine_.Accept(m.payload, m.subject, m.token))) return;
  }
  if (!open) {
    Finish();
    return;
  }
  if (engine_.pending() >= options_.batch_size) {
    if (!CommitNow()) return;
  } else if (engine_.pending() > 0) {
    ArmCommit();
  }
  ArmDue();
  // More than one group was waiting, or intake closed meanwhile: go on
  // after whatever else is ready (a timer's expiry).
  if (!stopped_ && (queue_.size() > 0 || closing_.load())) Notify();
}

void EngineLoop::FireStep() {
  if (stopped_) return;
  const TimePoint now = clock_.Now();
  Result<bool> unfinished = engine_.FireDue();
  if (!Check(unfinished.status())) return;
  if (!CommitNow()) return;
  broadcasting_ = *unfinished;
  if (broadcasting_) {
    // The next slice after the messages that came meanwhile.
    if (options_.logger->should_log(spdlog::level::debug)) {
      options_.logger->debug("a broadcast goes on after {} queued messages", queue_.size());
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
void EngineLoop::ArmDue(std::optional<TimePoint> fired_up_to) {
  if (stopped_ || broadcasting_) return;
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
    options_.logger->warn("a timer due at {} did not fire; trying again in {} ms", FormatRfc3339Utc(due),
                          options_.refire_pause.count());
    due = clock_.Now() + std::chrono::duration_cast<std::chrono::microseconds>(options_.refire_pause).count();
  }
  due_timer_.expires_at(ToSystemTime(due));
  due_timer_.async_wait([this, generation = ++due_generation_](const boost::system::error_code& ec) {
    if (ec || generation != due_generation_) return;
    armed_due_.reset();
    FireStep();
  });
}

void EngineLoop::ArmCommit() {
  if (commit_armed_) return;
  commit_armed_ = true;
  commit_timer_.expires_after(options_.batch_interval);
  commit_timer_.async_wait([this, generation = ++commit_generation_](const boost::system::error_code& ec) {
    if (ec || generation != commit_generation_ || stopped_) return;
    commit_armed_ = false;
    if (engine_.pending() > 0 && CommitNow()) ArmDue();
  });
}

void EngineLoop::ArmStats() {
  if (options_.stats_interval.count() <= 0) return;
  stats_timer_.expires_after(options_.stats_interval);
  stats_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    const EngineStats& stats = engine_.stats();
    options_.logger->info("running: {}, {}, {} queued", EventCounts(stats), TimerCounts(stats),
                          queue_.size());
    ArmStats();
  });
}

bool EngineLoop::CommitNow() {
  const size_t n = engine_.pending();
  if (!Check(engine_.Commit())) return false;
  commit_armed_ = false;
  ++commit_generation_;
  commit_timer_.cancel();
  if (n > 0 && options_.logger->should_log(spdlog::level::debug)) {
    options_.logger->debug("committed a batch of {} messages", n);
  }
  return true;
}

// The engine failed: it must not be used again. Intake closes so that a
// delivery thread blocked in Push() returns.
bool EngineLoop::Check(Status status) {
  if (status.ok()) return true;
  status_ = std::move(status);
  closing_.store(true);
  queue_.Close();
  stopped_ = true;
  io_.stop();
  return false;
}

void EngineLoop::Finish() {
  if (!CommitNow()) return;
  stopped_ = true;
  io_.stop();
}

}  // namespace patron::cli
