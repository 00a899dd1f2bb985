#include "cli/logging.hpp"

#include <chrono>
#include <ctime>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "base/json_writer.hpp"

namespace patron::cli {
namespace {

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
    auto level = spdlog::level::to_string_view(msg.level);
    line_.clear();
    JsonWriter w(line_);
    w.BeginObject();
    w.String("time", std::string_view(stamp, n));
    w.String("level", std::string_view(level.data(), level.size()));
    w.String("logger", std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    w.String("msg", std::string_view(msg.payload.data(), msg.payload.size()));
    w.End();
    line_ += '\n';
    dest.append(line_.data(), line_.data() + line_.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }

 private:
  std::string line_;  // reused; spdlog formats under its sink's lock
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
