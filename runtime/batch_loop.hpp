#pragma once
// The one accept/commit loop of a partition, used by `patron run` and
// `patron replay` alike (STYLE.md §8): one Boost.Asio io_context, run on the
// calling thread only, owns every call into the Engine. It takes messages
// from a MessageSource (a file, or a queue that a live intake fills from
// its delivery thread), Accept()s them in groups and commits every
// `batch_size` messages, or `batch_interval` after the first uncommitted
// one (decision 10), and at the end of the source.
//
// With `fire_by_clock` (run: the wall clock) it keeps a system_timer armed
// for Engine::NextDue() so that absence deadlines, waits and schedules fire
// when the clock reaches them (FireDue(), then Commit()); timers that fell
// due while Patron was down fire at Run()'s start, before any message; a
// broadcast unfinished after one FireDue() goes on in later steps, each
// after the messages queued meanwhile, so intake never stalls (run the
// engine with EngineOptions::max_slices_per_fire = 1). Without it (replay:
// event time) the engine fires what is due before each event.
//
// Between batches, a newer rule set published to the RuleSetHolder is
// swapped in (Engine::SwapRules).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>

#include "base/result.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "runtime/message_source.hpp"
#include "runtime/outbox_pump.hpp"
#include "runtime/rule_set_holder.hpp"

namespace spdlog {
class logger;
}

namespace patron::runtime {

struct BatchLoopOptions {
  // Group commit after this many accepted messages (Config::batch_size).
  size_t batch_size = 4096;
  // Messages taken from the source at a time (and accepted before the loop
  // looks at its timers again): small, so that their bytes are still in the
  // CPU's cache when the engine reads them.
  size_t take_chunk = 64;
  // ... or this long after the first message of a group
  // (Config::batch_interval_ms); zero: only when full and at the end.
  std::chrono::milliseconds batch_interval{10};
  // Fire timers when the clock reaches them (the wall clock of `run`).
  bool fire_by_clock = true;
  // With fire_by_clock: the wall clock is this far behind the engine's
  // clock's time (runtime/live_clock.hpp's grace for late events), so a
  // timer due at t is armed for the wall-clock time t + fire_delay.
  Duration fire_delay = 0;
  // How often the counters are logged at info level; zero: never.
  std::chrono::milliseconds stats_interval{60'000};
  // When the engine leaves a timer due before the FireDue() that should
  // have fired it (a broken invariant), the loop tries again after this
  // pause instead of spinning, and logs a warning.
  std::chrono::milliseconds refire_pause{1'000};
  // Where the loop logs (commits and swaps at debug/info, counters at info);
  // null: silent.
  std::shared_ptr<spdlog::logger> logger;
  // The durable outbox's pump (`patron run`): between groups of messages the
  // loop records what the delivery finished and commits it within
  // batch_interval; null: no outbox (replay).
  OutboxPump* outbox = nullptr;
};

class BatchLoop {
 public:
  // `engine`, `clock` (the engine's), `source` and `rules` (may be null: no
  // swaps) must outlive the loop. `running` is the rule set the engine runs
  // (the holder's version `running_version`), kept alive until a newer one
  // replaces it.
  BatchLoop(Engine& engine, const Clock& clock, MessageSource& source, BatchLoopOptions options,
            RuleSetHolder* rules = nullptr, std::shared_ptr<const CompiledRules> running = {},
            uint64_t running_version = 0);
  BatchLoop(const BatchLoop&) = delete;
  BatchLoop& operator=(const BatchLoop&) = delete;

  // Serves on the calling thread until the source has ended and everything
  // taken is committed (Ok), or until the engine or the source fails (that
  // Status; the source is closed then, and the open group is not
  // committed). Call once.
  Status Run();

  // Rule sets swapped in since the loop started.
  uint64_t swaps() const { return swaps_; }
  // The rule set the engine runs now (its owner must keep it alive while
  // the engine lives).
  const std::shared_ptr<const CompiledRules>& running() const { return running_; }
  uint64_t running_version() const { return running_version_; }

 private:
  void Notify();
  void Drain();
  bool PumpOutbox();
  void FireStep();
  void ArmDue(std::optional<TimePoint> fired_up_to = std::nullopt);
  void ArmCommit();
  void ArmStats();
  bool CommitNow();
  void SwapIfNewer();
  bool Check(Status status);
  void Finish();

  Engine& engine_;
  const Clock& clock_;
  MessageSource& source_;
  BatchLoopOptions options_;
  RuleSetHolder* rules_;
  std::shared_ptr<const CompiledRules> running_;
  uint64_t running_version_ = 0;
  uint64_t swaps_ = 0;
  std::atomic<bool> wake_posted_{false};

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
  bool marks_uncommitted_ = false;  // outbox completions recorded since the last commit
  std::vector<DeliveryToken> taken_;  // tokens of the messages accepted since the last commit
  bool stopped_ = false;
  Status status_;
  std::vector<InboundMessage> batch_;  // reused: its strings keep their capacity
};

}  // namespace patron::runtime
