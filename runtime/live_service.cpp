#include "runtime/live_service.hpp"

#include <atomic>
#include <utility>

#include <spdlog/spdlog.h>

#include "actions/fanout_sink.hpp"
#include "transport/nats_connection.hpp"
#include "transport/nats_intake.hpp"
#include "actions/nats_sink.hpp"
#include "actions/webhook_sink.hpp"
#include "runtime/message_queue.hpp"
#include "runtime/partition.hpp"
#include "runtime/live_clock.hpp"

namespace patron::runtime {

struct LiveService::Parts {
  LiveServiceOptions options;
  std::optional<NatsConnection> connection;
  std::unique_ptr<NatsSink> nats_sink;
  std::unique_ptr<WebhookSink> webhooks;  // null without endpoints
  std::unique_ptr<FanoutSink> sink;
  std::unique_ptr<LiveClock> clock;
  std::unique_ptr<MessageQueue> queue;
  std::unique_ptr<Partition> partition;
  std::optional<NatsIntake> intake;  // after the queue and partition it feeds
  std::atomic<bool> stopping{false};
};

Result<std::unique_ptr<LiveService>> LiveService::Start(RuleSetHolder& rules, LiveServiceOptions options) {
  auto parts = std::make_unique<Parts>();
  parts->options = std::move(options);
  Parts& p = *parts;
  const LiveServiceOptions& o = p.options;

  // The state first: a bad data directory is told before any connection.
  auto store = LmdbStateStore::Open(o.data_dir, o.store);
  if (!store.ok()) return store.status();

  NatsConnectionOptions nats_options = o.nats;
  if (!nats_options.logger) nats_options.logger = o.logger;
  auto connection = NatsConnection::Connect(o.nats_url, "patron run", nats_options);
  if (!connection.ok()) return connection.status();  // names the URL, redacted
  p.connection.emplace(std::move(connection.value()));
  NatsSinkOptions sink_options;
  sink_options.subject_prefix = o.subject_prefix;
  p.nats_sink = std::make_unique<NatsSink>(*p.connection, sink_options);
  // Webhook actions go out on NATS like every action, and are also POSTed
  // when their endpoint is configured.
  if (!o.webhooks.empty()) {
    WebhookSinkOptions webhook_options;
    webhook_options.endpoints = o.webhooks;
    webhook_options.logger = o.logger;
    auto created = WebhookSink::Create(webhook_options);
    if (!created.ok()) return created.status();
    p.webhooks = std::move(created.value());
  }
  p.sink = std::make_unique<FanoutSink>(std::vector<ActionSink*>{p.nats_sink.get()}, p.webhooks.get());

  PartitionOptions partition;
  partition.engine.mask_staff_phones = o.mask_staff_phones;
  partition.engine.limits = o.limits;
  partition.engine.logger = o.logger;
  partition.engine.max_slices_per_fire = 1;  // a broadcast never stalls intake
  partition.loop.batch_size = o.batch_size;
  partition.loop.batch_interval = o.batch_interval;
  partition.loop.fire_by_clock = true;
  partition.loop.fire_delay = o.late_grace;
  partition.loop.logger = o.logger;
  p.clock = std::make_unique<LiveClock>(o.late_grace);
  p.partition = Partition::Adopt(rules, *p.sink, *p.clock, std::move(store.value()), std::move(partition));

  p.queue = std::make_unique<MessageQueue>(o.queue_capacity);
  MessageQueue* queue = p.queue.get();
  const std::string intake = o.subject_prefix + ".events.>";
  auto started = NatsIntake::Start(*p.connection, intake, [queue](InboundMessage m) { queue->Push(std::move(m)); });
  if (!started.ok()) return started.status();
  p.intake.emplace(std::move(started.value()));
  PATRON_RETURN_IF_ERROR(p.connection->Flush(o.close_timeout));
  return std::make_unique<LiveService>(std::move(parts));
}

LiveService::LiveService(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

LiveService::~LiveService() {
  // Delivery stops before the queue and the partition it feeds go.
  if (parts_ && parts_->intake) parts_->intake->Unsubscribe();
}

void LiveService::Stop() {
  Parts& p = *parts_;
  if (p.stopping.exchange(true)) return;
  if (Status drained = p.intake->Drain(p.options.drain_timeout); !drained.ok()) {
    p.options.logger->warn("draining the subscription: {}", drained.message());
  }
  p.queue->Close();
}

Status LiveService::Run() {
  Parts& p = *parts_;
  Status served = p.partition->Run(*p.queue);
  if (!served.ok()) {
    // The loop closed the queue; stop delivery at once. What was not
    // committed is redelivered to nobody (core NATS), but nothing
    // uncommitted was published either.
    p.intake->Unsubscribe();
  }
  if (p.webhooks != nullptr) p.webhooks->Shutdown();  // delivers what is queued, bounded
  if (served.ok()) {
    if (Status drained = p.connection->Drain(p.options.close_timeout); !drained.ok()) served = drained;
  } else {
    p.connection->Close();
  }
  return served;
}

const EngineStats& LiveService::stats() const { return parts_->partition->stats(); }

}  // namespace patron::runtime
