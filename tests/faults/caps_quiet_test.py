"""Caps and quiet hours as invariants (issue 8, item 7), with real processes.

A generator of order events (deterministic, --seed) spread over 23 hours
ending a minute ago, or three hours ago when that would miss the opening
(so every run crosses one 21:00 closing and one 09:00 opening of the quiet
hours, whatever the time of day), published to JetStream while
`patron run --late-grace 1d` is killed with SIGKILL and restarted at random
moments. Then, over the whole PATRON_ACTIONS stream:
- for every customer and every rule with `limit 2 per customer per 1 hour`,
  no window (t - 1h, t] of trigger times holds more than 2 firings;
- no action of a rule with `between 09:00 and 21:00` has a time in the
  quiet hours (Asia/Shanghai), and some were held to the 09:00 opening;
- no action id twice (Nats-Msg-Id), and, printed: lost / duplicated /
  unexpected against `patron replay` of the same events.

  caps_quiet_test.py --ci --kills 0                50,000 events, no kill: also
                                                  the same ids as replay
  caps_quiet_test.py --ci                         50,000 events, >= 5 kills
  caps_quiet_test.py --events 1000000 --kills 40  the long setting

Found on 2026-12-04 (main efdcfe7): with kills the invariants FAIL. After a
kill -9 the events that were delivered and not acked come again only after
the ack wait, behind newer ones, so the restarted run sees them late (15,623
of 27,433 in one run) and a `limit` that counts the firings before the
event lets a third firing into an hour that already had two later ones
(lost 1,381 and unexpected 12,621 ids against replay). Fixed in 40adac2:
before the intake subscribes, a consumer with unacknowledged deliveries is
created anew from its ack floor + 1, so they come again in stream order;
the CTest entry with kills is enabled since.
"""

import argparse
import calendar
import json
import random
import threading
import time

import live

RULES = """
event order.completed { amount: number }

rule "capped"
  when order.completed
  then coupon "CAP" value 1
  limit 2 per customer per 1 hour
end

rule "quiet"
  when order.completed where event.amount >= 50
  then message sms "thanks"
  between 09:00 and 21:00
end

rule "capped_quiet"
  when order.completed where event.amount < 30
  then coupon "NIGHT" value 2
  limit 2 per customer per 1 hour
  between 09:00 and 21:00
end
"""

LIMITED = ("capped", "capped_quiet")
QUIET = ("quiet", "capped_quiet")
TZ_OFFSET = 8 * 3600  # Asia/Shanghai, no daylight saving
SPAN = 23 * 3600


def generate(count, customers, seed):
    """`count` order events in time order over the last SPAN seconds."""
    rng = random.Random(seed)
    end = int(time.time()) - 60
    # A span ending in the hour before 09:00 would miss the opening (the last
    # one is 23 hours and more ago): end two hours earlier then (--late-grace 1d).
    if 8 * 3600 <= (end + TZ_OFFSET) % 86400 < 9 * 3600:
        end -= 2 * 3600
    start = end - SPAN
    lines, times = [], {}
    for n in range(count):
        t = start + (SPAN * n) // count
        eid = "o-%07d" % n
        times[eid] = t
        lines.append(json.dumps({
            "specversion": "1.0", "id": eid, "source": "faults/caps", "type": "order.completed",
            "time": live.rfc3339(t),
            "data": {"customer": {"phone": "1360%07d" % rng.randrange(customers)}, "store": "s01",
                     "amount": rng.randrange(10, 100)}}))
    return lines, times


def parse_time(text):
    return calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))


def check_invariants(actions, event_times):
    per_key = {}
    quiet_checked = held = 0
    for a in actions:
        rule = a["data"]["rule"]
        if rule in LIMITED:
            trigger = event_times[a["data"]["cause"]["event"]]
            per_key.setdefault((rule, a["data"]["customer"]["id"]), []).append(trigger)
        if rule in QUIET:
            local = (parse_time(a["time"]) + TZ_OFFSET) % 86400
            assert 9 * 3600 <= local < 21 * 3600, "action in quiet hours: %s" % json.dumps(a)
            quiet_checked += 1
            held += local == 9 * 3600
    windows = 0
    for (rule, customer), times in per_key.items():
        times.sort()
        for i in range(2, len(times)):
            windows += 1
            assert times[i] - times[i - 2] >= 3600, (
                "%s fired 3 times within an hour for %s: %s" % (rule, customer, times[i - 2:i + 1]))
    print("invariants: %d limited (rule, customer) pairs, %d windows checked; %d actions in the open "
          "hours, %d of them held to the 09:00 opening" % (len(per_key), windows, quiet_checked, held))
    assert per_key and quiet_checked and held, "the invariants were not exercised"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ci", action="store_true", help="the CI setting: 50,000 events (the default)")
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--customers", type=int, default=0, help="default: events / 100")
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    customers = args.customers or max(10, args.events // 100)
    lines, event_times = generate(args.events, customers, args.seed)

    with live.Workdir("caps") as work:
        rules = work.file("rules.rules", RULES)
        server = live.NatsServer(work.path)
        run_args = ["--rules", rules, "--data", work.file("data"), "--nats", server.url,
                    "--late-grace", "1d", "--timezone", "Asia/Shanghai"]
        try:
            run = live.PatronRun(work.path, run_args, name="run0")
            run.wait_for("listening on")
            published = threading.Event()

            def publish():
                nats = live.Nats(server.url)
                live.publish_events(nats, lines)
                nats.close()
                published.set()

            publisher = threading.Thread(target=publish)
            publisher.start()
            rng = random.Random(args.seed)
            kills = 0
            # Kills spread over the publishing, then until all are in.
            while kills < args.kills or (args.kills and not published.is_set()):
                time.sleep(rng.uniform(0.3, 2.0))
                run.kill()
                kills += 1
                run = live.PatronRun(work.path, run_args, name="run%d" % kills)
                run.wait_for("listening on", 120)
            publisher.join()
            nats = live.Nats(server.url)

            def drained():
                info = json.loads(nats.request("$JS.API.CONSUMER.INFO.PATRON_EVENTS.patron", b"")[1])
                return info["num_pending"] == 0 and info["num_ack_pending"] == 0
            live.wait_until(drained, "every event acked", 600, 0.5)
            assert run.stop() == 0, run.text()[-3000:]
            print("the last run:", [l for l in run.text().splitlines() if "stopped:" in l][-1])
            actions, dead = live.actions_in_stream(nats)
            print("%d events, %d customers, %d kills, %d actions, %d dead letters"
                  % (len(lines), customers, kills, len(actions), len(dead)))
            assert not dead, dead[:3]
            ids = [a["id"] for a in actions]
            assert len(ids) == len(set(ids)), "an action id twice in PATRON_ACTIONS"
            want = live.replay(work.path, rules, lines, extra=["--timezone", "Asia/Shanghai"])
            got_set, want_set = set(ids), {a["id"] for a in want}
            print("against replay: lost %d, duplicated %d, unexpected %d"
                  % (len(want_set - got_set), len(ids) - len(got_set), len(got_set - want_set)))
            if args.kills == 0:  # nothing redelivered: the very same ids
                live.compare_ids("caps without kills: run vs replay", ids, [a["id"] for a in want])
            check_invariants(actions, event_times)
        finally:
            server.stop()
    print("ok")


if __name__ == "__main__":
    main()
