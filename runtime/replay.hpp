#pragma once
// `patron replay` (events.md "The command-line contract"): a rule set over a
// file of events in event time, with no server. One partition whose state
// lives in `data_dir`, or in a temporary directory removed at the end; an
// EventTimeClock, so the timers due by each event's time fire before it,
// and `until` fires those due after the last event up to that time. The
// same inputs always give the same actions, byte for byte.

#include <optional>
#include <string>

#include "base/result.hpp"
#include "base/time.hpp"
#include "engine/action_sink.hpp"
#include "engine/engine.hpp"
#include "runtime/message_source.hpp"
#include "runtime/rule_set_holder.hpp"
#include "stores/lmdb_state_store.hpp"

namespace patron::runtime {

struct ReplayOptions {
  // Kept state (created when missing); "" = a temporary directory, without
  // fsync and with pages written in place (MDB_WRITEMAP).
  std::string data_dir;
  // The state store's options (a temporary directory overrides its fsync
  // and write-map settings).
  LmdbStoreOptions store;
  std::optional<TimePoint> until;  // fire what is due after the last event up to here
  size_t batch_size = 4096;        // events per commit
  EngineOptions engine;
};

struct ReplayResult {
  EngineStats stats;
  double seconds = 0;  // wall time of the replay itself (rules already compiled)
};

// Runs the replay of `events` (a LineSource over the file, in practice);
// actions and dead letters (with their line numbers) go to `sink` at each
// commit. A failed Status when the events or the state cannot be read or
// written (the message names the file or directory).
Result<ReplayResult> Replay(RuleSetHolder& rules, MessageSource& events, ActionSink& sink,
                            const ReplayOptions& options);

}  // namespace patron::runtime
