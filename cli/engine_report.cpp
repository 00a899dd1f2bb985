#include "cli/engine_report.hpp"

#include "cli/command_line.hpp"

namespace patron::cli {

std::string EventCounts(const EngineStats& stats) {
  // EngineStats::events_processed also counts the events `emit` fed back.
  uint64_t not_processed = stats.duplicates + stats.rejected;
  uint64_t processed = stats.events_read > not_processed ? stats.events_read - not_processed : 0;
  uint64_t emitted = stats.events_processed > processed ? stats.events_processed - processed : 0;
  std::string s = Plural(stats.events_read, "event", "events") + " read, " + std::to_string(processed) +
                  " processed, " + Plural(stats.duplicates, "duplicate", "duplicates") + ", " +
                  std::to_string(stats.rejected) + " rejected, ";
  if (emitted > 0) s += std::to_string(emitted) + " emitted, ";
  return s + Plural(stats.actions, "action", "actions");
}

}  // namespace patron::cli
