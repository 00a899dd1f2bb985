#pragma once
// The live intake over core NATS: one subscription on a NatsConnection that
// hands each message to a handler as a patron::InboundMessage
// (model/delivery.hpp) whose token is DeliveryToken::Sequence(n), n = 1, 2,
// 3, ... in delivery order, counted per intake (a new intake starts at 1).
//
// Core NATS is at most once: a message is lost when Patron is down, the
// connection is lost, the handler throws, or libnats drops it because the
// handler fell behind (slow consumer, counted in dropped()). Nothing is
// acknowledged: the sequence is what a durable (JetStream) intake will
// acknowledge later, once the batch that holds the message is committed; for
// this intake it only names the message in logs and dead letters.
//
// Threads: the handler runs on libnats' delivery thread, one message at a
// time, and must only hand the message to the engine's thread (a queue,
// STYLE.md §8). The methods may be called from any thread, also at once
// (an Unsubscribe() during a Drain() stops delivery at once, and the Drain
// may then report kUnavailable when its timeout passes); moving or
// destroying the intake must not overlap another call.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "model/delivery.hpp"
#include "transport/nats_connection.hpp"

namespace patron {

// Receives one message, which it may keep (moved in). Runs on libnats'
// delivery thread. An exception it throws is caught, counted in the
// connection's NatsCounters::handler_exceptions and logged; that message is
// lost and its sequence number is not reused.
using NatsIntakeHandler = std::function<void(InboundMessage message)>;

class NatsIntake {
 public:
  // Subscribes `handler` to `subject` (wildcards allowed) on `connection`,
  // with the connection's pending limits. The first message may arrive
  // before this returns; call connection.Flush() afterwards to be sure the
  // server has the interest before relying on it. Fails with the
  // connection's Status: kUnavailable when it is closed, kInvalidArgument
  // for a bad subject. The intake may outlive the connection (it then gets
  // no more messages).
  static Result<NatsIntake> Start(NatsConnection& connection, std::string_view subject,
                                  NatsIntakeHandler handler);

  NatsIntake(NatsIntake&&) noexcept;
  NatsIntake& operator=(NatsIntake&&) noexcept;
  // Unsubscribe().
  ~NatsIntake();

  // Stops interest in the subject, lets the messages already received reach
  // the handler, and waits for that, up to `timeout` (then kUnavailable).
  // If the handler blocks (a full queue), so does Drain. Ok when already
  // drained or unsubscribed.
  Status Drain(std::chrono::milliseconds timeout);
  // Stops delivery now (messages received but not yet handed over are
  // discarded) and waits for the handler's last return. Idempotent.
  void Unsubscribe();

  // The subject given to Start().
  const std::string& subject() const;
  // Messages handed to the handler so far (the last sequence number given).
  uint64_t delivered() const;
  // Messages libnats dropped because the handler fell behind (see
  // NatsSubscription::dropped() for the count once closed).
  int64_t dropped() const;

 private:
  // The handler and the sequence (defined in the .cpp), shared with the
  // subscription's handler: when libnats does not confirm the handler's last
  // return, the subscription leaks that handler rather than free it under a
  // running call, and the Delivery must then stay alive with it.
  struct Delivery;
  NatsIntake(std::string subject, std::shared_ptr<Delivery> delivery, NatsSubscription subscription);

  std::string subject_;
  std::shared_ptr<Delivery> delivery_;
  NatsSubscription subscription_;  // last: closed first, before the rest is freed
};

}  // namespace patron
