#include "transport/nats_intake.hpp"

#include <atomic>
#include <utility>

namespace patron {

struct NatsIntake::Delivery {
  NatsIntakeHandler handler;
  // The last sequence given; libnats calls the handler one message at a time.
  std::atomic<uint64_t> delivered{0};
};

Result<NatsIntake> NatsIntake::Start(NatsConnection& connection, std::string_view subject,
                                     NatsIntakeHandler handler) {
  auto delivery = std::make_shared<Delivery>();
  delivery->handler = std::move(handler);
  auto subscribed = connection.Subscribe(subject, [delivery](std::string_view s, std::string_view data) {
    const uint64_t sequence = delivery->delivered.fetch_add(1, std::memory_order_relaxed) + 1;
    delivery->handler(InboundMessage{std::string(s), std::string(data), DeliveryToken::Sequence(sequence)});
  });
  if (!subscribed.ok()) return subscribed.status();
  return NatsIntake(std::string(subject), std::move(delivery), std::move(subscribed).value());
}

NatsIntake::NatsIntake(std::string subject, std::shared_ptr<Delivery> delivery, NatsSubscription subscription)
    : subject_(std::move(subject)), delivery_(std::move(delivery)), subscription_(std::move(subscription)) {}

NatsIntake::NatsIntake(NatsIntake&&) noexcept = default;
NatsIntake& NatsIntake::operator=(NatsIntake&&) noexcept = default;
NatsIntake::~NatsIntake() = default;  // subscription_ unsubscribes and waits

Status NatsIntake::Drain(std::chrono::milliseconds timeout) { return subscription_.Drain(timeout); }

void NatsIntake::Unsubscribe() { subscription_.Unsubscribe(); }

const std::string& NatsIntake::subject() const { return subject_; }

uint64_t NatsIntake::delivered() const {
  return delivery_ ? delivery_->delivered.load(std::memory_order_relaxed) : 0;
}

int64_t NatsIntake::dropped() const { return subscription_.dropped(); }

}  // namespace patron
