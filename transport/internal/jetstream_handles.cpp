#include "transport/internal/jetstream_handles.hpp"

#include "transport/internal/connection_access.hpp"
#include "transport/internal/nats_error.hpp"

namespace patron::transport_internal {

Result<JsContext> OpenJetStream(const NatsConnection& connection, std::chrono::milliseconds api_timeout) {
  natsConnection* nc = ConnectionAccess::Handle(connection);
  if (nc == nullptr) return Status::Unavailable("NATS connection is closed");
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = api_timeout.count();
  jsCtx* raw = nullptr;
  natsStatus s = natsConnection_JetStream(&raw, nc, &options);
  if (s != NATS_OK) return NatsError("open JetStream context", s);
  return JsContext(raw);
}

Status JetStreamError(std::string_view what, natsStatus status, jsErrCode code) {
  Status error = NatsError(what, status);
  if (status == NATS_NOT_FOUND || code == JSStreamNotFoundErr || code == JSConsumerNotFoundErr) {
    return Status::NotFound(error.message());
  }
  return error;
}

}  // namespace patron::transport_internal
