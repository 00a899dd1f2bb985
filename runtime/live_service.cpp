#include "runtime/live_service.hpp"

#include <atomic>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include "actions/outbox_delivery.hpp"
#include "actions/outbox_encoder.hpp"
#include "runtime/live_clock.hpp"
#include "runtime/message_queue.hpp"
#include "runtime/outbox_pump.hpp"
#include "runtime/partition.hpp"
#include "transport/jetstream_intake.hpp"
#include "transport/nats_connection.hpp"
#include "transport/nats_intake.hpp"

namespace patron::runtime {

namespace {

// With the durable outbox the engine hands nothing to a sink; one that
// reports a broken invariant if it ever is.
class NoSink final : public ActionSink {
 public:
  Status Publish(const Action&) override { return Status::Internal("run: an action bypassed the outbox"); }
  Status PublishDead(const DeadLetter&) override { return Status::Internal("run: a dead letter bypassed the outbox"); }
  Status Flush() override { return Status::Ok(); }
};

// Room left for the headers (Nats-Msg-Id) below the server's max payload.
constexpr size_t kHeaderRoom = 1024;

}  // namespace

struct LiveService::Parts {
  LiveServiceOptions options;
  std::optional<NatsConnection> connection;
  NoSink no_sink;
  std::unique_ptr<OutboxDelivery> delivery;
  std::unique_ptr<OutboxEncoder> encoder;
  std::unique_ptr<OutboxPump> pump;
  std::unique_ptr<LiveClock> clock;
  std::unique_ptr<MessageQueue> queue;
  std::unique_ptr<Partition> partition;
  // Intake (after the queue and partition it feeds): one of the two.
  std::mutex intake_mu;
  std::unique_ptr<JetStreamIntake> jetstream_intake;
  std::optional<NatsIntake> core_intake;
  std::atomic<bool> stopping{false};

  Status StartIntake();
  void StopIntakeNow();
};

Result<std::unique_ptr<LiveService>> LiveService::Start(RuleSetHolder& rules, LiveServiceOptions options) {
  auto parts = std::make_unique<Parts>();
  parts->options = std::move(options);
  Parts& p = *parts;
  LiveServiceOptions& o = p.options;

  // The state first: a bad data directory (or one another process owns)
  // is told before any connection.
  auto store = LmdbStateStore::Open(o.data_dir, o.store);
  if (!store.ok()) return store.status();

  NatsConnectionOptions nats_options = o.nats;
  if (!nats_options.logger) nats_options.logger = o.logger;
  auto connection = NatsConnection::Connect(o.nats_url, "patron run", nats_options);
  if (!connection.ok()) return connection.status();  // names the URL, redacted
  p.connection.emplace(std::move(connection.value()));

  size_t max_payload = 0;
  if (o.jetstream) {
    StreamOptions stream_options;
    stream_options.logger = o.logger;
    auto events = EnsureStream(*p.connection, o.events_stream, stream_options);
    if (!events.ok()) return events.status();
    auto actions = EnsureStream(*p.connection, o.actions_stream, stream_options);
    if (!actions.ok()) return actions.status();
    auto consumer = EnsureConsumer(*p.connection, o.consumer, stream_options);
    if (!consumer.ok()) return consumer.status();
    o.consumer = consumer->effective;
    max_payload = actions->max_payload > static_cast<int64_t>(kHeaderRoom)
                      ? static_cast<size_t>(actions->max_payload) - kHeaderRoom
                      : 0;
    // A redelivery inside the events stream's duplicate window must still
    // find its id: the processed ids are kept at least that long.
    const Duration window = std::chrono::duration_cast<std::chrono::microseconds>(
                                events->effective.duplicate_window)
                                .count();
    if (window > o.store.processed_min_retention && window > o.store.processed_retention) {
      o.logger->info("keeping processed ids for the stream's duplicate window ({} s)", window / kMicrosPerSecond);
      o.store.processed_min_retention = window;
      store.value().reset();
      store = LmdbStateStore::Open(o.data_dir, o.store);
      if (!store.ok()) return store.status();
    }
  }

  OutboxDeliveryOptions delivery;
  delivery.jetstream = o.jetstream;
  delivery.webhooks = o.webhooks;
  delivery.webhook_concurrency = o.webhook_concurrency;
  delivery.webhook_max_attempts = o.webhook_max_attempts;
  delivery.webhook_timeout = o.webhook_timeout;
  delivery.webhook_initial_backoff = o.webhook_initial_backoff;
  delivery.webhook_max_backoff = o.webhook_max_backoff;
  delivery.logger = o.logger;
  auto started_delivery = OutboxDelivery::Start(*p.connection, std::move(delivery));
  if (!started_delivery.ok()) return started_delivery.status();
  p.delivery = std::move(started_delivery.value());
  p.pump = std::make_unique<OutboxPump>(*p.delivery);

  OutboxEncoderOptions encoder;
  encoder.subject_prefix = o.subject_prefix;
  for (const auto& [name, url] : o.webhooks) encoder.webhook_endpoints.insert(name);
  encoder.max_payload = max_payload;
  encoder.logger = o.logger;
  OutboxDelivery* to = p.delivery.get();
  encoder.on_committed = [to](std::vector<OutboxRow>& rows) { to->Submit(rows); };
  p.encoder = std::make_unique<OutboxEncoder>(std::move(encoder));

  PartitionOptions partition;
  partition.engine.mask_staff_phones = o.mask_staff_phones;
  partition.engine.limits = o.limits;
  partition.engine.logger = o.logger;
  partition.engine.max_slices_per_fire = 1;  // a broadcast never stalls intake
  partition.engine.outbox_writer = p.encoder.get();
  partition.engine.outbox_tombstone_ttl = o.outbox_tombstone_ttl;
  partition.loop.batch_size = o.batch_size;
  partition.loop.batch_interval = o.batch_interval;
  partition.loop.fire_by_clock = true;
  partition.loop.fire_delay = o.late_grace;
  partition.loop.logger = o.logger;
  partition.loop.outbox = p.pump.get();
  p.clock = std::make_unique<LiveClock>(o.late_grace);
  p.partition = Partition::Adopt(rules, p.no_sink, *p.clock, std::move(store.value()), std::move(partition));
  p.queue = std::make_unique<MessageQueue>(o.queue_capacity);
  return std::make_unique<LiveService>(std::move(parts));
}

Status LiveService::Parts::StartIntake() {
  std::lock_guard<std::mutex> lock(intake_mu);
  if (stopping) return Status::Ok();
  MessageQueue* q = queue.get();
  if (options.jetstream) {
    JetStreamIntakeOptions intake;
    intake.consumer = options.consumer;
    intake.stream = options.events_stream;
    intake.logger = options.logger;
    auto started = JetStreamIntake::Start(*connection, intake, [q](InboundMessage m) { q->Push(std::move(m)); });
    if (!started.ok()) return started.status();
    jetstream_intake = std::move(started.value());
    JetStreamIntake* acker = jetstream_intake.get();
    q->SetAcknowledger([acker](std::span<const DeliveryToken> tokens) { acker->Acknowledge(tokens); });
  } else {
    auto started = NatsIntake::Start(*connection, options.subject_prefix + ".events.>",
                                     [q](InboundMessage m) { q->Push(std::move(m)); });
    if (!started.ok()) return started.status();
    core_intake.emplace(std::move(started.value()));
    PATRON_RETURN_IF_ERROR(connection->Flush(options.close_timeout));
  }
  return Status::Ok();
}

void LiveService::Parts::StopIntakeNow() {
  std::lock_guard<std::mutex> lock(intake_mu);
  if (jetstream_intake) jetstream_intake->Stop();
  if (core_intake) core_intake->Unsubscribe();
}

LiveService::LiveService(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

LiveService::~LiveService() {
  // Delivery stops before the queue and the partition it feeds go.
  if (parts_) parts_->StopIntakeNow();
}

void LiveService::Stop() {
  Parts& p = *parts_;
  if (p.stopping.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(p.intake_mu);
    Status drained = Status::Ok();
    if (p.jetstream_intake) drained = p.jetstream_intake->Drain(p.options.drain_timeout);
    if (p.core_intake) drained = p.core_intake->Drain(p.options.drain_timeout);
    if (!drained.ok()) p.options.logger->warn("draining the subscription: {}", drained.message());
  }
  p.queue->Close();
}

Status LiveService::Run() {
  Parts& p = *parts_;
  const auto stopping = [&p] { return p.stopping.load(); };
  // What the last run committed and did not deliver goes first (and, with
  // --republish-since, what it delivered lately), before any new event.
  auto settled = p.partition->SettleOutbox(*p.pump, true, p.options.republish_since, stopping,
                                           std::chrono::hours(24 * 365));
  if (!settled.ok() && !p.stopping) return settled.status();
  if (settled.ok() && *settled > 0) p.options.logger->info("outbox: {} rows from before sent at start", *settled);
  Status served = p.stopping ? Status::Ok() : p.StartIntake();
  if (served.ok() && !p.stopping.load()) {
    served = p.partition->Run(*p.queue);
  } else if (served.ok()) {
    p.queue->Close();
  }
  if (!served.ok()) p.StopIntakeNow();  // what was not committed is redelivered (JetStream)
  if (served.ok()) {
    // The last rows, bounded; the rest stay in LMDB for the next start.
    auto last = p.partition->SettleOutbox(*p.pump, false, INT64_MAX, [] { return false; }, p.options.close_timeout);
    if (!last.ok()) p.options.logger->warn("outbox: {}; they are sent at the next start", last.status().message());
  }
  (void)p.delivery->Shutdown(std::chrono::milliseconds(0));
  p.StopIntakeNow();
  if (served.ok()) {
    if (Status drained = p.connection->Drain(p.options.close_timeout); !drained.ok()) served = drained;
  } else {
    p.connection->Close();
  }
  return served;
}

const EngineStats& LiveService::stats() const { return parts_->partition->stats(); }

}  // namespace patron::runtime
