#!/usr/bin/env python3
"""Scenario 3: `kill -9` of nats-server (JetStream on disk) every few seconds
while events flow, restarting it on the same port and store. The engine is
never restarted by hand (it must reconnect and go on by itself: an exit
fails the test) and the publishers retry; then every action must be in
PATRON_ACTIONS exactly once, as a clean replay has them.

  kill_server.py [--events 30000] [--kills 5] [--seed 3]
"""
import argparse
import random
import sys
import time

import harness


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=30_000)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    sc = harness.Scenario("kill-server", a.events)
    sc.server.start()
    engine = sc.make_engine()
    engine.start()
    pub = sc.publisher(chunks=max(1, a.kills * 2), pause=0.5)
    pub.start()
    exited = 0
    for _ in range(a.kills):
        time.sleep(rng.uniform(1.0, 3.0))
        sc.server.kill9()
        time.sleep(rng.uniform(0.2, 1.5))
        sc.server.start()
        if not engine.running():
            exited += 1
    pub.join()
    if pub.error:
        print("publisher: %s" % pub.error)
        return sc.finish(1)
    if not engine.running():
        exited += 1
    status = sc.settle_and_compare()
    if exited or engine.starts != 2:  # the test's own start and settle's restart only
        status = 1
    return sc.finish(status, {"engine exits during the kills": exited, "published: stored": pub.stored,
                              "published: duplicates": pub.duplicates, "published: retries": pub.retries})


if __name__ == "__main__":
    sys.exit(main())
