#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), builds Patron with its tests
# in build/ (RelWithDebInfo) and runs every test with ctest. The tests start
# their own nats-server on free 127.0.0.1 ports and keep state in temporary
# directories. The exit status is ctest's.
#
#   ./scripts/test.sh                 # as root or with sudo; BUILD_DIR, BUILD_TYPE, JOBS override
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
JOBS="${JOBS:-$(nproc)}"

"$ROOT/scripts/setup.sh"
# nats-server is in /usr/sbin on Debian, which is not on every user's PATH.
export PATH="$PATH:/usr/sbin"

cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPATRON_BUILD_TESTS=ON -DPATRON_CRASH_POINTS=ON
cmake --build "$BUILD_DIR" -j"$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$JOBS" --timeout 600
