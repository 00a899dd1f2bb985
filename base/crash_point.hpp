#pragma once
// Test-only crash points (tests/faults/crash_points.py): with the CMake
// option PATRON_CRASH_POINTS=ON, PATRON_CRASH_POINT("name") aborts the
// process (SIGABRT, no cleanup, as a crash would) on the n-th time it is
// reached when the environment variable PATRON_CRASH_AT is "name:n" (n >= 1;
// "name" alone means 1). Without the option the macro compiles to nothing.
// Names: after-commit-before-ack, after-ack-before-publish,
// after-publish-before-tombstone, startup-drain, map-resize.
//
// Threads: any. The variable is read once per process, at the first point
// reached; the hit count is one process-wide atomic (the one piece of global
// state in Patron, for tests only: a crash point cannot be passed in).

#ifdef PATRON_CRASH_POINTS
namespace patron::crash_internal {
// Counts a hit of `name` (a string literal) and aborts when PATRON_CRASH_AT
// names it and this is its n-th hit.
void Hit(const char* name);
}  // namespace patron::crash_internal
#define PATRON_CRASH_POINT(name) ::patron::crash_internal::Hit(name)
#else
#define PATRON_CRASH_POINT(name) ((void)0)
#endif
