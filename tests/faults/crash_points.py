#!/usr/bin/env python3
"""Scenario 2: crash points. Needs a build with -DPATRON_CRASH_POINTS=ON
(base/crash_point.hpp): `patron run` aborts at a named point on its n-th
hit when PATRON_CRASH_AT=<name>:<n>. For each point in turn, while a share
of the events flows, the engine is started armed at that point (n drawn at
random), aborts, and is started again armed anew, until the point has
crashed it --hits times; then every action must be in PATRON_ACTIONS
exactly once, as a clean replay has them, and every point must have been
hit --hits times.

The map-resize point needs a map that fills: the engine runs with a tiny
initial map (`--map-size 64KiB`, which doubles as the state grows), unless
PATRON_FAULTS_RUN_ARGS gives other run flags.

  crash_points.py [--events 20000] [--hits 3] [--seed 2]
"""
import argparse
import os
import random
import sys
import time

import harness

# name -> the largest n drawn (how many hits a process makes before it crashes).
POINTS = {
    "after-commit-before-ack": 5,
    "after-ack-before-publish": 300,
    "after-publish-before-tombstone": 5,
    "startup-drain": 1,
    "map-resize": 2,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--hits", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--phase-timeout", type=float, default=60.0, help="seconds per point at most")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    extra = os.environ.get("PATRON_FAULTS_RUN_ARGS", "--map-size 64KiB").split()
    points = [p for p in POINTS if p != "map-resize" or extra]
    sc = harness.Scenario("crash-points", a.events, engine_args=extra)
    sc.server.start()
    engine = sc.make_engine()
    hits = {p: 0 for p in points}
    armed = {"point": None}

    def arm(point):
        armed["point"] = point
        return {"PATRON_CRASH_AT": "%s:%d" % (point, rng.randint(1, POINTS[point]))}

    pub = sc.publisher(chunks=len(points) * 4, pause=1.0)
    pub.start()
    for point in points:
        harness.log("crash point %s" % point)
        deadline = time.time() + a.phase_timeout
        engine.restart_env = lambda: {}
        engine.start(arm(point))
        started = time.time()
        while hits[point] < a.hits and time.time() < deadline:  # map-resize: as many as the phase allows
            time.sleep(0.05)
            before = engine.crashes
            if engine.reap() is not None:
                if engine.crashes > before:
                    hits[point] += 1
                engine.start(arm(point) if hits[point] < a.hits else {})
                started = time.time()
            elif point == "startup-drain" and time.time() - started > rng.uniform(0.3, 1.5):
                # The drain resends only rows left unsent: a kill between
                # commit and publish leaves some; then start armed again.
                engine.kill9()
                engine.start(arm(point))
                started = time.time()
        if engine.running():
            engine.kill9()
        else:
            engine.reap()
    if not engine.running():
        engine.start()
    pub.join()
    if pub.error:
        print("publisher: %s" % pub.error)
        return sc.finish(1)
    status = sc.settle_and_compare()
    # The map grows only while the state outgrows it (a reopened map is as
    # large as its file), so map-resize is reached less often: once is enough.
    short = [p for p in points if hits[p] < (1 if p == "map-resize" else a.hits)]
    if short or engine.failures:
        status = 1
    figures = {"crash hits per point": ", ".join("%s %d" % (p, hits[p]) for p in points)}
    if "map-resize" not in points:
        figures["map-resize"] = "not reachable (no tiny-map flag in PATRON_FAULTS_RUN_ARGS)"
    if short:
        figures["points hit fewer than --hits times"] = " ".join(short)
    return sc.finish(status, figures)


if __name__ == "__main__":
    sys.exit(main())
