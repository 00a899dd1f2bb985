#pragma once
// Private to transport/: the libnats handle of a NatsConnection, for the
// JetStream files (streams, intake) that call libnats directly. The one
// friend of NatsConnection; the handle stays owned by the connection.

#include <nats/nats.h>

#include "transport/nats_connection.hpp"

namespace patron::transport_internal {

struct ConnectionAccess {
  // The connection's handle, or nullptr once it is closed or moved from.
  // Valid until the connection is closed or destroyed; any thread.
  static natsConnection* Handle(const NatsConnection& connection);
};

}  // namespace patron::transport_internal
