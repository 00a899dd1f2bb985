#pragma once
// Between the durable outbox's delivery (actions/outbox_delivery.hpp, its
// own threads) and the engine (its one thread): records in the engine what
// the delivery finished, rows delivered (tombstones) or given up (a dead
// letter each), to be made durable by the next commit. Used by the run
// loop between groups of messages, and by the start-up and shutdown drains.
// Engine thread only (the delivery itself is thread-safe).

#include <cstddef>
#include <vector>

#include "actions/outbox_delivery.hpp"
#include "base/result.hpp"
#include "engine/engine.hpp"

namespace patron::runtime {

class OutboxPump {
 public:
  // `delivery` must outlive the pump (or the next Rebind()).
  explicit OutboxPump(OutboxDelivery& delivery) : delivery_(&delivery) {}
  // Takes completions from `delivery` from now on (a new connection's);
  // those of the old one not taken yet are dropped (their rows stay unsent
  // in LMDB and are sent again).
  void Rebind(OutboxDelivery& delivery) { delivery_ = &delivery; }

  // Records the completions since the last call in `engine`; returns how
  // many there were (0: nothing new to commit). The engine's Status when it
  // failed.
  Result<size_t> Apply(Engine& engine);

  OutboxDelivery& delivery() { return *delivery_; }

 private:
  OutboxDelivery* delivery_;
  std::vector<OutboxCompletion> completed_;  // reused
  std::vector<uint64_t> sent_;               // reused
};

}  // namespace patron::runtime
