#pragma once
// Private to transport/: the JetStream messages the intake handed over and
// keeps until the engine acknowledges them (after the commit that holds
// their effects). Each keeps a reference to the subscription it came from,
// because libnats acks through it: a subscription replaced by the watchdog
// is freed only once its last message is acked or dropped.
// Thread-safe: Hold on the delivering thread, Acknowledge from any.

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

#include "model/delivery.hpp"

namespace patron::transport_internal {

// One libnats subscription (pull or push), destroyed with the last reference.
struct SubscriptionRef {
  natsSubscription* sub = nullptr;
  // Push: set by libnats once the subscription is closed and its callback
  // has returned for the last time.
  std::promise<void> complete;
  std::shared_future<void> completed = complete.get_future().share();
  ~SubscriptionRef() {
    if (sub != nullptr) natsSubscription_Destroy(sub);
  }
};

class HeldMessages {
 public:
  HeldMessages() = default;
  HeldMessages(const HeldMessages&) = delete;
  HeldMessages& operator=(const HeldMessages&) = delete;
  // Frees the messages still held without acknowledging them (the server
  // redelivers them after ack_wait).
  ~HeldMessages();

  // Keeps `msg` (ownership taken) under `sequence`.
  void Hold(uint64_t sequence, natsMsg* msg, std::shared_ptr<SubscriptionRef> sub);
  // Frees the message of `sequence` without acknowledging it; no-op if unknown.
  void Drop(uint64_t sequence);
  // Acks (natsMsg_Ack: published, no wait for the server's reply) and frees
  // the messages of `tokens`; tokens that are not sequences, or not held
  // (already acknowledged, or never held) are skipped. The lock is held only
  // to take the messages out, not while acking. Returns the number acked
  // (a failed ack, e.g. the connection is down, is not counted: the server
  // redelivers that message).
  size_t Acknowledge(std::span<const DeliveryToken> tokens);
  size_t size() const;

 private:
  struct Entry {
    natsMsg* msg = nullptr;
    std::shared_ptr<SubscriptionRef> sub;
  };
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Entry> held_;
};

}  // namespace patron::transport_internal
