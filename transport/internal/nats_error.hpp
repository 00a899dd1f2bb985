#pragma once
// Private to transport/: the one place outside the .cpp files that names a
// libnats type. Nothing above transport/ includes it (transport's public
// headers stay free of <nats/nats.h>).

#include <nats/nats.h>

#include <string_view>

#include "base/result.hpp"

namespace patron::transport_internal {

// "<what>: <libnats status text> (<libnats' last error detail>)" for a call
// that returned `status` (not NATS_OK). The code says what the caller may
// do: kUnavailable for a missing, closed, draining or timed-out connection
// (try later), kInvalidArgument for a bad subject, argument or payload size,
// kIoError otherwise. Reads libnats' thread-local last error, so call it on
// the thread that made the failed call, before any other libnats call.
Status NatsError(std::string_view what, natsStatus status);

}  // namespace patron::transport_internal
