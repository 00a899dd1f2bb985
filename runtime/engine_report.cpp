#include "runtime/engine_report.hpp"

#include <cstdio>
#include <sstream>

namespace patron::runtime {

std::string Plural(size_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

std::string EventCounts(const EngineStats& stats) {
  // EngineStats::events_processed also counts the events `emit` fed back.
  uint64_t not_processed = stats.duplicates + stats.rejected;
  uint64_t processed = stats.events_read > not_processed ? stats.events_read - not_processed : 0;
  uint64_t emitted = stats.events_processed > processed ? stats.events_processed - processed : 0;
  std::string s = Plural(stats.events_read, "event", "events") + " read, " + std::to_string(processed) +
                  " processed, " + Plural(stats.duplicates, "duplicate", "duplicates") + ", " +
                  std::to_string(stats.rejected) + " rejected, ";
  if (emitted > 0) s += std::to_string(emitted) + " emitted, ";
  if (stats.late_events > 0) s += std::to_string(stats.late_events) + " late, ";
  return s + Plural(stats.actions, "action", "actions");
}

std::string TimerCounts(const EngineStats& stats) {
  return Plural(stats.timers_armed, "timer", "timers") + " armed, " + std::to_string(stats.timers_fired) +
         " fired";
}

std::string ReplaySummary(const EngineStats& stats, const std::vector<std::string_view>& rule_names,
                          double seconds, const std::string& dead_path) {
  std::ostringstream s;
  s << "replay: " << EventCounts(stats);
  if (stats.rejected > 0 && !dead_path.empty()) s << " (rejected lines in " << dead_path << ")";
  s << "\n";
  s << "timers: " << stats.timers_armed << " armed, " << stats.timers_fired << " fired, " << stats.timers_cancelled
    << " cancelled";
  if (stats.broadcast_customers > 0) s << ", " << stats.broadcast_customers << " customers visited by broadcasts";
  s << "\n";
  s << "actions per rule:\n";
  for (std::string_view name : rule_names) {
    auto actions = stats.actions_per_rule.find(std::string(name));
    auto fired = stats.fired_per_rule.find(std::string(name));
    uint64_t a = actions == stats.actions_per_rule.end() ? 0 : actions->second;
    uint64_t f = fired == stats.fired_per_rule.end() ? 0 : fired->second;
    s << "  " << name << ": " << Plural(a, "action", "actions") << " (fired " << Plural(f, "time", "times")
      << ")\n";
  }
  char timing[128];
  double rate = seconds > 0 ? static_cast<double>(stats.events_read) / seconds : 0;
  std::snprintf(timing, sizeof timing, "elapsed: %.3f s, %.0f events/s\n", seconds, rate);
  s << timing;
  return s.str();
}

}  // namespace patron::runtime
