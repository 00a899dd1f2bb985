#pragma once
// ActionSink writing JSON lines: each action's CloudEvents envelope as one
// line (actions/action_json.hpp) to stdout or a file, and each dead letter
// as one line of decision 6 to an optional second file (replay's --dead).
// Buffered: bytes reach the files when a buffer fills, on Flush(), and
// (ignoring errors) in the destructor. Counts actions per rule for
// summaries. Not thread-safe: one thread (the engine's) uses it.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/action_sink.hpp"

namespace patron {

struct JsonlSinkOptions {
  // Bytes gathered per file before one write(2).
  size_t buffer_bytes = 1 << 20;
};

class JsonlSink final : public ActionSink {
 public:
  // Actions go to `actions_path` ("" or "-" = standard output, which is not
  // closed); dead letters to `dead_path` ("" = none: they are only counted).
  // Files are created or truncated. kIoError naming the file on failure.
  static Result<std::unique_ptr<JsonlSink>> Open(const std::string& actions_path,
                                                 const std::string& dead_path, JsonlSinkOptions options = {});
  // Flushes what is buffered; errors are lost (call Flush() to see them).
  ~JsonlSink() override;
  JsonlSink(const JsonlSink&) = delete;
  JsonlSink& operator=(const JsonlSink&) = delete;

  Status Publish(const Action& action) override;
  // A dead letter, with the input line it came from when its origin is one (replay).
  Status PublishDead(const DeadLetter& dead) override;
  // Writes everything buffered (no fsync). kIoError naming the file.
  Status Flush() override;

  uint64_t actions_written() const { return actions_written_; }
  uint64_t dead_letters() const { return dead_letters_; }
  // Actions per rule name, in name order.
  const std::map<std::string, uint64_t, std::less<>>& actions_per_rule() const { return per_rule_; }

  // One output file; defined in the .cpp. Construct sinks with Open().
  class Output;
  JsonlSink(std::unique_ptr<Output> actions, std::unique_ptr<Output> dead, JsonlSinkOptions options);

 private:
  std::unique_ptr<Output> actions_;
  std::unique_ptr<Output> dead_;  // null without a dead-letter file
  JsonlSinkOptions options_;
  uint64_t actions_written_ = 0;
  uint64_t dead_letters_ = 0;
  std::map<std::string, uint64_t, std::less<>> per_rule_;
  // Hash index into per_rule_'s nodes, so counting an action costs one hash
  // instead of a walk of string comparisons down the tree.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint64_t*, NameHash, std::equal_to<>> per_rule_index_;
};

}  // namespace patron
