#include "runtime/partition.hpp"

#include <thread>
#include <vector>

#include "base/crash_point.hpp"

namespace patron::runtime {

Result<std::unique_ptr<Partition>> Partition::Open(RuleSetHolder& rules, ActionSink& sink, Clock& clock,
                                                   PartitionOptions options) {
  auto store = LmdbStateStore::Open(options.data_dir, options.store);
  if (!store.ok()) return store.status();
  return Adopt(rules, sink, clock, std::move(store.value()), std::move(options));
}

std::unique_ptr<Partition> Partition::Adopt(RuleSetHolder& rules, ActionSink& sink, Clock& clock,
                                            std::unique_ptr<LmdbStateStore> store, PartitionOptions options) {
  return std::make_unique<Partition>(Key(), rules, clock, std::move(store), sink, std::move(options));
}

Partition::Partition(Key, RuleSetHolder& rules, Clock& clock, std::unique_ptr<LmdbStateStore> store,
                     ActionSink& sink, PartitionOptions options)
    : rules_(rules),
      running_(rules.Current(&running_version_)),
      clock_(clock),
      options_(std::move(options)),
      store_(std::move(store)),
      engine_(std::make_unique<Engine>(*running_, *store_, sink, clock_, options_.engine)) {}

// The engine goes before the store it writes to.
Partition::~Partition() { engine_.reset(); }

Status Partition::Run(MessageSource& source) {
  BatchLoop loop(*engine_, clock_, source, options_.loop, &rules_, running_, running_version_);
  Status served = loop.Run();
  swaps_ += loop.swaps();
  running_ = loop.running();
  running_version_ = loop.running_version();
  return served;
}

Result<size_t> Partition::SettleOutbox(OutboxPump& pump, bool resend, TimePoint republish_since,
                                       const std::function<bool()>& stop, std::chrono::milliseconds deadline) {
  size_t submitted = 0;
  if (resend) {
    std::vector<OutboxRow> rows;
    uint64_t after = 0;
    for (;;) {
      PATRON_RETURN_IF_ERROR(engine_->ListOutboxToSend(after, 10'000, republish_since, rows));
      if (rows.empty()) break;
      after = rows.back().seq;
      submitted += rows.size();
      pump.delivery().Submit(rows);
      PATRON_CRASH_POINT("startup-drain");
    }
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    Result<size_t> applied = pump.Apply(*engine_);
    if (!applied.ok()) return applied.status();
    if (*applied > 0) PATRON_RETURN_IF_ERROR(engine_->Commit());
    const size_t left = pump.delivery().outstanding();
    if (left == 0) break;
    if (stop() || std::chrono::steady_clock::now() >= until) {
      return Status::Unavailable(std::to_string(left) + " outbox rows not delivered yet");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return submitted;  // (a given-up row's dead letter was committed and delivered in the loop)
}

Status Partition::FireDue() {
  for (;;) {
    Result<bool> unfinished = engine_->FireDue();
    if (!unfinished.ok()) return unfinished.status();
    PATRON_RETURN_IF_ERROR(engine_->Commit());
    if (!*unfinished) return Status::Ok();
  }
}

}  // namespace patron::runtime
