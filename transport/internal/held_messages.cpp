#include "transport/internal/held_messages.hpp"

#include <vector>

namespace patron::transport_internal {

HeldMessages::~HeldMessages() {
  for (auto& [seq, entry] : held_) natsMsg_Destroy(entry.msg);
}

void HeldMessages::Hold(uint64_t sequence, natsMsg* msg, std::shared_ptr<SubscriptionRef> sub) {
  std::lock_guard<std::mutex> lock(mu_);
  held_.emplace(sequence, Entry{msg, std::move(sub)});
}

void HeldMessages::Drop(uint64_t sequence) {
  Entry entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(sequence);
    if (it == held_.end()) return;
    entry = std::move(it->second);
    held_.erase(it);
  }
  natsMsg_Destroy(entry.msg);
}

size_t HeldMessages::Acknowledge(std::span<const DeliveryToken> tokens) {
  std::vector<Entry> taken;
  taken.reserve(tokens.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const DeliveryToken& token : tokens) {
      if (token.kind != DeliveryToken::Kind::kSequence) continue;
      auto it = held_.find(token.value);
      if (it == held_.end()) continue;
      taken.push_back(std::move(it->second));
      held_.erase(it);
    }
  }
  size_t acked = 0;
  for (Entry& entry : taken) {
    if (natsMsg_Ack(entry.msg, nullptr) == NATS_OK) ++acked;
    natsMsg_Destroy(entry.msg);  // before its subscription reference goes
    entry.sub.reset();
  }
  return acked;
}

size_t HeldMessages::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.size();
}

}  // namespace patron::transport_internal
