#!/usr/bin/env python3
"""Expected firings of bench/time_workloads.sh's rules, computed directly.

  time_truth.py --events FILE.jsonl [--until-days 31]

Reads the kit's event file once and prints, one `key=value` a line:
  until=<RFC 3339>   the latest event time plus --until-days (for --until)
  absence=<n>        firings of `when no order.completed for 30 days`:
                     a customer's order followed by no order of theirs for
                     30 days (a next order exactly 30 days later is too late:
                     the timer fires first), the last silence included when
                     it ends by `until`
  sliding=<n>        firings of `sum(order.completed.amount) over 30 days >
                     500`: orders that take the sum over (t - 30 days, t]
                     from <= 500 to > 500, in exact cents
Customers are the kit's phones (one identifier each, so no merges).
"""
import argparse
import collections
import json
from datetime import datetime, timezone
from decimal import Decimal

DAY = 86400
WINDOW = 30 * DAY


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", required=True)
    ap.add_argument("--until-days", type=int, default=31)
    a = ap.parse_args()

    last_order = {}            # phone -> time of their latest order
    windows = collections.defaultdict(collections.deque)  # phone -> (time, cents) in the window
    sums = collections.defaultdict(int)
    absence = sliding = 0
    latest = None
    with open(a.events, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line, parse_float=Decimal)
            t = int(datetime.fromisoformat(e["time"]).timestamp())
            latest = t if latest is None else max(latest, t)
            if e["type"] != "order.completed":
                continue
            phone = e["data"]["customer"]["phone"]
            prev = last_order.get(phone)
            if prev is not None and t - prev >= WINDOW:
                absence += 1
            last_order[phone] = t if prev is None else max(prev, t)
            cents = int(Decimal(e["data"]["amount"]) * 100)
            w = windows[phone]
            while w and w[0][0] <= t - WINDOW:
                sums[phone] -= w.popleft()[1]
            before = sums[phone]
            w.append((t, cents))
            sums[phone] = before + cents
            if before <= 50000 < before + cents:
                sliding += 1
    until = latest + a.until_days * DAY
    absence += sum(1 for t in last_order.values() if t + WINDOW <= until)
    print("until=" + datetime.fromtimestamp(until, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    print("absence=%d" % absence)
    print("sliding=%d" % sliding)


if __name__ == "__main__":
    main()
