#pragma once
// A 127.0.0.1 TCP port nobody listens on right now: bound to port 0, read,
// closed. For servers started by tests, and for "connection refused" cases.
// Another process may take it meanwhile; callers that start a server retry.

namespace patron::testing {

// The port, or 0 when no socket could be bound (errno says why).
int FindFreePort();

}  // namespace patron::testing
