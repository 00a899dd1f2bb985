#pragma once
// Private to transport/: RAII over libnats' JetStream objects (context,
// stream and consumer info, messages, metadata) and the JetStream error of
// a call, for the streams and the intake.

#include <nats/nats.h>

#include <chrono>
#include <memory>
#include <string_view>

#include "base/result.hpp"
#include "transport/nats_connection.hpp"

namespace patron::transport_internal {

struct JsCtxDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
struct StreamInfoDeleter {
  void operator()(jsStreamInfo* si) const { jsStreamInfo_Destroy(si); }
};
struct ConsumerInfoDeleter {
  void operator()(jsConsumerInfo* ci) const { jsConsumerInfo_Destroy(ci); }
};
struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
struct MetaDataDeleter {
  void operator()(jsMsgMetaData* m) const { jsMsgMetaData_Destroy(m); }
};
using JsContext = std::unique_ptr<jsCtx, JsCtxDeleter>;
using StreamInfo = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;
using ConsumerInfo = std::unique_ptr<jsConsumerInfo, ConsumerInfoDeleter>;
using Msg = std::unique_ptr<natsMsg, MsgDeleter>;
using MetaData = std::unique_ptr<jsMsgMetaData, MetaDataDeleter>;

// A JetStream context on `connection` whose API requests wait up to
// `api_timeout`. kUnavailable when the connection is closed. The context
// must be destroyed before the connection. Any thread.
Result<JsContext> OpenJetStream(const NatsConnection& connection, std::chrono::milliseconds api_timeout);

// NatsError (transport/internal/nats_error.hpp) of a JetStream API call,
// except that a missing stream or consumer (`code` 10059 / 10014, or
// NATS_NOT_FOUND) is kNotFound. Same thread rule as NatsError.
Status JetStreamError(std::string_view what, natsStatus status, jsErrCode code);

}  // namespace patron::transport_internal
