#!/usr/bin/env python3
"""Scenario 1: `kill -9` of `patron run` at random moments while events flow,
restarting it at once each time; then every action must be in PATRON_ACTIONS
exactly once, as a clean replay has them.

  kill_run.py [--events 100000] [--kills 20] [--seed 1]
"""
import argparse
import random
import sys
import time

import harness


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    sc = harness.Scenario("kill-run", a.events)
    sc.server.start()
    engine = sc.make_engine()
    engine.start()
    # Spread the events over the kills: about one chunk per kill.
    pub = sc.publisher(chunks=max(1, a.kills), pause=0.3)
    pub.start()
    for _ in range(a.kills):
        time.sleep(rng.uniform(0.2, 2.0))
        engine.kill9()
        engine.start()
    pub.join()
    if pub.error:
        print("publisher: %s" % pub.error)
        return sc.finish(1)
    status = sc.settle_and_compare()
    return sc.finish(status, {"published: stored": pub.stored, "published: duplicates": pub.duplicates})


if __name__ == "__main__":
    sys.exit(main())
