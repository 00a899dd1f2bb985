#!/usr/bin/env bash
# `patron run` on JetStream, end to end, on the kit's W2 workload
# (../../shared/bench/README.md): the events are published into
# PATRON_EVENTS first (acked), then `patron run` starts on the whole backlog
# and the clock runs until it has processed every event and published
# every action with acks (the consumer has nothing pending and the
# actions stream holds replay's count), then SIGTERM. Prints events/s
# beside the kit's JetStream consume rate (run_peers.sh --only nats) on the
# same machine and event file, in this run.
#
#   bench/live_jetstream.sh [--events N] [--patron PATH] [--work DIR] [--no-peer]
#
# Defaults: 200,000 events, build/cli/patron, /tmp/patron-bench-live.
# Nothing goes into git; the work dir holds events, logs and the streams.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
KIT="${PATRON_BENCH_KIT:-$HERE/../../shared/bench}"
EVENTS=200000
PATRON=$HERE/../build/cli/patron
WORK=/tmp/patron-bench-live
PEER=1
while [ $# -gt 0 ]; do
  case $1 in
    --events) EVENTS=$2; shift 2 ;;
    --patron) PATRON=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --no-peer) PEER=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
PATRON=$(readlink -f "$PATRON")
mkdir -p "$WORK"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

log "W2 data for $EVENTS events (the kit's generator)"
bash "$KIT/run_peers.sh" --events "$EVENTS" --work "$WORK/kit" --data-only --no-w3 --rules 10 >&2
EV=$(ls "$WORK"/kit/events-"$EVENTS"-*.jsonl | head -1)
W2=$(ls "$WORK"/kit/rules-"$EVENTS"-*/w2.rules | head -1)

export PATRON EV W2 WORK
PYTHONPATH=$HERE/../tests/faults python3 - <<'EOF'
import json, os, shutil, subprocess, time
import live

work = os.path.join(os.environ["WORK"], "run")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
with open(os.environ["EV"], encoding="utf-8") as f:
    lines = [l.rstrip("\n") for l in f if l.strip()]
rules = os.environ["W2"]
server = live.NatsServer(work)
try:
    args = ["--rules", rules, "--data", os.path.join(work, "data"), "--nats", server.url,
            "--timezone", "Asia/Shanghai"]
    # A first run creates the streams and the consumer, with nothing to read.
    run = live.PatronRun(work, args, name="create")
    run.wait_for("listening on")
    assert run.stop() == 0
    nats = live.Nats(server.url)
    t0 = time.monotonic()
    live.publish_events(nats, lines)
    published = time.monotonic() - t0
    want = len(live.replay(work, rules, lines, extra=["--timezone", "Asia/Shanghai"]))
    base = nats.stream_info("PATRON_ACTIONS")["state"]["messages"]

    t0 = time.monotonic()
    run = live.PatronRun(work, args, name="run")
    def done():
        c = json.loads(nats.request("$JS.API.CONSUMER.INFO.PATRON_EVENTS.patron", b"")[1])
        a = nats.stream_info("PATRON_ACTIONS")["state"]["messages"] - base
        return c["num_pending"] == 0 and c["num_ack_pending"] == 0 and a >= want
    live.wait_until(done, "every event processed and every action acked", 3600, 0.05)
    elapsed = time.monotonic() - t0
    assert run.stop() == 0, run.text()[-2000:]
    stopped = [l for l in run.text().splitlines() if "stopped:" in l][-1]
    print("patron run (JetStream in, outbox out with acks), W2, %d events, %d actions: %.2f s, %.0f events/s"
          % (len(lines), want, elapsed, len(lines) / elapsed))
    print("  (pre-publish with acks from Python: %.0f events/s; %s)" % (len(lines) / published, stopped.split("patron: ")[-1]))
finally:
    server.stop()
EOF

if [ "$PEER" = 1 ]; then
  log "the kit's NATS rates on the same file (run_peers.sh --only nats)"
  bash "$KIT/run_peers.sh" --events "$EVENTS" --work "$WORK/kit" --only nats --no-w1 --no-w2 --no-w3 \
    --out "$WORK/kit-nats.md" >&2 || true
  grep -i "jetstream\|nats" "$WORK/kit-nats.md" | head -12
fi
