#include "transport/internal/nats_error.hpp"

#include <string>

#include "base/url_secrets.hpp"

namespace patron::transport_internal {

Status NatsError(std::string_view what, natsStatus status) {
  std::string message(what);
  message += ": ";
  message += natsStatus_GetText(status);
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0') {
    message += " (";
    message += detail;
    message += ')';
  }
  // libnats' details may quote a server URL, with its credentials.
  message = RedactUrl(message);
  switch (status) {
    case NATS_NO_SERVER:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_TIMEOUT:
    case NATS_NOT_YET_CONNECTED:
    case NATS_INSUFFICIENT_BUFFER:
    case NATS_STALE_CONNECTION:
    case NATS_DRAINING:
      return Status::Unavailable(std::move(message));
    case NATS_INVALID_ARG:
    case NATS_INVALID_SUBJECT:
    case NATS_MAX_PAYLOAD:
      return Status::Invalid(std::move(message));
    default:
      return Status::Io(std::move(message));
  }
}

}  // namespace patron::transport_internal
