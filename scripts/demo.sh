#!/usr/bin/env bash
# The restaurant example end to end, on this machine:
#   1. installs what is missing (scripts/setup.sh) and builds patron (Release,
#      build-release/);
#   2. starts nats-server on a free 127.0.0.1 port, a small HTTP receiver
#      standing in for the CRM webhook, and `patron run` (JetStream) on
#      examples/restaurant with a fresh data directory;
#   3. starts three listeners with `patron subscribe`: the store manager's
#      app of the store with the most staff actions (patron.actions.*.<store>),
#      the messaging gateway (patron.actions.message.>), and one for every
#      action and the dead letters;
#   4. publishes examples/restaurant/events.jsonl and bad-events.jsonl,
#      waits (bounded) until every action has arrived, and stops the engine
#      with SIGTERM;
#   5. prints what each listener received, the dead letters, one customer's
#      profile (`patron inspect`), and the summary of `patron replay` over the
#      same events, checking that replay and run gave the same event-driven
#      actions. The actions that time made happen differ: `patron run` fires
#      deadlines by the system clock, which is past every deadline of March
#      2026, so it fires each as soon as it is set; the replay fires them in
#      event time;
#   6. shows the rules driven by time (30 days of silence, a wait of 24
#      hours, birthdays, a holiday broadcast, orders not accepted within 10
#      minutes, quiet hours): a live demo cannot wait 30 days, so it replays
#      examples/restaurant/time-events.jsonl with --until past its last
#      event and prints what time made fire, when, and why.
# Everything it starts is stopped by PID on exit; its files go to a temporary
# directory that is removed at the end (KEEP=1 keeps it).
#
#   ./scripts/demo.sh          # as root, or a user with sudo
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="$ROOT/examples/restaurant"
BUILD="$ROOT/build-release"
TIMEOUT_S=${TIMEOUT_S:-60}

"$ROOT/scripts/setup.sh"
export PATH="$PATH:/usr/sbin"

echo "== Building patron (Release, $BUILD)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPATRON_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target patron
PATRON="$BUILD/cli/patron"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/patron-demo-XXXXXX")"
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "files kept in $WORK"; else rm -rf "$WORK"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# wait_for <what> <command...>: polls the command until it succeeds, at most TIMEOUT_S seconds.
wait_for() {
  local what=$1; shift
  local deadline=$((SECONDS + TIMEOUT_S))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "demo: gave up waiting for $what after ${TIMEOUT_S}s" >&2
      echo "--- engine log:" >&2; tail -n 20 "$WORK/engine.log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
has_line() { grep -q -- "$2" "$1" 2>/dev/null; }
at_least() { [ "$(lines "$1")" -ge "$2" ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The events: the example's day of business, then its malformed messages.
EVENTS="$WORK/events.jsonl"
cat "$EXAMPLE/events.jsonl" "$EXAMPLE/bad-events.jsonl" >"$EVENTS"

# event_driven <actions.jsonl>: the actions that ran at the time of their
# cause event (or of an event it emitted), in order. The others were made by
# time: a deadline, the end of a `wait`, of quiet hours, of `not followed by`.
cat >"$WORK/event_driven.py" <<'PY'
import datetime, json, sys
times = {}
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        e = json.loads(line)
        t = datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
        times[e["id"]] = t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, KeyError, TypeError, AttributeError):
        pass  # the malformed lines of bad-events.jsonl
for line in open(sys.argv[2], encoding="utf-8"):
    a = json.loads(line)
    cause = a["data"]["cause"].get("event")
    if cause is not None and (cause.startswith("emit-") or times.get(cause) == a["time"]):
        sys.stdout.write(line)
PY
event_driven() { python3 "$WORK/event_driven.py" "$EVENTS" "$1"; }
count_event_driven() { if [ -f "$1" ]; then event_driven "$1" | wc -l; else echo 0; fi; }
at_least_event_driven() { [ "$(count_event_driven "$1")" -ge "$2" ]; }
# True when the file has not grown for a second (polled by wait_for).
settled() {
  local before after
  before=$(lines "$1"); sleep 1; after=$(lines "$1")
  [ "$before" = "$after" ]
}

# The replay gives what the engine must send, so that the wait below knows
# when everything has arrived, and which store had the most staff actions.
"$PATRON" replay --rules "$EXAMPLE" --events "$EVENTS" --out "$WORK/replay.jsonl" \
  --dead "$WORK/replay-dead.jsonl" 2>"$WORK/replay.err"
EXPECTED_ACTIONS=$(lines "$WORK/replay.jsonl")
EXPECTED_EVENT_DRIVEN=$(count_event_driven "$WORK/replay.jsonl")
EXPECTED_DEAD=$(lines "$WORK/replay-dead.jsonl")
STORE=$(python3 - "$WORK/replay.jsonl" <<'PY'
import collections, json, sys
staff = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    data = json.loads(line)["data"]
    if data["action"] in ("ticket", "remind") and data.get("store"):
        staff[data["store"]] += 1
print(staff.most_common(1)[0][0] if staff else "s012")
PY
)

echo "== Starting nats-server (JetStream), the CRM webhook receiver and patron run"
NATS_PORT=$(free_port)
NATS="nats://127.0.0.1:$NATS_PORT"
nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$WORK/jetstream" -l "$WORK/nats.log" &
PIDS+=($!)
wait_for "nats-server on port $NATS_PORT" port_open "$NATS_PORT"

CRM_PORT=$(free_port)
python3 - "$CRM_PORT" "$WORK/crm.jsonl" <<'PY' &
# A stand-in for the CRM: answers 200 to every POST and appends its body as one line.
import http.server, sys
port, path = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(path, "ab") as f:
            f.write(body.strip() + b"\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY
PIDS+=($!)
wait_for "the webhook receiver on port $CRM_PORT" port_open "$CRM_PORT"

"$PATRON" run --config "$EXAMPLE/patron.toml" --nats "$NATS" --data "$WORK/data" \
  --webhook "crm=http://127.0.0.1:$CRM_PORT/crm" 2>"$WORK/engine.log" &
ENGINE=$!
PIDS+=($ENGINE)
wait_for "patron run to subscribe" has_line "$WORK/engine.log" "listening on patron.events.>"

echo "== Listening as the store manager of $STORE, the messaging gateway, and everything"
listen() {  # name subject
  "$PATRON" subscribe --nats "$NATS" --subject "$2" >"$WORK/$1.jsonl" 2>"$WORK/$1.err" &
  PIDS+=($!)
  wait_for "the $1 listener" has_line "$WORK/$1.err" "subscribed"
}
listen manager "patron.actions.*.$STORE"
listen gateway "patron.actions.message.>"
listen all "patron.actions.>"
listen dead "patron.dead"

echo "== Publishing $(lines "$EVENTS") lines of events"
"$PATRON" publish --nats "$NATS" --events "$EVENTS"
wait_for "$EXPECTED_EVENT_DRIVEN event-driven actions" at_least_event_driven "$WORK/all.jsonl" "$EXPECTED_EVENT_DRIVEN"
wait_for "the deadlines already past to fire" settled "$WORK/all.jsonl"
wait_for "$EXPECTED_DEAD dead letters" at_least "$WORK/dead.jsonl" "$EXPECTED_DEAD"
if grep -q '"action":"webhook"' "$WORK/replay.jsonl"; then
  wait_for "the CRM webhook calls" at_least "$WORK/crm.jsonl" "$(grep -c '"action":"webhook"' "$WORK/replay.jsonl")"
fi

echo "== Stopping the engine (SIGTERM)"
kill -TERM "$ENGINE"
wait "$ENGINE" && echo "patron run exited 0" || echo "patron run exited $?"
tail -n 1 "$WORK/engine.log"

# One line per action: what a person would read on the screen of that app.
show() {  # file
  python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    a = json.loads(line); d = a["data"]; kind = d["action"]
    m = d[{"remind": "reminder"}.get(kind, kind)]
    what = {
        "ticket": lambda: "[%s] for %s: %s" % (m["priority"], m["role"], m["title"]),
        "remind": lambda: "for %s: %s" % (m["role"], m["text"]),
        "message": lambda: "%s, template %s" % (m["channel"], m["template"]),
        "coupon": lambda: "%s, value %s" % (m["code"], m.get("value", "-")),
        "tag": lambda: m, "untag": lambda: m,
        "set": lambda: "%s = %s" % (m["attr"], json.dumps(m["value"], ensure_ascii=False)),
        "points": lambda: "%s, balance %s" % (m["delta"], m["balance"]),
        "emit": lambda: m["type"], "webhook": lambda: m["endpoint"],
    }[kind]()
    customer = d.get("customer", {})
    who = customer.get("phone") or customer.get("id") or "no customer"
    print("  %s %-4s %-7s %s  (%s; rule %s)" % (a["time"][5:16].replace("T", " "), d.get("store", "_"),
                                               kind, what, who, d["rule"]))
PY
}

echo
echo "Each action below: its time (UTC) and store, its kind and content, the customer (staff-facing"
echo "kinds carry masked phones, customer-facing ones the full number the gateway needs), its rule."
echo
echo "================ The store manager of $STORE received (patron.actions.*.$STORE): $(lines "$WORK/manager.jsonl")"
show "$WORK/manager.jsonl"
echo
echo "================ The messaging gateway received (patron.actions.message.>): $(lines "$WORK/gateway.jsonl")"
show "$WORK/gateway.jsonl"
echo "  first one as sent:"
head -n 1 "$WORK/gateway.jsonl" | python3 -m json.tool --no-ensure-ascii | sed 's/^/    /'
if [ -f "$WORK/crm.jsonl" ]; then
  echo
  echo "================ The CRM webhook received (HTTP POST): $(lines "$WORK/crm.jsonl")"
  show "$WORK/crm.jsonl"
fi
echo
echo "================ Dead letters (patron.dead): $(lines "$WORK/dead.jsonl")"
python3 - "$WORK/dead.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    print("  %-60s  %s" % (d["reason"][:60], d["message"][:70]))
PY
echo
CUSTOMER=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["data"]["customer"]["id"])' "$WORK/gateway.jsonl")
echo "================ patron inspect --data DIR customer $CUSTOMER"
"$PATRON" inspect --data "$WORK/data" customer "$CUSTOMER" | python3 -m json.tool --no-ensure-ascii
echo
echo "================ patron replay --rules examples/restaurant --events <the same lines>"
cat "$WORK/replay.err"
event_driven "$WORK/all.jsonl" >"$WORK/all-event-driven.jsonl"
event_driven "$WORK/replay.jsonl" >"$WORK/replay-event-driven.jsonl"
if cmp -s "$WORK/all-event-driven.jsonl" "$WORK/replay-event-driven.jsonl"; then
  echo "run and replay sent the same $EXPECTED_EVENT_DRIVEN event-driven actions, byte for byte, in the same order"
else
  echo "run and replay differ:"
  diff <(sort "$WORK/all-event-driven.jsonl") <(sort "$WORK/replay-event-driven.jsonl") | head -n 20
  exit 1
fi
echo "made by time: $((EXPECTED_ACTIONS - EXPECTED_EVENT_DRIVEN)) actions in the replay, at their deadlines in event time;"
echo "  $(($(lines "$WORK/all.jsonl") - EXPECTED_EVENT_DRIVEN)) in patron run, which fires deadlines by the system clock ($(date -u +%Y-%m-%d)):"
echo "  every deadline of these March 2026 events had passed, so each fired as soon as it was set"

TIME_EVENTS="$EXAMPLE/time-events.jsonl"
TIME_UNTIL="2026-06-01T00:00:00+08:00"
echo
echo "================ Rules driven by time: patron replay --events time-events.jsonl --until $TIME_UNTIL"
echo "Five weeks of April and May 2026 replayed in event time; --until moves the clock on past the last"
echo "event (8 May), so the silences that end in late May fire too. Times below are Beijing time."
echo
"$PATRON" replay --rules "$EXAMPLE" --events "$TIME_EVENTS" --until "$TIME_UNTIL" \
  --out "$WORK/time.jsonl" 2>"$WORK/time.err"
python3 - "$TIME_EVENTS" "$WORK/time.jsonl" <<'PY'
# Only the actions that time made happen: those caused by a deadline (a silence, a birthday, a
# schedule) and those that ran later than their event (after `wait`, at the end of quiet hours,
# at the deadline of `not followed by`). The event-triggered actions of the replay are left out.
import datetime, json, sys
beijing = datetime.timezone(datetime.timedelta(hours=8))
def when(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(beijing)
events = {}
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    events[e["id"]] = e
shown = 0
for line in open(sys.argv[2], encoding="utf-8"):
    a = json.loads(line); d = a["data"]; kind = d["action"]
    at = when(a["time"])
    cause = d["cause"]
    if "deadline" in cause:
        why = "deadline"
    else:
        e = events.get(cause.get("event", ""))
        if e is None or when(e["time"]) == at:
            continue
        late = int((at - when(e["time"])).total_seconds())
        late = "%d h" % (late // 3600) if late % 3600 == 0 else "%d min" % (late // 60)
        why = "%s at %s, %s later" % (e["type"], when(e["time"]).strftime("%m-%d %H:%M:%S"), late)
    m = d[{"remind": "reminder"}.get(kind, kind)]
    what = {
        "coupon": lambda: "coupon %s" % m["code"],
        "message": lambda: "%s %s" % (m["channel"], m["template"]),
        "remind": lambda: "remind %s: %s" % (m["role"], m["text"]),
    }.get(kind, lambda: kind)()
    customer = d.get("customer", {})
    phone = customer.get("phone", "")
    if phone and "*" not in phone:  # this is a console: mask as staff-facing texts do
        phone = phone[:3] + "****" + phone[-4:]
    who = phone or customer.get("id") or "no customer"
    print("  %s %-4s %s  (%s; rule %s; %s)" % (at.strftime("%m-%d %H:%M"), d.get("store", "_"), what, who,
                                             d["rule"], why))
    shown += 1
print("  %d of the replay's actions were made by the passing of time" % shown)
PY
echo
sed -n '/^replay:/p' "$WORK/time.err"
echo "(examples/restaurant/README.md explains each of them, edge cases included)"
