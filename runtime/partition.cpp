#include "runtime/partition.hpp"

#include <filesystem>
#include <system_error>

namespace patron::runtime {

Result<std::unique_ptr<Partition>> Partition::Open(RuleSetHolder& rules, ActionSink& sink, Clock& clock,
                                                   PartitionOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Status::Io("cannot create data directory '" + options.data_dir + "': " + ec.message());
  auto store = LmdbStateStore::Open(options.data_dir, options.store);
  if (!store.ok()) return store.status();
  uint64_t version = 0;
  std::shared_ptr<const CompiledRules> current = rules.Current(&version);
  return std::make_unique<Partition>(rules, std::move(current), version, clock, std::move(store.value()), sink,
                                     std::move(options));
}

Partition::Partition(RuleSetHolder& rules, std::shared_ptr<const CompiledRules> running, uint64_t running_version,
                     Clock& clock, std::unique_ptr<LmdbStateStore> store, ActionSink& sink,
                     PartitionOptions options)
    : rules_(rules),
      running_(std::move(running)),
      running_version_(running_version),
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
