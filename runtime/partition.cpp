#include "runtime/partition.hpp"

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

Status Partition::FireDue() {
  for (;;) {
    Result<bool> unfinished = engine_->FireDue();
    if (!unfinished.ok()) return unfinished.status();
    PATRON_RETURN_IF_ERROR(engine_->Commit());
    if (!*unfinished) return Status::Ok();
  }
}

}  // namespace patron::runtime
