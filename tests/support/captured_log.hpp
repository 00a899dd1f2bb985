#pragma once
// A logger whose lines a test can read (thread-safe): every level, the last
// 10,000 lines kept.

#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <memory>
#include <string>

namespace patron::testing {

struct CapturedLog {
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10'000);
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>("test", sink);
  CapturedLog() { logger->set_level(spdlog::level::trace); }
  // Every line kept, each ending with a newline.
  std::string Text() const {
    std::string text;
    for (const std::string& line : sink->last_formatted()) text += line;
    return text;
  }
};

}  // namespace patron::testing
