#include "transport/nats_connection.hpp"

#include <nats/nats.h>

#include <spdlog/logger.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include "transport/internal/connection_access.hpp"
#include "transport/internal/nats_error.hpp"

namespace patron {
namespace {

using transport_internal::NatsError;

// Extra time, beyond a drain's own timeout, for libnats to report the close.
constexpr std::chrono::milliseconds kCloseReportMargin{1'000};

struct OptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};

// A flag set once from a libnats thread, awaited with a bound.
class Latch {
 public:
  void Set() {
    std::lock_guard<std::mutex> lock(mu_);
    set_ = true;
    cv_.notify_all();
  }
  bool Wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return set_; });
  }
  bool IsSet() {
    std::lock_guard<std::mutex> lock(mu_);
    return set_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------
// Subscription

struct NatsSubscription::State {
  NatsMessageHandler handler;
  // Shared with the connection: the subscription may outlive it.
  std::shared_ptr<NatsCounters> counters;
  std::shared_ptr<spdlog::logger> logger;
  std::chrono::milliseconds close_timeout{};
  // Set once by Subscribe, destroyed with the state: the handle stays valid
  // after closing, so the methods may run on several threads at once.
  natsSubscription* sub = nullptr;
  // Set by libnats once the subscription is closed and the handler has
  // returned for the last time.
  Latch complete;
  // libnats answers no counts for a closed subscription: the dropped count
  // as last read before closing began.
  std::atomic<int64_t> dropped_before_close{0};

  ~State() {
    if (sub != nullptr) natsSubscription_Destroy(sub);
  }

  // Remembers libnats' dropped count (a no-op once closed).
  void RememberDropped() {
    int64_t n = 0;
    if (sub != nullptr && natsSubscription_GetDropped(sub, &n) == NATS_OK)
      dropped_before_close.store(n, std::memory_order_relaxed);
  }

  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) {
    std::unique_ptr<natsMsg, MsgDeleter> msg(raw);
    auto* self = static_cast<State*>(closure);
    const char* data = natsMsg_GetData(msg.get());
    const int size = natsMsg_GetDataLength(msg.get());
    try {
      self->handler(natsMsg_GetSubject(msg.get()),
                    std::string_view(data != nullptr ? data : "", size > 0 ? static_cast<size_t>(size) : 0));
    } catch (const std::exception& e) {
      self->counters->handler_exceptions.fetch_add(1, std::memory_order_relaxed);
      if (self->logger) self->logger->error("NATS message handler threw: {}", e.what());
    } catch (...) {
      self->counters->handler_exceptions.fetch_add(1, std::memory_order_relaxed);
      if (self->logger) self->logger->error("NATS message handler threw");
    }
  }
  static void OnComplete(void* closure) { static_cast<State*>(closure)->complete.Set(); }

  // Stops delivery and waits for the handler's last return. Returns false
  // when the handler did not finish within the bound (the state must then
  // be leaked rather than freed under a running handler).
  bool Close() {
    if (sub == nullptr) return true;
    RememberDropped();
    natsSubscription_Unsubscribe(sub);  // fails harmlessly when already closed
    return complete.Wait(close_timeout);
  }

  // Closes and frees `state`, or leaks it when its handler may still run.
  static void Release(std::unique_ptr<State>& state) {
    if (!state) return;
    if (!state->Close()) {
      if (state->logger)
        state->logger->error("NATS subscription handler did not finish; its state is leaked");
      (void)state.release();
      return;
    }
    state.reset();
  }
};

NatsSubscription::NatsSubscription(std::unique_ptr<State> state) : state_(std::move(state)) {}
NatsSubscription::NatsSubscription(NatsSubscription&&) noexcept = default;

NatsSubscription& NatsSubscription::operator=(NatsSubscription&& other) noexcept {
  if (this != &other) {
    State::Release(state_);
    state_ = std::move(other.state_);
  }
  return *this;
}

NatsSubscription::~NatsSubscription() { State::Release(state_); }

void NatsSubscription::Unsubscribe() {
  if (state_) state_->Close();
}

int64_t NatsSubscription::dropped() const {
  if (!state_) return 0;
  int64_t dropped = 0;
  if (state_->sub != nullptr && natsSubscription_GetDropped(state_->sub, &dropped) == NATS_OK) return dropped;
  return state_->dropped_before_close.load(std::memory_order_relaxed);
}

int NatsSubscription::pending() const {
  int msgs = 0;
  if (state_ && state_->sub != nullptr) natsSubscription_GetPending(state_->sub, &msgs, nullptr);
  return msgs;
}

Status NatsSubscription::Drain(std::chrono::milliseconds timeout) {
  // Closed already (unsubscribed, drained, or its connection closed).
  if (!state_ || state_->sub == nullptr || state_->complete.IsSet()) return Status::Ok();
  state_->RememberDropped();
  natsStatus s = natsSubscription_DrainTimeout(state_->sub, timeout.count());
  if (s != NATS_OK) return NatsError("drain subscription", s);
  s = natsSubscription_WaitForDrainCompletion(state_->sub, timeout.count());
  if (s != NATS_OK) return NatsError("wait for subscription drain", s);
  s = natsSubscription_DrainCompletionStatus(state_->sub);
  if (s != NATS_OK) return NatsError("subscription drain", s);
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Connection

struct NatsConnection::State {
  NatsConnectionOptions options;
  std::shared_ptr<NatsCounters> counters = std::make_shared<NatsCounters>();
  natsConnection* nc = nullptr;
  // Set by libnats' closed callback: after it no callback touches this state.
  Latch closed;

  static void OnClosed(natsConnection*, void* closure) { static_cast<State*>(closure)->closed.Set(); }
  static void OnDisconnected(natsConnection*, void* closure) {
    auto* self = static_cast<State*>(closure);
    self->counters->disconnects.fetch_add(1, std::memory_order_relaxed);
    if (self->options.logger) self->options.logger->warn("NATS connection lost");
  }
  static void OnReconnected(natsConnection* nc, void* closure) {
    auto* self = static_cast<State*>(closure);
    self->counters->reconnects.fetch_add(1, std::memory_order_relaxed);
    if (self->options.logger) {
      char url[256] = {};
      natsConnection_GetConnectedUrl(nc, url, sizeof(url));
      self->options.logger->info("NATS reconnected to {}", url);
    }
  }
  static void OnError(natsConnection*, natsSubscription* sub, natsStatus err, void* closure) {
    auto* self = static_cast<State*>(closure);
    if (err == NATS_SLOW_CONSUMER) {
      self->counters->slow_consumer_events.fetch_add(1, std::memory_order_relaxed);
      if (self->options.logger) {
        int64_t dropped = 0;
        if (sub != nullptr) natsSubscription_GetDropped(sub, &dropped);
        const char* subject = sub != nullptr ? natsSubscription_GetSubject(sub) : nullptr;
        self->options.logger->warn("NATS slow consumer on '{}': {} messages dropped so far",
                                   subject != nullptr ? subject : "?", dropped);
      }
      return;
    }
    self->counters->async_errors.fetch_add(1, std::memory_order_relaxed);
    if (self->options.logger)
      self->options.logger->error("NATS asynchronous error: {}", natsStatus_GetText(err));
  }

  // Closes, waits for the confirmation, destroys the handle. False when the
  // confirmation did not come (the state must then be leaked).
  bool Shutdown() {
    if (nc == nullptr) return true;
    natsConnection_Close(nc);
    const bool confirmed = closed.Wait(options.close_timeout);
    natsConnection_Destroy(nc);
    nc = nullptr;
    return confirmed;
  }
};

Result<NatsConnection> NatsConnection::Connect(std::string_view url, std::string_view name,
                                               NatsConnectionOptions options) {
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  const NatsConnectionOptions& o = state->options;

  natsOptions* raw_opts = nullptr;
  natsStatus s = natsOptions_Create(&raw_opts);
  if (s != NATS_OK) return NatsError("create NATS options", s);
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw_opts);

  const std::string url_text(url);
  const std::string name_text(name);
  // Each setter only fails on invalid arguments; the first failure is reported.
  struct Step {
    const char* what;
    natsStatus status;
  };
  State* closure = state.get();
  const Step steps[] = {
      {"set URL", natsOptions_SetURL(opts.get(), url_text.c_str())},
      {"set name", natsOptions_SetName(opts.get(), name_text.c_str())},
      {"set timeout", natsOptions_SetTimeout(opts.get(), o.connect_timeout.count())},
      {"set max reconnect", natsOptions_SetMaxReconnect(opts.get(), o.max_reconnect)},
      {"set reconnect wait", natsOptions_SetReconnectWait(opts.get(), o.reconnect_wait.count())},
      {"set reconnect buffer", natsOptions_SetReconnectBufSize(opts.get(), o.reconnect_buffer_bytes)},
      {"set max pending", natsOptions_SetMaxPendingMsgs(opts.get(), o.pending_messages_limit)},
      {"set closed callback", natsOptions_SetClosedCB(opts.get(), &State::OnClosed, closure)},
      {"set disconnected callback",
       natsOptions_SetDisconnectedCB(opts.get(), &State::OnDisconnected, closure)},
      {"set reconnected callback", natsOptions_SetReconnectedCB(opts.get(), &State::OnReconnected, closure)},
      {"set error handler", natsOptions_SetErrorHandler(opts.get(), &State::OnError, closure)},
      {"set retry on failed connect",
       natsOptions_SetRetryOnFailedConnect(opts.get(), o.retry_on_failed_connect, nullptr, nullptr)},
  };
  for (const Step& step : steps) {
    if (step.status != NATS_OK) return NatsError(std::string("NATS options: ") + step.what, step.status);
  }

  s = natsConnection_Connect(&state->nc, opts.get());
  if (s == NATS_NOT_YET_CONNECTED && o.retry_on_failed_connect) s = NATS_OK;
  if (s != NATS_OK) {
    // No connection object exists, so no callback will ever use `state`.
    state->nc = nullptr;
    return NatsError("connect to " + url_text, s);
  }
  return NatsConnection(std::move(state));
}

NatsConnection::NatsConnection(std::unique_ptr<State> state) : state_(std::move(state)) {}
NatsConnection::NatsConnection(NatsConnection&&) noexcept = default;

NatsConnection& NatsConnection::operator=(NatsConnection&& other) noexcept {
  if (this != &other) {
    Close();
    state_ = std::move(other.state_);
  }
  return *this;
}

NatsConnection::~NatsConnection() { Close(); }

void NatsConnection::Close() {
  if (!state_ || state_->nc == nullptr) return;
  if (!state_->Shutdown()) {
    if (state_->options.logger)
      state_->options.logger->error("NATS close was not confirmed; its state is leaked");
    (void)state_.release();
  }
}

Status NatsConnection::Publish(std::string_view subject, std::string_view data) {
  if (!state_ || state_->nc == nullptr) return Status::Unavailable("NATS connection is closed");
  // libnats wants a NUL-terminated subject; subjects are short.
  const std::string subject_text(subject);
  natsStatus s =
      natsConnection_Publish(state_->nc, subject_text.c_str(), data.data(), static_cast<int>(data.size()));
  if (s != NATS_OK) return NatsError("publish to " + subject_text, s);
  return Status::Ok();
}

Status NatsConnection::Flush(std::chrono::milliseconds timeout) {
  if (!state_ || state_->nc == nullptr) return Status::Unavailable("NATS connection is closed");
  natsStatus s = natsConnection_FlushTimeout(state_->nc, timeout.count());
  if (s != NATS_OK) return NatsError("flush", s);
  return Status::Ok();
}

Result<NatsSubscription> NatsConnection::Subscribe(std::string_view subject, NatsMessageHandler handler) {
  if (!state_ || state_->nc == nullptr) return Status::Unavailable("NATS connection is closed");
  auto sub_state = std::make_unique<NatsSubscription::State>();
  sub_state->handler = std::move(handler);
  sub_state->counters = state_->counters;
  sub_state->logger = state_->options.logger;
  sub_state->close_timeout = state_->options.close_timeout;
  const std::string subject_text(subject);
  natsStatus s = natsConnection_Subscribe(&sub_state->sub, state_->nc, subject_text.c_str(),
                                          &NatsSubscription::State::OnMessage, sub_state.get());
  if (s != NATS_OK) {
    sub_state->sub = nullptr;
    return NatsError("subscribe to " + subject_text, s);
  }
  NatsSubscription subscription(std::move(sub_state));
  NatsSubscription::State& st = *subscription.state_;
  s = natsSubscription_SetOnCompleteCB(st.sub, &NatsSubscription::State::OnComplete, &st);
  if (s != NATS_OK) {
    // Already closed (the connection went away): no handler call is coming.
    st.complete.Set();
    return NatsError("subscribe to " + subject_text, s);
  }
  s = natsSubscription_SetPendingLimits(st.sub, state_->options.pending_messages_limit,
                                        state_->options.pending_bytes_limit);
  if (s != NATS_OK) return NatsError("set pending limits of " + subject_text, s);
  return subscription;
}

Status NatsConnection::Drain(std::chrono::milliseconds timeout) {
  if (!state_ || state_->nc == nullptr) return Status::Ok();
  natsStatus s = natsConnection_DrainTimeout(state_->nc, timeout.count());
  Status result;
  if (s != NATS_OK) {
    result = NatsError("drain", s);
  } else if (!state_->closed.Wait(timeout + kCloseReportMargin)) {
    result =
        Status::Unavailable("NATS drain did not finish within " + std::to_string(timeout.count()) + " ms");
  }
  Close();
  return result;
}

bool NatsConnection::IsConnected() const {
  return state_ && state_->nc != nullptr && natsConnection_Status(state_->nc) == NATS_CONN_STATUS_CONNECTED;
}

bool NatsConnection::IsClosed() const {
  return !state_ || state_->nc == nullptr || natsConnection_IsClosed(state_->nc);
}

const NatsCounters& NatsConnection::counters() const {
  // A moved-from connection still answers with zeros.
  static const NatsCounters kNone;
  return state_ ? *state_->counters : kNone;
}

natsConnection* transport_internal::ConnectionAccess::Handle(const NatsConnection& connection) {
  return connection.state_ ? connection.state_->nc : nullptr;
}

}  // namespace patron
