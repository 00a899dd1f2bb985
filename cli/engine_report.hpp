#pragma once
// How commands report an engine's counters to people.

#include <string>

#include "engine/engine.hpp"

namespace patron::cli {

// "64 events read, 62 processed, 1 duplicate, 1 rejected, 2 emitted, 110
// actions": read = messages handed to the engine; processed = read minus
// duplicates and rejected; emitted = events fed back by `emit` (shown only
// when there are some); actions = actions sent.
std::string EventCounts(const EngineStats& stats);

}  // namespace patron::cli
