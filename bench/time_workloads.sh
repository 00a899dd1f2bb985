#!/usr/bin/env bash
# Measures: `patron replay` with time-driven rules over the peer kit's
# default 1,000,000-event file (100,000 customers; its orders are of type
# order.completed), one run each:
#   absence: rule "Wake" when no order.completed for 30 days then coupon "COMEBACK" end
#            with --until 31 days after the last event, so every last silence ends;
#   sliding: rule "Spend30" when sum(order.completed.amount) over 30 days > 500
#            then coupon "SPEND500" end (same --until; it arms no timer).
# For each: events/s of the whole process (start, rule loading, replay, exit;
# wall clock) and the rate replay prints itself, CPU seconds (user + system:
# this machine is shared, so the wall clock varies), timers fired (replay's
# summary on stderr), actions written (lines of --out), peak RSS
# (/usr/bin/time -v "Maximum resident set size"), and the firings expected
# from bench/time_truth.py (exact cents, computed apart from Patron).
#
#   bench/time_workloads.sh [PATRON] [--events N] [--only "absence sliding"]
#
# PATRON defaults to build-release/cli/patron. Data, actions and the report
# go under /tmp/patron-bench (never into git); missing data is generated with
# the kit's run_peers.sh --data-only. Needs ../shared/bench beside the repo.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
KIT="${PATRON_BENCH_KIT:-$ROOT/../shared/bench}"
PATRON="$ROOT/build-release/cli/patron"
if [ $# -gt 0 ] && [[ "$1" != --* ]]; then PATRON=$1; shift; fi
EVENTS=1000000
ONLY="absence sliding"
while [ $# -gt 0 ]; do
  case "$1" in
    --events) EVENTS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ -x "$PATRON" ] || { echo "no patron executable at $PATRON (build it first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
WORK=/tmp/patron-bench
EV=$WORK/events-$EVENTS-seed42.jsonl
TDIR=$WORK/time
mkdir -p "$TDIR"
if [ ! -s "$EV" ]; then
  [ -f "$KIT/run_peers.sh" ] || { echo "peer kit not found at $KIT" >&2; exit 2; }
  bash "$KIT/run_peers.sh" --data-only --events "$EVENTS" --no-w1 --no-w3
fi

# Expected firings and --until, cached beside the data (one pass of Python).
TRUTH=$TDIR/truth-$EVENTS-seed42.txt
if [ ! -s "$TRUTH" ]; then
  python3 "$HERE/time_truth.py" --events "$EV" --until-days 31 >"$TRUTH.tmp" && mv "$TRUTH.tmp" "$TRUTH"
fi
truth() { sed -n "s/^$1=//p" "$TRUTH"; }
UNTIL=$(truth until)

cat >"$TDIR/absence.rules" <<'EOF'
rule "Wake" when no order.completed for 30 days then coupon "COMEBACK" end
EOF
cat >"$TDIR/sliding.rules" <<'EOF'
rule "Spend30" when sum(order.completed.amount) over 30 days > 500 then coupon "SPEND500" end
EOF

# "m:ss.cc" or "h:mm:ss" (from /usr/bin/time) to seconds.
seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$1"; }

REPORT=$WORK/report-patron-time.md
{
  echo "| workload | events | --until | e2e s | e2e events/s | replay's events/s | CPU s | timers fired | actions | expected | peak RSS MiB |"
  echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >"$REPORT"
for wl in $ONLY; do
  [ -f "$TDIR/$wl.rules" ] || { echo "unknown workload: $wl" >&2; exit 2; }
  actions=$TDIR/actions-$wl.jsonl err=$TDIR/$wl.err
  echo "[$(date +%H:%M:%S)] patron replay $wl, $EVENTS events, --until $UNTIL" >&2
  rc=0
  /usr/bin/time -v "$PATRON" replay --rules "$TDIR/$wl.rules" --events "$EV" --until "$UNTIL" \
    --out "$actions" 2>"$err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "| $wl | $EVENTS | $UNTIL | failed (exit $rc): $(grep -v '^\s' "$err" | grep -m1 -iE 'error|not supported' || tail -n1 "$err") |" >>"$REPORT"
    rm -f "$actions"
    continue
  fi
  wall=$(seconds "$(sed -n 's/.*Elapsed (wall clock) time.*): //p' "$err")")
  cpu=$(sed -n 's/.*\(User\|System\) time (seconds): //p' "$err" | awk '{ s += $1 } END { print s }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$err")
  rate=$(sed -n 's/^elapsed: .*, \([0-9]*\) events\/s$/\1/p' "$err")
  fired=$(sed -n 's/^timers: .* \([0-9]*\) fired.*/\1/p' "$err")
  count=$(wc -l <"$actions")
  rm -f "$actions"
  printf '| %s | %d | %s | %.1f | %.0f | %s | %.1f | %s | %d | %s | %d |\n' "$wl" "$EVENTS" "$UNTIL" "$wall" \
    "$(awk -v n="$EVENTS" -v s="$wall" 'BEGIN { print n / s }')" "${rate:-n/a}" "$cpu" \
    "${fired:-n/a (no timers line in the summary)}" "$count" "$(truth "$wl")" "$((rss / 1024))" >>"$REPORT"
done
cat "$REPORT"
echo
echo "report: $REPORT (replay's summaries: $TDIR/<workload>.err)"
