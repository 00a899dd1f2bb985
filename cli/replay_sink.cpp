#include "cli/replay_sink.hpp"

namespace patron::cli {

Status ReplaySink::PublishDead(const DeadLetter& dead) {
  std::optional<uint64_t> line;
  if (!dead_lines_.empty()) {
    line = dead_lines_.front();
    dead_lines_.pop_front();
  }
  return inner_.PublishDead(dead, line);
}

}  // namespace patron::cli
