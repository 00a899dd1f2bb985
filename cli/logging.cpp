#include "cli/logging.hpp"

#include <chrono>
#include <ctime>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "base/json_string.hpp"

namespace patron::cli {
namespace {

// Appends `text` as a JSON string (base/json_string.hpp) to spdlog's buffer.
void AppendJsonString(spdlog::memory_buf_t& out, std::string_view text) {
  std::string literal;
  patron::AppendJsonString(literal, text);
  out.append(literal.data(), literal.data() + literal.size());
}

// {"time":"2026-03-01T04:34:56.123Z","level":"info","logger":"patron","msg":"..."}
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto since_epoch = msg.time.time_since_epoch();
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs).count();
    std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[40];
    size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    n += static_cast<size_t>(std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(millis)));
    dest.append(std::string_view("{\"time\":\""));
    dest.append(stamp, stamp + n);
    dest.append(std::string_view("\",\"level\":"));
    auto level = spdlog::level::to_string_view(msg.level);
    AppendJsonString(dest, std::string_view(level.data(), level.size()));
    dest.append(std::string_view(",\"logger\":"));
    AppendJsonString(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    dest.append(std::string_view(",\"msg\":"));
    AppendJsonString(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(std::string_view("}\n"));
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& name, const std::string& format,
                                           const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %n: %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  // Every line reaches the terminal or the log collector at once.
  logger->flush_on(spdlog::level::trace);
  return logger;
}

}  // namespace patron::cli
