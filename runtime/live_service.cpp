#include "runtime/live_service.hpp"

#include <sys/statvfs.h>

#include <atomic>
#include <thread>
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
  // To build the partition again after a store failure (a full disk).
  RuleSetHolder* rules = nullptr;
  PartitionOptions partition_options;
  EngineStats no_stats;  // stats() while no partition is open

  ConsumerSettings consumer;  // the consumer as the server has it
  std::atomic<bool> connection_closed{false};

  Status Connect(size_t& max_payload, Duration& duplicate_window);
  void Disconnect();
  Status StartIntake();
  void StopIntakeNow();
  // Serves until the queue ends; a watcher closes the queue when the
  // connection is closed for good (connection_closed).
  Status Serve();
  // After the partition failed on its state: waits, opens it again and
  // serves again, until it serves to the end, fails otherwise, or Stop().
  Status Recover(Status failure);
};

// Connects (waiting for a server as options.nats says), ensures the streams
// and the consumer, and starts the outbox's delivery on the connection.
// `max_payload` and `duplicate_window` are what the server and the events
// stream say.
Status LiveService::Parts::Connect(size_t& max_payload, Duration& duplicate_window) {
  const LiveServiceOptions& o = options;
  NatsConnectionOptions nats_options = o.nats;
  if (!nats_options.logger) nats_options.logger = o.logger;
  auto connected = NatsConnection::Connect(o.nats_url, "patron run", nats_options);
  if (!connected.ok()) return connected.status();  // names the URL, redacted
  connection.emplace(std::move(connected.value()));
  max_payload = 0;
  duplicate_window = 0;
  if (o.jetstream) {
    StreamOptions stream_options;
    stream_options.logger = o.logger;
    auto events = EnsureStream(*connection, o.events_stream, stream_options);
    if (!events.ok()) return events.status();
    auto actions = EnsureStream(*connection, o.actions_stream, stream_options);
    if (!actions.ok()) return actions.status();
    auto ensured = EnsureConsumer(*connection, o.consumer, stream_options);
    if (!ensured.ok()) return ensured.status();
    consumer = ensured->effective;
    max_payload = actions->max_payload > static_cast<int64_t>(kHeaderRoom)
                      ? static_cast<size_t>(actions->max_payload) - kHeaderRoom
                      : 0;
    duplicate_window =
        std::chrono::duration_cast<std::chrono::microseconds>(events->effective.duplicate_window).count();
  }
  OutboxDeliveryOptions d;
  d.jetstream = o.jetstream;
  d.webhooks = o.webhooks;
  d.webhook_concurrency = o.webhook_concurrency;
  d.webhook_max_attempts = o.webhook_max_attempts;
  d.webhook_timeout = o.webhook_timeout;
  d.webhook_initial_backoff = o.webhook_initial_backoff;
  d.webhook_max_backoff = o.webhook_max_backoff;
  d.logger = o.logger;
  auto started = OutboxDelivery::Start(*connection, std::move(d));
  if (!started.ok()) return started.status();
  delivery = std::move(started.value());
  if (pump) {
    pump->Rebind(*delivery);
  } else {
    pump = std::make_unique<OutboxPump>(*delivery);
  }
  if (encoder) encoder->set_max_payload(max_payload);
  return Status::Ok();
}

// Drops the connection and what runs on it (intake, delivery); the rows
// not delivered stay unsent in LMDB.
void LiveService::Parts::Disconnect() {
  StopIntakeNow();
  {
    std::lock_guard<std::mutex> lock(intake_mu);
    jetstream_intake.reset();
    core_intake.reset();
  }
  if (delivery) (void)delivery->Shutdown(std::chrono::milliseconds(0));
  if (connection) connection->Close();
  delivery.reset();
  connection.reset();
}

Result<std::unique_ptr<LiveService>> LiveService::Start(RuleSetHolder& rules, LiveServiceOptions options) {
  auto parts = std::make_unique<Parts>();
  parts->options = std::move(options);
  Parts& p = *parts;
  LiveServiceOptions& o = p.options;
  p.consumer = o.consumer;

  // The state first: a bad data directory (or one another process owns)
  // is told before any connection.
  auto store = LmdbStateStore::Open(o.data_dir, o.store);
  if (!store.ok()) return store.status();

  size_t max_payload = 0;
  Duration window = 0;
  PATRON_RETURN_IF_ERROR(p.Connect(max_payload, window));
  // A redelivery inside the events stream's duplicate window must still
  // find its id: the processed ids are kept at least that long.
  if (window > o.store.processed_min_retention && window > o.store.processed_retention) {
    o.logger->info("keeping processed ids for the stream's duplicate window ({} s)", window / kMicrosPerSecond);
    o.store.processed_min_retention = window;
    store.value().reset();
    store = LmdbStateStore::Open(o.data_dir, o.store);
    if (!store.ok()) return store.status();
  }

  OutboxEncoderOptions encoder;
  encoder.subject_prefix = o.subject_prefix;
  for (const auto& [name, url] : o.webhooks) encoder.webhook_endpoints.insert(name);
  encoder.max_payload = max_payload;
  encoder.logger = o.logger;
  // The engine's thread commits and hands the rows on; the delivery is only
  // replaced on that thread, between runs of the loop.
  encoder.on_committed = [&p](std::vector<OutboxRow>& rows) { p.delivery->Submit(rows); };
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
  p.rules = &rules;
  p.partition_options = partition;
  p.partition_options.data_dir = o.data_dir;
  p.partition_options.store = o.store;
  p.partition = Partition::Adopt(rules, p.no_sink, *p.clock, std::move(store.value()), std::move(partition));
  p.queue = std::make_unique<MessageQueue>(o.queue_capacity);
  return std::make_unique<LiveService>(std::move(parts));
}

Status LiveService::Parts::StartIntake() {
  std::lock_guard<std::mutex> lock(intake_mu);
  if (stopping) return Status::Ok();
  MessageQueue* q = queue.get();
  if (options.jetstream) {
    StreamOptions stream_options;
    stream_options.logger = options.logger;
    auto rewound = RewindConsumer(*connection, consumer, stream_options);
    if (!rewound.ok()) return rewound.status();
    JetStreamIntakeOptions intake;
    intake.consumer = consumer;
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

namespace {

// Free bytes for an unprivileged writer on the file system of `dir`; -1
// when it cannot be told.
int64_t FreeBytes(const std::string& dir) {
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) != 0) return -1;
  return static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
}

// Below this, a failed write is put down to a full disk.
constexpr int64_t kLowSpace = 64 << 20;
constexpr auto kRecoverPause = std::chrono::seconds(5);

}  // namespace

Status LiveService::Parts::Recover(Status failure) {
  // Only a store that could not write (a full disk, an I/O error) is worth
  // waiting for; anything else (corruption, a broken invariant) stops.
  while (!failure.ok() && failure.code() == StatusCode::kIoError && !stopping) {
    const int64_t free = FreeBytes(options.data_dir);
    const std::string why = free >= 0 && free < kLowSpace
                                ? "no space left on device (" + std::to_string(free) + " bytes free for " +
                                      options.data_dir + ")"
                                : failure.message();
    options.logger->error(
        "the state could not be written: {}; intake stopped, nothing uncommitted was acknowledged (JetStream "
        "delivers it again); trying again in {} s",
        why, kRecoverPause.count());
    StopIntakeNow();
    {
      std::lock_guard<std::mutex> lock(intake_mu);
      jetstream_intake.reset();
      core_intake.reset();
    }
    partition.reset();  // closes the store (and its lock) before it is opened again
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + kRecoverPause;
      while (!stopping && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (stopping) return Status::Ok();
      auto reopened = Partition::Open(*rules, no_sink, *clock, partition_options);
      if (reopened.ok()) {
        partition = std::move(reopened.value());
        break;
      }
      options.logger->error("opening the state again: {}; trying again in {} s", reopened.status().message(),
                            kRecoverPause.count());
    }
    options.logger->info("the state is open again: resuming intake");
    {
      std::lock_guard<std::mutex> lock(intake_mu);
      queue = std::make_unique<MessageQueue>(options.queue_capacity);
    }
    PATRON_RETURN_IF_ERROR(StartIntake());
    failure = stopping ? Status::Ok() : partition->Run(*queue);
  }
  return failure;
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
    p.queue->Close();
  }
}

Status LiveService::Parts::Serve() {
  std::atomic<bool> served{false};
  // libnats reconnects forever by default; when a connection is closed for
  // good anyway (a bounded --nats-max-reconnect, a fatal server error), the
  // loop finishes what it has and the service connects again.
  std::thread watcher([this, &served] {
    while (!served.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (!stopping.load() && connection && connection->IsClosed()) {
        connection_closed = true;
        std::lock_guard<std::mutex> lock(intake_mu);
        queue->Close();
        return;
      }
    }
  });
  Status result = Recover(partition->Run(*queue));
  served = true;
  watcher.join();
  return result;
}

Status LiveService::Run() {
  Parts& p = *parts_;
  const auto stopping = [&p] { return p.stopping.load(); };
  Status served = Status::Ok();
  TimePoint republish_since = p.options.republish_since;
  for (;;) {
    // What was committed and not delivered goes first (at start: what the
    // last run left; with --republish-since also what it delivered lately),
    // before any new event.
    auto settled = p.partition->SettleOutbox(*p.pump, true, republish_since, stopping, std::chrono::hours(24 * 365));
    republish_since = INT64_MAX;
    if (!settled.ok() && !p.stopping) return settled.status();
    if (settled.ok() && *settled > 0) p.options.logger->info("outbox: {} rows from before sent first", *settled);
    served = p.stopping ? Status::Ok() : p.StartIntake();
    if (!served.ok() && !p.stopping.load() && p.connection && p.connection->IsClosed()) {
      p.connection_closed = true;  // closed while the intake started: connect again, as below
      served = Status::Ok();
    } else if (served.ok() && !p.stopping.load()) {
      served = p.Serve();
    } else if (served.ok()) {
      p.queue->Close();
    }
    if (!served.ok() || p.stopping.load() || !p.connection_closed.exchange(false) || p.partition == nullptr) break;
    p.options.logger->warn("the NATS connection was closed: connecting again (what was not acked is delivered again)");
    p.Disconnect();
    {
      std::lock_guard<std::mutex> lock(p.intake_mu);
      p.queue = std::make_unique<MessageQueue>(p.options.queue_capacity);
    }
    size_t max_payload = 0;
    Duration window = 0;
    served = p.Connect(max_payload, window);
    if (!served.ok()) break;
  }
  if (p.partition == nullptr || !p.delivery) {  // stopped while recovering: nothing is open to settle
    p.Disconnect();
    return served;
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

const EngineStats& LiveService::stats() const {
  return parts_->partition ? parts_->partition->stats() : parts_->no_stats;
}

}  // namespace patron::runtime
