#pragma once
// The engine's thread of `patron run` (STYLE.md §8): one Boost.Asio
// io_context, run on that thread only, owns every call into the Engine.
// NATS delivery threads Push() messages into a bounded queue and wake it;
// it Accept()s them in groups and commits every `batch_size` messages or
// `batch_interval` after the first uncommitted one (decision 10), and keeps
// a system_timer armed for Engine::NextDue() so that absence deadlines,
// waits and schedules fire by the wall clock (FireDue(), then Commit()).
// Timers that fell due while Patron was down fire at Run()'s start, before
// any message. A broadcast unfinished after one FireDue() goes on in later
// steps, each after the messages queued meanwhile, so intake never stalls
// (run the engine with EngineOptions::max_slices_per_fire = 1).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>

#include "base/result.hpp"
#include "cli/message_queue.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"

namespace spdlog {
class logger;
}

namespace patron::cli {

struct EngineLoopOptions {
  // Group commit after this many accepted messages (Config::batch_size).
  size_t batch_size = 4096;
  // ... or this long after the first message of a group (Config::batch_interval_ms).
  std::chrono::milliseconds batch_interval{10};
  // Messages waiting for the engine before Push() (the NATS delivery
  // thread) blocks; libnats then holds them and counts a slow consumer
  // beyond its pending limits.
  size_t queue_capacity = 65'536;
  // How often the counters are logged at info level while serving; zero: never.
  std::chrono::milliseconds stats_interval{60'000};
  // When the engine leaves a timer due before the FireDue() that should
  // have fired it (a broken invariant), the loop tries again after this
  // pause instead of spinning, and logs a warning.
  std::chrono::milliseconds refire_pause{1'000};
  // Where the loop logs (commits at debug, counters at info). Required.
  std::shared_ptr<spdlog::logger> logger;
};

// "12 timers armed, 9 fired": the timer counters of a run's log lines.
std::string TimerCounts(const EngineStats& stats);

class EngineLoop {
 public:
  // `engine` and `clock` (the engine's clock) must outlive the loop; the
  // loop must outlive every thread that may still call Push().
  EngineLoop(Engine& engine, const Clock& clock, EngineLoopOptions options);
  EngineLoop(const EngineLoop&) = delete;
  EngineLoop& operator=(const EngineLoop&) = delete;

  // Queues a message for the engine and wakes the loop. Any thread; blocks
  // while the queue is full. Returns false (message dropped) once intake
  // is closed.
  bool Push(InboundMessage message);
  // Stops intake: Run() finishes the queued messages, commits and returns.
  // Any thread; idempotent.
  void CloseIntake();

  // Serves on the calling thread until CloseIntake() and an empty queue
  // (Ok, everything committed), or until the engine fails (that Status;
  // intake is closed then, and the last group is not committed). Call once.
  Status Run();

 private:
  void Notify();
  void Drain();
  void FireStep();
  void ArmDue(std::optional<TimePoint> fired_up_to = std::nullopt);
  void ArmCommit();
  void ArmStats();
  bool CommitNow();
  bool Check(Status status);
  void Finish();

  Engine& engine_;
  const Clock& clock_;
  EngineLoopOptions options_;
  MessageQueue queue_;
  std::atomic<bool> wake_posted_{false};
  std::atomic<bool> closing_{false};

  // Engine thread only, below.
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::system_timer due_timer_;
  boost::asio::steady_timer commit_timer_;
  boost::asio::steady_timer stats_timer_;
  std::optional<TimePoint> armed_due_;
  uint64_t due_generation_ = 0;     // ignores a wait that completed after a re-arm
  uint64_t commit_generation_ = 0;  // the same for the commit timer
  bool commit_armed_ = false;
  bool broadcasting_ = false;  // a broadcast goes on in posted steps; the due timer waits
  bool stopped_ = false;
  Status status_;
  std::vector<InboundMessage> batch_;
};

}  // namespace patron::cli
