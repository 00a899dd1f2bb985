#include "transport/jetstream_publisher.hpp"

#include <nats/nats.h>

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

#include "transport/internal/connection_access.hpp"
#include "transport/internal/nats_error.hpp"

namespace patron {

struct JetStreamPublisher::State {
  JetStreamPublisherOptions options;
  JetStreamPublishDone done;
  jsCtx* js = nullptr;
  mutable std::mutex mu;
  std::unordered_map<const natsMsg*, uint64_t> tags;  // messages in flight -> their tag
  std::atomic<uint64_t> duplicates{0};
  std::string subject_buf, id_buf;                    // NUL-terminated copies

  ~State() {
    if (js != nullptr) jsCtx_Destroy(js);
  }

  static void OnAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* err, void* closure) {
    auto* self = static_cast<State*>(closure);
    uint64_t tag = 0;
    bool known = false;
    {
      std::lock_guard<std::mutex> lock(self->mu);
      if (auto it = self->tags.find(msg); it != self->tags.end()) {
        tag = it->second;
        known = true;
        self->tags.erase(it);
      }
    }
    if (ack != nullptr && ack->Duplicate) self->duplicates.fetch_add(1, std::memory_order_relaxed);
    if (known) self->done(tag, Outcome(ack, err));
    natsMsg_Destroy(msg);
  }

  static Status Outcome(jsPubAck* ack, jsPubAckErr* err) {
    if (ack != nullptr) return Status::Ok();
    if (err == nullptr) return Status::Unavailable("JetStream publish: no acknowledgement");
    std::string text = "JetStream publish: ";
    text += err->ErrText != nullptr ? err->ErrText : natsStatus_GetText(err->Err);
    if (err->ErrCode != 0) text += " (error code " + std::to_string(static_cast<int>(err->ErrCode)) + ")";
    // The server answered with an API error about this message (not a
    // transport trouble): e.g. a message too large for the stream.
    if (err->Err == NATS_ERR && err->ErrCode == JSStreamMessageExceedsMaximumErr) return Status::Invalid(text);
    return Status::Unavailable(text);
  }
};

Result<std::unique_ptr<JetStreamPublisher>> JetStreamPublisher::Create(NatsConnection& connection,
                                                                       JetStreamPublisherOptions options,
                                                                       JetStreamPublishDone done) {
  natsConnection* nc = transport_internal::ConnectionAccess::Handle(connection);
  if (nc == nullptr) return Status::Unavailable("JetStream publisher: the connection is closed");
  auto state = std::make_unique<State>();
  state->options = options;
  state->done = std::move(done);
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.PublishAsync.MaxPending = options.max_pending;
  js_options.PublishAsync.StallWait = options.stall_wait.count();
  js_options.PublishAsync.AckHandler = &State::OnAck;
  js_options.PublishAsync.AckHandlerClosure = state.get();
  if (natsStatus s = natsConnection_JetStream(&state->js, nc, &js_options); s != NATS_OK) {
    return transport_internal::NatsError("JetStream context", s);
  }
  return std::unique_ptr<JetStreamPublisher>(new JetStreamPublisher(std::move(state)));
}

JetStreamPublisher::JetStreamPublisher(std::unique_ptr<State> state) : state_(std::move(state)) {}

JetStreamPublisher::~JetStreamPublisher() {
  // Outcomes still to come are dropped: take the messages back first so
  // that no callback reaches a freed state.
  // (libnats 3.4.1 crashes in js_PublishAsyncGetPendingList when nothing was
  // ever published: ask only when something is in flight.)
  if (state_ && state_->js != nullptr && in_flight() > 0) {
    natsMsgList pending = {};
    if (js_PublishAsyncGetPendingList(&pending, state_->js) == NATS_OK) natsMsgList_Destroy(&pending);
  }
}

Status JetStreamPublisher::Publish(std::string_view subject, std::string_view payload, std::string_view msg_id,
                                   uint64_t tag) {
  State& s = *state_;
  s.subject_buf.assign(subject);
  s.id_buf.assign(msg_id);
  natsMsg* msg = nullptr;
  natsStatus st = natsMsg_Create(&msg, s.subject_buf.c_str(), nullptr, payload.data(), static_cast<int>(payload.size()));
  if (st != NATS_OK) return transport_internal::NatsError("JetStream publish", st);
  jsPubOptions pub;
  jsPubOptions_Init(&pub);
  pub.MsgId = s.id_buf.c_str();
  pub.MaxWait = s.options.ack_timeout.count();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.tags.emplace(msg, tag);
  }
  const natsMsg* key = msg;
  st = js_PublishMsgAsync(s.js, &msg, &pub);
  if (st != NATS_OK) {
    Status failed = transport_internal::NatsError("JetStream publish to " + s.subject_buf, st);
    {
      std::lock_guard<std::mutex> lock(s.mu);
      s.tags.erase(key);
    }
    natsMsg_Destroy(msg);  // still ours on failure (no effect when the library took it)
    if (st == NATS_MAX_PAYLOAD || st == NATS_INVALID_SUBJECT) return Status::Invalid(failed.message());
    return Status::Unavailable(failed.message());
  }
  return Status::Ok();
}

size_t JetStreamPublisher::in_flight() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->tags.size();
}

uint64_t JetStreamPublisher::duplicates() const { return state_->duplicates.load(std::memory_order_relaxed); }

}  // namespace patron
