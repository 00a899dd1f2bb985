#pragma once
// The sending side of the durable outbox (engine/outbox_writer.hpp): takes
// committed outbox rows (actions/outbox_row.hpp), delivers each on its own
// thread, and reports each row's outcome back for the engine's thread to
// record (Engine::MarkOutboxSent, Engine::GiveUpOutboxRow):
// - NATS rows: JetStream publishes with Nats-Msg-Id = the id, many in
//   flight, each acknowledged by the stream (transport/jetstream_publisher);
//   a timeout or a server that is away is retried with back-off, forever
//   (the row stays in LMDB meanwhile, so nothing is lost); a message the
//   server refuses for good is given up (it becomes a dead letter). With
//   `jetstream = false` (`--core`) rows are published on core NATS and count
//   as delivered once a flush round trip confirms the server has them.
// - Webhook rows: POSTed with Idempotency-Key = the action id, several at
//   once per endpoint (`webhook_concurrency`), so one slow request does not
//   hold the others, each retried with back-off up to
//   `webhook_max_attempts`; after the last one the row is given up with the
//   HTTP status or the error. A hanging endpoint never holds up evaluation,
//   NATS rows, or another endpoint.
// Rows not finished at Shutdown() stay unsent in LMDB and are sent again at
// the next start (the ids make that safe).
//
// Threads: Submit, TakeCompleted, SetWakeup and outstanding from any
// thread; Shutdown and the destructor from the owner's.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "engine/state_store.hpp"
#include "transport/jetstream_publisher.hpp"
#include "transport/nats_connection.hpp"

namespace spdlog {
class logger;
}

namespace patron {

struct OutboxDeliveryOptions {
  // JetStream publishes with acknowledgements (run's default); false: core NATS.
  bool jetstream = true;
  JetStreamPublisherOptions publish;
  // Pause before retrying a NATS row, doubled each time up to the maximum.
  std::chrono::milliseconds nats_retry_initial{200};
  std::chrono::milliseconds nats_retry_max{5'000};
  // Endpoint name -> "http://..." URL (checked by Start()).
  std::map<std::string, std::string> webhooks;
  size_t webhook_concurrency = 8;
  int webhook_max_attempts = 5;
  std::chrono::milliseconds webhook_timeout{5'000};
  std::chrono::milliseconds webhook_initial_backoff{200};
  std::chrono::milliseconds webhook_max_backoff{10'000};
  std::shared_ptr<spdlog::logger> logger;  // null: silent
};

// What became of one row.
struct OutboxCompletion {
  uint64_t seq = 0;
  bool delivered = false;
  // Given up: why, where it was going, and what it was (the payload sent).
  std::string reason;
  std::string address;
  std::string payload;
};

class OutboxDelivery {
 public:
  // `connection` must outlive the delivery. kInvalidArgument for a bad
  // webhook URL; the publisher's error when JetStream cannot be used.
  static Result<std::unique_ptr<OutboxDelivery>> Start(NatsConnection& connection, OutboxDeliveryOptions options);
  ~OutboxDelivery();
  OutboxDelivery(const OutboxDelivery&) = delete;
  OutboxDelivery& operator=(const OutboxDelivery&) = delete;

  // Starts delivering `rows` (their bytes are moved out). A row that is not
  // an outbox row is given up at once. After Shutdown() rows are ignored
  // (they stay unsent in LMDB).
  void Submit(std::vector<OutboxRow>& rows);
  // Called (from the delivery's threads) when completions may be ready;
  // an empty function: none. Clearing waits for a call in progress.
  void SetWakeup(std::function<void()> wake);
  // Moves the completions so far into `out` (replacing its contents).
  void TakeCompleted(std::vector<OutboxCompletion>& out);
  // Rows submitted and not yet completed (taken or not).
  size_t outstanding() const;
  // Stops taking rows, waits up to `deadline` for the outstanding ones,
  // then stops (the rest stay unsent in LMDB). Ok when none was left.
  Status Shutdown(std::chrono::milliseconds deadline);

  struct Worker;  // in the .cpp
 private:
  explicit OutboxDelivery(std::unique_ptr<Worker> worker);
  std::unique_ptr<Worker> worker_;
};

}  // namespace patron
