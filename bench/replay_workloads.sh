#!/usr/bin/env bash
# Measures: `patron replay` on the peer kit's workloads W1 (100 and 1000
# rules) and W2 over its default 1,000,000-event file (100,000 customers),
# as events/s (whole process: start, rule loading, replay, exit), max RSS,
# and whether every rule fired exactly as the kit's ground truth says; and,
# in the same run, the kit's hand-written C++ loop ("the limit") on the same
# inputs, so the figures compare on one machine at one moment.
#
#   bench/replay_workloads.sh [PATRON] [--events N] [--rules "100 1000"] [--peers "patron baseline"]
#
# PATRON defaults to build-release/cli/patron. Data and reports go under
# /tmp/patron-bench (never into git). Needs ../shared/bench beside the repo.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
KIT="${PATRON_BENCH_KIT:-$ROOT/../shared/bench}"
PATRON="$ROOT/build-release/cli/patron"
if [ $# -gt 0 ] && [[ "$1" != --* ]]; then PATRON=$1; shift; fi
EVENTS=1000000
RULES="100 1000"
PEERS="patron baseline"
while [ $# -gt 0 ]; do
  case "$1" in
    --events) EVENTS=$2; shift 2 ;;
    --rules) RULES=$2; shift 2 ;;
    --peers) PEERS=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ -x "$PATRON" ] || { echo "no patron executable at $PATRON (build it first)" >&2; exit 2; }
[ -x "$KIT/run_peers.sh" ] || [ -f "$KIT/run_peers.sh" ] || { echo "peer kit not found at $KIT" >&2; exit 2; }
WORK=/tmp/patron-bench
mkdir -p "$WORK"
OUT="$WORK/report-patron-w1w2.md"
bash "$KIT/run_peers.sh" --patron "$PATRON" --only "$PEERS" --events "$EVENTS" \
  --rules "$RULES" --no-w3 --out "$OUT"
echo
echo "report: $OUT"
