#pragma once
// A partition: one LMDB state directory, the engine that owns it (one
// writer), and the accept/commit loop that feeds it (runtime/batch_loop.hpp).
// `patron replay` runs one over a file, `patron run` one over a live
// intake; several partitions of one process (a later issue) would each be
// one of these, with their own thread. Used on one thread.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "engine/action_sink.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "runtime/batch_loop.hpp"
#include "runtime/message_source.hpp"
#include "runtime/rule_set_holder.hpp"
#include "stores/lmdb_state_store.hpp"

namespace patron::runtime {

struct PartitionOptions {
  // The state directory (created when missing).
  std::string data_dir;
  LmdbStoreOptions store;
  EngineOptions engine;
  BatchLoopOptions loop;
};

class Partition {
 public:
  // Opens (creating) the state in options.data_dir with options.store and
  // builds the engine on the holder's current rule set; the store's Open()
  // errors otherwise. `rules`, `sink` and `clock` must outlive the partition.
  static Result<std::unique_ptr<Partition>> Open(RuleSetHolder& rules, ActionSink& sink, Clock& clock,
                                                 PartitionOptions options);
  // The same over a store already opened (so that a service can report a bad
  // data directory before it connects anywhere); options.data_dir and
  // options.store are not used.
  static std::unique_ptr<Partition> Adopt(RuleSetHolder& rules, ActionSink& sink, Clock& clock,
                                          std::unique_ptr<LmdbStateStore> store, PartitionOptions options);
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;
  ~Partition();

  // Serves `source` until it ends, everything committed (Ok), or until the
  // engine or the source fails (that Status; the engine is not used again).
  Status Run(MessageSource& source);
  // Fires every timer due by the clock's Now(), broadcasts to the end, and
  // commits (replay's --until, after the clock was moved).
  Status FireDue();

  // Durable outbox: with `resend`, submits to the pump's delivery every
  // committed row not delivered yet, and those sent at or after
  // `republish_since` (INT64_MAX: none; `--republish-since`); then waits
  // until the delivery has finished every row it holds, recording each and
  // committing, or until `stop()` is true, or `deadline` passed (then
  // kUnavailable: the rest stays in LMDB for the next start). Returns the
  // rows it submitted. Call it before Run() (start-up) and after (shutdown).
  Result<size_t> SettleOutbox(OutboxPump& pump, bool resend, TimePoint republish_since,
                              const std::function<bool()>& stop, std::chrono::milliseconds deadline);

  const EngineStats& stats() const { return engine_->stats(); }
  // Rule sets swapped in by Run() so far.
  uint64_t swaps() const { return swaps_; }

  // Only Open() and Adopt() can make the key.
  class Key {
    friend class Partition;
    Key() = default;
  };
  Partition(Key, RuleSetHolder& rules, Clock& clock, std::unique_ptr<LmdbStateStore> store, ActionSink& sink,
            PartitionOptions options);

 private:
  RuleSetHolder& rules_;
  uint64_t running_version_ = 0;                  // its version in the holder
  std::shared_ptr<const CompiledRules> running_;  // what the engine runs
  Clock& clock_;
  PartitionOptions options_;
  std::unique_ptr<LmdbStateStore> store_;
  std::unique_ptr<Engine> engine_;
  uint64_t swaps_ = 0;
};

}  // namespace patron::runtime
