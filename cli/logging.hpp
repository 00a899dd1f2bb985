#pragma once
// Logs of long-running commands (`run`): spdlog on stderr, human-readable
// text by default or one JSON object per line. Callers log ids (rule, event,
// customer), never phone numbers or raw events.

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace patron::cli {

// A logger named `name` writing to stderr, `format` "text" or "json" (see
// Config::log_format), at `level` (Config::log_level, checked by
// ValidateConfig). Shared because spdlog's sinks and callers co-own it; thread-safe.
std::shared_ptr<spdlog::logger> MakeLogger(const std::string& name, const std::string& format,
                                           const std::string& level);

}  // namespace patron::cli
