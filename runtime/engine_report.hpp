#pragma once
// How an engine's counters are told to people: the lines `patron run` logs
// and the summary `patron replay` prints. Pure functions, thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"

namespace patron::runtime {

// "1 event", "2 events".
std::string Plural(size_t n, const char* singular, const char* plural);

// "64 events read, 62 processed, 1 duplicate, 1 rejected, 2 emitted, 110
// actions": read = messages handed to the engine; processed = read minus
// duplicates and rejected; emitted = events fed back by `emit` (shown only
// when there are some); actions = actions sent.
std::string EventCounts(const EngineStats& stats);

// "12 timers armed, 9 fired": the timer counters of a run's log lines.
std::string TimerCounts(const EngineStats& stats);

// The summary of a replay (events.md "The command-line contract"): the event
// counts (naming `dead_path` when lines were rejected and it is set), the
// timer counts, actions and firings per rule in `rule_names` order, elapsed
// time and rate. Ends with a newline.
std::string ReplaySummary(const EngineStats& stats, const std::vector<std::string_view>& rule_names,
                          double seconds, const std::string& dead_path);

}  // namespace patron::runtime
