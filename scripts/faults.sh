#!/usr/bin/env bash
# The fault tests with real processes (tests/faults/), outside ctest.
#   scripts/faults.sh [--long] [BUILD_DIR]
# Without --long: the CI settings (what `ctest -L faults` runs). With --long:
# 100,000 events and 200 kills of `patron run`, every crash point hit 100
# times (BUILD_DIR must be built with -DPATRON_CRASH_POINTS=ON), 40 kills of
# nats-server, and a 130 s connection cut past libnats' default reconnect
# budget with the engine's default (reconnect forever). Each scenario prints
# its figures; the exit status is 1 if any failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LONG=0
if [[ "${1:-}" == "--long" ]]; then LONG=1; shift; fi
BUILD_DIR="${1:-$ROOT/build}"
export PATRON_BIN="$BUILD_DIR/cli/patron" PATRON_STREAM_DUMP="$BUILD_DIR/tests/patron_stream_dump"
export PATH="$PATH:/usr/sbin"
F="$ROOT/tests/faults"
status=0
if (( LONG )); then
  python3 "$F/kill_run.py" --events 100000 --kills 200 || status=1
  python3 "$F/crash_points.py" --events 200000 --hits 100 --phase-timeout 1800 || status=1
  python3 "$F/kill_server.py" --events 200000 --kills 40 || status=1
  python3 "$F/connection_cut.py" --events 50000 --long || status=1
else
  python3 "$F/kill_run.py" --events 100000 --kills 20 || status=1
  python3 "$F/crash_points.py" --events 20000 --hits 3 || status=1
  python3 "$F/kill_server.py" --events 30000 --kills 5 || status=1
  python3 "$F/connection_cut.py" --events 20000 || status=1
fi
exit $status
