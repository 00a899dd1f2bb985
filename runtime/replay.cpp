#include "runtime/replay.hpp"

#include <chrono>
#include <memory>

#include "engine/clock.hpp"
#include "runtime/partition.hpp"
#include "runtime/scoped_temp_dir.hpp"

namespace patron::runtime {

Result<ReplayResult> Replay(RuleSetHolder& rules, MessageSource& events, ActionSink& sink,
                            const ReplayOptions& options) {
  PartitionOptions partition;
  partition.engine = options.engine;
  partition.store = options.store;
  partition.loop.batch_size = options.batch_size;
  partition.loop.batch_interval = std::chrono::milliseconds(0);  // commit when full and at the end
  partition.loop.fire_by_clock = false;                          // event time: the engine fires per event
  partition.loop.stats_interval = std::chrono::milliseconds(0);
  std::unique_ptr<ScopedTempDir> temp;
  if (options.data_dir.empty()) {
    auto created = ScopedTempDir::Create("patron-replay-");
    if (!created.ok()) return created.status();
    temp = std::move(created.value());
    partition.data_dir = temp->path();
    // Throwaway state: no fsync, pages written in place.
    partition.store.sync_on_commit = false;
    partition.store.write_map = true;
  } else {
    partition.data_dir = options.data_dir;
  }

  EventTimeClock clock;
  auto opened = Partition::Open(rules, sink, clock, std::move(partition));
  if (!opened.ok()) return opened.status();
  Partition& p = **opened;

  const auto started = std::chrono::steady_clock::now();
  PATRON_RETURN_IF_ERROR(p.Run(events));
  if (options.until) {
    clock.Set(*options.until);
    PATRON_RETURN_IF_ERROR(p.FireDue());
  }
  ReplayResult result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.stats = p.stats();
  return result;
}

}  // namespace patron::runtime
