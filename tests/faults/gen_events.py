#!/usr/bin/env python3
"""Events for the fault tests, one CloudEvent JSON object per line.

The rules of tests/faults/faults.rules fire on these so that the action ids
do not depend on the order in which the engine sees the events: a live
engine may see them in another order than the file's (a JetStream
redelivery after a kill comes after newer messages; a publisher's retry is
stored after later lines), and an order-dependent rule ("the first order",
"the order that takes the sum over 500") would then legitimately differ
from a replay. So every order has a customer of its own (its first order,
and its lifetime sum is its amount), and reviews fire per event. What the
test checks is what faults can break: no action lost, none twice.

Deterministic: the same --events and --seed give the same bytes.
"""
import argparse
import random
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8)))


def lines(n, seed):
    rng = random.Random(seed)
    base = int(START.timestamp())
    tz = START.tzinfo
    orders = 0
    for i in range(n):
        ts = datetime.fromtimestamp(base + i, tz).isoformat()
        store = "s%02d" % rng.randrange(50)
        if rng.random() < 0.7 or orders == 0:
            phone = "139%08d" % orders
            orders += 1
            cents = rng.randint(1000, 80000)
            yield ('{"specversion":"1.0","id":"f-%07d","source":"pos/%s","type":"order.completed",'
                   '"time":"%s","data":{"customer":{"phone":"%s"},"store":"%s","order_id":"o-%07d",'
                   '"amount":%d.%02d}}' % (i, store, ts, phone, store, i, cents // 100, cents % 100))
        else:
            phone = "139%08d" % rng.randrange(orders)
            yield ('{"specversion":"1.0","id":"f-%07d","source":"app/%s","type":"review.posted",'
                   '"time":"%s","data":{"customer":{"phone":"%s"},"store":"%s","rating":%d,'
                   '"text":"ok"}}' % (i, store, ts, phone, store, rng.randint(1, 5)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="\n")
    for line in lines(a.events, a.seed):
        out.write(line + "\n")
    out.close()


if __name__ == "__main__":
    main()
