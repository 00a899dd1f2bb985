#!/usr/bin/env python3
"""Scenario 4: the connection cut. `patron run` reaches nats-server through a
TCP proxy on loopback that drops every connection and refuses new ones for
a while, then resumes; the publishers go straight to the server, so events
keep arriving meanwhile. Cuts: 1 s; longer than the consumer's ack wait
(--ack-wait 3s: the server redelivers what the engine had not acked); and
longer than the reconnect budget. The CI setting gives the engine a budget
of --nats-max-reconnect 3 (about 1 s) and cuts for 8 s, so libnats closes
the connection and the engine must build a new one; --long keeps the
default (reconnect forever) and cuts for 130 s, past libnats' own default
budget (60 attempts x 2 s). The engine must never exit; then every action
must be in PATRON_ACTIONS exactly once.

  connection_cut.py [--events 20000] [--long]
"""
import argparse
import sys
import time

import harness
from proxy import CuttingProxy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--long", action="store_true")
    a = ap.parse_args()
    args = ["--ack-wait", "3s"] + ([] if a.long else ["--nats-max-reconnect", "3"])
    sc = harness.Scenario("connection-cut", a.events, engine_args=args)
    sc.server.start()
    proxy = CuttingProxy(sc.server.port)
    engine = sc.make_engine(url_fn=lambda: proxy.url)
    engine.start()
    cuts = [1.0, 5.0, 130.0 if a.long else 8.0]
    pub = sc.publisher(chunks=len(cuts) * 4, pause=(sum(cuts) + 3 * len(cuts)) / (len(cuts) * 4))
    pub.start()
    exited = 0
    for seconds in cuts:
        time.sleep(2.0)
        harness.log("cutting the engine's connection for %gs" % seconds)
        proxy.cut()
        time.sleep(seconds)
        proxy.resume()
        if not engine.running():
            exited += 1
    pub.join()
    if pub.error:
        print("publisher: %s" % pub.error)
        return sc.finish(1)
    if not engine.running():
        exited += 1
    status = sc.settle_and_compare()
    proxy.close()
    if exited or engine.starts != 2:
        status = 1
    return sc.finish(status, {"cuts (s)": " ".join("%g" % c for c in cuts), "engine exits during the cuts": exited})


if __name__ == "__main__":
    sys.exit(main())
