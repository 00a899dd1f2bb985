#include "transport/jetstream_intake.hpp"

#include <nats/nats.h>

#include <spdlog/logger.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "transport/internal/connection_access.hpp"
#include "transport/internal/held_messages.hpp"
#include "transport/internal/jetstream_handles.hpp"
#include "transport/internal/max_deliver_advisory.hpp"
#include "transport/internal/setting_differences.hpp"

namespace patron {
namespace {

using transport_internal::ConsumerInfo;
using transport_internal::HeldMessages;
using transport_internal::JetStreamError;
using transport_internal::MaxDeliveries;
using transport_internal::MetaData;
using transport_internal::Msg;
using transport_internal::SubscriptionRef;
using Clock = std::chrono::steady_clock;

// Refused stream sequences remembered to skip their advisory; a run that
// refuses more forgets them all (a second dead letter at worst).
constexpr size_t kMaxRememberedRefusals = 100'000;

int64_t NowTicks() { return Clock::now().time_since_epoch().count(); }

}  // namespace

struct JetStreamIntake::Impl {
  // A push subscription: libnats' callback closure.
  struct PushSubscription : SubscriptionRef {
    Impl* impl = nullptr;
    std::weak_ptr<SubscriptionRef> self;
  };

  NatsConnection* connection = nullptr;
  JetStreamIntakeOptions options;
  JetStreamIntakeHandler handler;
  transport_internal::JsContext js;
  IntakeMode mode = IntakeMode::kPush;
  int64_t max_deliver = -1;
  JetStreamIntakeCounters counters;
  HeldMessages held;

  // One handler call at a time; the sequence is given under it.
  std::mutex handler_mu;
  uint64_t sequence = 0;
  std::atomic<bool> accepting{true};  // messages are handed over

  std::mutex sub_mu;
  std::shared_ptr<SubscriptionRef> current;

  std::atomic<bool> running{true};  // the intake's thread goes on
  std::atomic<int64_t> last_arrival{NowTicks()};
  int64_t last_watch = NowTicks();  // the intake's thread only
  std::mutex wake_mu;
  std::condition_variable wake_cv;
  std::deque<MaxDeliveries> advisories;  // under wake_mu

  std::mutex refused_mu;
  std::unordered_set<uint64_t> refused_stream_sequences;

  std::optional<NatsSubscription> advisory_sub;
  std::thread thread;
  std::promise<void> thread_done;
  std::shared_future<void> thread_finished = thread_done.get_future().share();
  std::mutex stop_mu;
  bool stopped = false;  // under stop_mu

  // -- delivery ------------------------------------------------------------

  void Deliver(Msg msg, std::shared_ptr<SubscriptionRef> sub) {
    last_arrival.store(NowTicks(), std::memory_order_relaxed);
    if (!accepting.load()) return;  // freed unacknowledged: redelivered later
    InboundMessage m;
    m.subject = natsMsg_GetSubject(msg.get());
    const int size = natsMsg_GetDataLength(msg.get());
    if (size > 0) m.payload.assign(natsMsg_GetData(msg.get()), static_cast<size_t>(size));
    jsMsgMetaData* raw_meta = nullptr;
    if (max_deliver > 0 && natsMsg_GetMetaData(&raw_meta, msg.get()) == NATS_OK) {
      MetaData meta(raw_meta);
      if (meta->NumDelivered >= static_cast<uint64_t>(max_deliver)) {
        m.refused = transport_internal::MaxDeliverReason(meta->NumDelivered);
        RememberRefused(meta->Sequence.Stream);
        counters.refused.fetch_add(1, std::memory_order_relaxed);
        if (options.logger)
          options.logger->warn("stream {} message {} refused: {}", options.consumer.stream,
                               meta->Sequence.Stream, m.refused);
      }
    }
    std::lock_guard<std::mutex> lock(handler_mu);
    if (!accepting.load()) return;
    const uint64_t seq = ++sequence;
    m.token = DeliveryToken::Sequence(seq);
    held.Hold(seq, msg.release(), std::move(sub));
    Call(std::move(m), seq);
  }

  // Under handler_mu.
  void Call(InboundMessage m, uint64_t seq) {
    counters.delivered.store(seq, std::memory_order_relaxed);
    try {
      handler(std::move(m));
    } catch (const std::exception& e) {
      held.Drop(seq);
      counters.handler_exceptions.fetch_add(1, std::memory_order_relaxed);
      if (options.logger) options.logger->error("JetStream intake handler threw: {}", e.what());
    } catch (...) {
      held.Drop(seq);
      counters.handler_exceptions.fetch_add(1, std::memory_order_relaxed);
      if (options.logger) options.logger->error("JetStream intake handler threw");
    }
  }

  void RememberRefused(uint64_t stream_sequence) {
    std::lock_guard<std::mutex> lock(refused_mu);
    if (refused_stream_sequences.size() >= kMaxRememberedRefusals) refused_stream_sequences.clear();
    refused_stream_sequences.insert(stream_sequence);
  }
  bool WasRefused(uint64_t stream_sequence) {
    std::lock_guard<std::mutex> lock(refused_mu);
    return refused_stream_sequences.count(stream_sequence) != 0;
  }

  static void OnPushMessage(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) {
    Msg msg(raw);
    auto* push = static_cast<PushSubscription*>(closure);
    std::shared_ptr<SubscriptionRef> self = push->self.lock();
    if (!self) return;
    push->impl->Deliver(std::move(msg), std::move(self));
  }
  static void OnPushComplete(void* closure) { static_cast<PushSubscription*>(closure)->complete.set_value(); }

  // -- subscriptions ---------------------------------------------------------

  Result<std::shared_ptr<SubscriptionRef>> Subscribe() {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = options.consumer.stream.c_str();
    so.Consumer = options.consumer.durable.c_str();
    so.ManualAck = true;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (mode == IntakeMode::kPull) {
      auto ref = std::make_shared<SubscriptionRef>();
      natsStatus s = js_PullSubscribe(&ref->sub, js.get(), nullptr, nullptr, nullptr, &so, &code);
      if (s != NATS_OK) {
        ref->sub = nullptr;
        return JetStreamError("pull subscribe to " + options.consumer.durable, s, code);
      }
      return std::shared_ptr<SubscriptionRef>(std::move(ref));
    }
    auto push = std::make_shared<PushSubscription>();
    push->impl = this;
    push->self = push;
    natsStatus s =
        js_Subscribe(&push->sub, js.get(), nullptr, &OnPushMessage, push.get(), nullptr, &so, &code);
    if (s != NATS_OK) {
      push->sub = nullptr;
      return JetStreamError("push subscribe to " + options.consumer.durable, s, code);
    }
    if (natsSubscription_SetOnCompleteCB(push->sub, &OnPushComplete, push.get()) != NATS_OK) {
      push->complete.set_value();  // already closed: no callback is coming
    }
    natsSubscription_SetPendingLimits(push->sub, -1, -1);  // bounded by max_ack_pending
    return std::shared_ptr<SubscriptionRef>(std::move(push));
  }

  // Stops `sub`'s delivery; for push, waits (bounded) for its callback's last
  // return. Its handle lives on while messages from it are held.
  void Close(const std::shared_ptr<SubscriptionRef>& sub) {
    if (!sub || sub->sub == nullptr) return;
    natsSubscription_Unsubscribe(sub->sub);
    if (mode == IntakeMode::kPush &&
        sub->completed.wait_for(options.close_timeout) != std::future_status::ready && options.logger) {
      options.logger->error("JetStream push subscription did not confirm its close");
    }
  }

  std::shared_ptr<SubscriptionRef> Current() {
    std::lock_guard<std::mutex> lock(sub_mu);
    return current;
  }

  // Closes the current subscription and subscribes again; with `ensure`,
  // first creates the stream (when missing) and the consumer again (closing
  // first, so that a new push consumer delivers only to the new subscription).
  void Resubscribe(bool ensure) {
    std::shared_ptr<SubscriptionRef> old;
    {
      std::lock_guard<std::mutex> lock(sub_mu);
      old = std::move(current);
    }
    Close(old);
    // The server must see the old interest gone before a push consumer binds again.
    natsConnection_FlushTimeout(transport_internal::ConnectionAccess::Handle(*connection),
                                options.api_timeout.count());
    if (ensure) {
      Status ensured = EnsureAgain();
      if (!ensured.ok()) {
        if (options.logger) options.logger->warn("JetStream intake: {}; retrying", ensured.message());
        return;
      }
    }
    auto fresh = Subscribe();
    if (!fresh.ok()) {
      if (options.logger) options.logger->warn("JetStream intake: {}; retrying", fresh.status().message());
      return;
    }
    counters.resubscribes.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(sub_mu);
    current = std::move(fresh).value();
  }

  Status EnsureAgain() {
    StreamOptions so{options.api_timeout, options.logger};
    auto stream = EnsureStream(*connection, options.stream, so);
    if (!stream.ok()) return stream.status();
    ConsumerSettings wanted = options.consumer;
    wanted.mode = mode;
    return EnsureConsumer(*connection, wanted, so).status();
  }

  // -- the intake's thread -------------------------------------------------

  void Run() {
    while (running.load()) {
      if (mode == IntakeMode::kPull) {
        FetchOne();
      } else {
        WaitTick();
      }
      HandleAdvisories();
      Watchdog();
    }
    thread_done.set_value();
  }

  void WaitTick() {
    std::unique_lock<std::mutex> lock(wake_mu);
    wake_cv.wait_for(lock, options.fetch_timeout, [&] { return !running.load() || !advisories.empty(); });
  }

  void FetchOne() {
    std::shared_ptr<SubscriptionRef> sub = Current();
    if (!sub) {
      WaitTick();
      return;
    }
    natsMsgList list{nullptr, 0};
    jsErrCode code = static_cast<jsErrCode>(0);
    // Batch 1: see the header (nats.c #749).
    natsStatus s = natsSubscription_Fetch(&list, sub->sub, 1, options.fetch_timeout.count(), &code);
    if (s == NATS_OK) {
      for (int i = 0; i < list.Count; ++i) {
        Msg msg(list.Msgs[i]);
        list.Msgs[i] = nullptr;
        Deliver(std::move(msg), sub);
      }
      natsMsgList_Destroy(&list);
      return;
    }
    natsMsgList_Destroy(&list);
    if (s == NATS_TIMEOUT) return;
    const uint64_t errors = counters.fetch_errors.fetch_add(1, std::memory_order_relaxed) + 1;
    if (options.logger && (errors == 1 || errors % 100 == 0))
      options.logger->warn("JetStream fetch failed ({} so far): {}", errors, natsStatus_GetText(s));
    WaitTick();  // the server is away: do not spin
  }

  void OnAdvisory(std::string_view data) {
    auto advisory = transport_internal::ParseMaxDeliveries(data);
    if (!advisory) return;
    std::lock_guard<std::mutex> lock(wake_mu);
    advisories.push_back(*advisory);
    wake_cv.notify_all();
  }

  void HandleAdvisories() {
    std::deque<MaxDeliveries> taken_advisories;
    {
      std::lock_guard<std::mutex> lock(wake_mu);
      taken_advisories.swap(advisories);
    }
    for (const MaxDeliveries& a : taken_advisories) {
      if (WasRefused(a.stream_sequence)) {  // dead-lettered on its last delivery
        counters.advisories_skipped.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      natsMsg* raw = nullptr;
      jsErrCode code = static_cast<jsErrCode>(0);
      natsStatus s = js_GetMsg(&raw, js.get(), options.consumer.stream.c_str(), a.stream_sequence, nullptr, &code);
      if (s != NATS_OK) {
        if (options.logger)
          options.logger->warn("stream {} message {} reached max_deliver but cannot be read: {}",
                               options.consumer.stream, a.stream_sequence, natsStatus_GetText(s));
        continue;
      }
      Msg msg(raw);
      InboundMessage m;
      m.subject = natsMsg_GetSubject(msg.get());
      const int size = natsMsg_GetDataLength(msg.get());
      if (size > 0) m.payload.assign(natsMsg_GetData(msg.get()), static_cast<size_t>(size));
      m.refused = transport_internal::MaxDeliverReason(a.deliveries);
      RememberRefused(a.stream_sequence);
      counters.advisories.fetch_add(1, std::memory_order_relaxed);
      if (options.logger)
        options.logger->warn("stream {} message {} refused after the max-deliveries advisory: {}",
                             options.consumer.stream, a.stream_sequence, m.refused);
      std::lock_guard<std::mutex> lock(handler_mu);
      if (!accepting.load()) return;
      const uint64_t seq = ++sequence;
      m.token = DeliveryToken::Sequence(seq);  // nothing to ack: the server gave up on it
      Call(std::move(m), seq);
    }
  }

  void Watchdog() {
    const int64_t now = NowTicks();
    const auto ticks = [](std::chrono::milliseconds d) {
      return std::chrono::duration_cast<Clock::duration>(d).count();
    };
    const int64_t idle = ticks(options.watchdog_idle);
    const int64_t quiet = now - last_arrival.load(std::memory_order_relaxed);
    if (quiet < idle || now - last_watch < idle) return;
    last_watch = now;
    jsConsumerInfo* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetConsumerInfo(&raw, js.get(), options.consumer.stream.c_str(),
                                      options.consumer.durable.c_str(), nullptr, &code);
    if (s != NATS_OK) {
      Status error = JetStreamError("read consumer", s, code);
      if (error.code() == StatusCode::kNotFound) {
        if (options.logger)
          options.logger->warn("consumer {} > {} is gone; creating it again", options.consumer.stream,
                               options.consumer.durable);
        Resubscribe(true);
      } else if (options.logger) {
        options.logger->debug("JetStream watchdog: {}", error.message());
      }
      return;
    }
    ConsumerInfo info(raw);
    const uint64_t held_now = held.size();
    const jsConsumerConfig* config = info->Config;
    const int64_t max_ack = config != nullptr ? config->MaxAckPending : -1;
    const bool room = max_ack <= 0 || held_now < static_cast<uint64_t>(max_ack);
    // Unacknowledged messages this intake does not hold come back after the
    // ack wait by themselves; only when they do not is the subscription stuck.
    const int64_t ack_wait = config != nullptr ? ticks(std::chrono::milliseconds(config->AckWait / 1'000'000)) : 0;
    const bool lost =
        static_cast<uint64_t>(info->NumAckPending) > held_now && quiet > ack_wait + idle;
    const bool stuck = (info->NumPending > 0 && room) || lost || !Current();
    if (!stuck) return;
    if (options.logger)
      options.logger->warn(
          "consumer {} > {}: {} pending and {} unacknowledged on the server, {} held here, nothing arrived "
          "for {}; recreating the subscription",
          options.consumer.stream, options.consumer.durable, info->NumPending, info->NumAckPending, held_now,
          transport_internal::FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(
              Clock::duration(quiet))));
    Resubscribe(false);
  }

  // -- stopping -------------------------------------------------------------

  bool JoinThread(std::chrono::milliseconds timeout) {
    running.store(false);
    {
      std::lock_guard<std::mutex> lock(wake_mu);
      wake_cv.notify_all();
    }
    if (!thread.joinable()) return true;
    if (thread_finished.wait_for(timeout) != std::future_status::ready) return false;
    thread.join();
    return true;
  }

  void StopAll() {
    std::lock_guard<std::mutex> lock(stop_mu);
    if (stopped) return;
    stopped = true;
    running.store(false);
    accepting.store(false);
    Close(Current());
    if (advisory_sub) advisory_sub->Unsubscribe();
    // Waits for a fetch (bounded by fetch_timeout) and a handler call in progress.
    {
      std::lock_guard<std::mutex> wake(wake_mu);
      wake_cv.notify_all();
    }
    if (thread.joinable()) thread.join();
    std::lock_guard<std::mutex> wait_handler(handler_mu);
  }
};

Result<std::unique_ptr<JetStreamIntake>> JetStreamIntake::Start(NatsConnection& connection,
                                                                JetStreamIntakeOptions options,
                                                                JetStreamIntakeHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->connection = &connection;
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  auto js = transport_internal::OpenJetStream(connection, impl->options.api_timeout);
  if (!js.ok()) return js.status();
  impl->js = std::move(js).value();
  const ConsumerSettings& c = impl->options.consumer;
  jsConsumerInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&raw, impl->js.get(), c.stream.c_str(), c.durable.c_str(), nullptr, &code);
  if (s != NATS_OK) return JetStreamError("read consumer " + c.stream + " > " + c.durable, s, code);
  ConsumerInfo info(raw);
  const char* deliver = info->Config->DeliverSubject;
  impl->mode = deliver != nullptr && *deliver != '\0' ? IntakeMode::kPush : IntakeMode::kPull;
  impl->max_deliver = info->Config->MaxDeliver;

  if (impl->options.max_deliveries_advisory) {
    Impl* self = impl.get();
    auto sub = connection.Subscribe(transport_internal::MaxDeliveriesSubject(c.stream, c.durable),
                                    [self](std::string_view, std::string_view data) { self->OnAdvisory(data); });
    if (!sub.ok()) return sub.status();
    impl->advisory_sub.emplace(std::move(sub).value());
  }
  auto sub = impl->Subscribe();
  if (!sub.ok()) return sub.status();
  impl->current = std::move(sub).value();
  Impl* self = impl.get();
  impl->thread = std::thread([self] { self->Run(); });
  return std::unique_ptr<JetStreamIntake>(new JetStreamIntake(std::move(impl)));
}

JetStreamIntake::JetStreamIntake(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

JetStreamIntake::~JetStreamIntake() {
  impl_->StopAll();
  impl_->advisory_sub.reset();
  // Still held: freed unacknowledged with impl_->held (before the context).
}

void JetStreamIntake::Acknowledge(std::span<const DeliveryToken> tokens) {
  const size_t acked = impl_->held.Acknowledge(tokens);
  impl_->counters.acknowledged.fetch_add(acked, std::memory_order_relaxed);
}

Status JetStreamIntake::Drain(std::chrono::milliseconds timeout) {
  Impl& i = *impl_;
  {
    std::lock_guard<std::mutex> lock(i.stop_mu);
    if (i.stopped) return Status::Ok();
  }
  const auto deadline = Clock::now() + timeout;
  // The thread stops first, so the watchdog cannot subscribe again.
  if (!i.JoinThread(timeout)) return Status::Unavailable("JetStream intake did not stop fetching in time");
  if (i.mode == IntakeMode::kPush) {
    std::shared_ptr<SubscriptionRef> sub = i.Current();
    if (sub && sub->sub != nullptr) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      natsSubscription_DrainTimeout(sub->sub, std::max<int64_t>(1, left.count()));
      if (sub->completed.wait_until(deadline) != std::future_status::ready)
        return Status::Unavailable("JetStream intake drain did not finish in time");
    }
  }
  i.StopAll();
  return Status::Ok();
}

void JetStreamIntake::Stop() { impl_->StopAll(); }

IntakeMode JetStreamIntake::mode() const { return impl_->mode; }
int64_t JetStreamIntake::max_deliver() const { return impl_->max_deliver; }
size_t JetStreamIntake::unacknowledged() const { return impl_->held.size(); }
const JetStreamIntakeCounters& JetStreamIntake::counters() const { return impl_->counters; }

}  // namespace patron
