"""LMDB under faults (issue 8, item 5), with real processes.

tiny-map: `patron run --map-size 1MiB` over several MiB of state and
  outbox rows: the map grows (the data file ends larger than the initial
  map, which it cannot outgrow without a resize) and the transactions that
  filled it are replayed: PATRON_ACTIONS holds exactly the action ids of
  `patron replay` of the same events (lost, duplicated, unexpected: 0).

full-disk: the data directory on a small tmpfs (needs `mount`, i.e. root;
  skipped with a message when mounting is refused), filled to the last
  bytes by another file while events flow. What run must do (issue 8):
  stop consuming and say why ("no space left on device"), keep running,
  ack nothing it has not committed, and resume by itself when space
  returns. Then a second fill and a kill -9 while full, a restart: the ids
  in PATRON_ACTIONS still equal the replay's, so nothing acked was lost.

Usage: lmdb_test.py tiny-map|full-disk
Exit 77 means skipped (CTest SKIP_RETURN_CODE).
"""

import json
import os
import subprocess
import sys

import live

SKIP = 77

RULES = """
event order.completed { amount: number }

rule "welcome"
  when first order.completed
  then coupon "WELCOME" value 5
end

rule "points"
  when order.completed
  then points event.amount
end
"""


def orders(first, count):
    out = []
    for n in range(first, first + count):
        out.append(json.dumps({
            "specversion": "1.0", "id": "o-%06d" % n, "source": "faults/lmdb", "type": "order.completed",
            "time": "2026-03-01T%02d:%02d:%02d+08:00" % (n // 3600 % 24, n // 60 % 60, n % 60),
            "data": {"customer": {"phone": "1370%07d" % n, "name": "customer %d" % n}, "store": "s01",
                     "amount": 10 + n % 90, "note": "x" * 200}}))
    return out


def all_ids_arrived(nats, want_ids):
    actions, _ = live.actions_in_stream(nats)
    return want_ids <= {a["id"] for a in actions}


def tiny_map():
    with live.Workdir("tinymap") as work:
        rules = work.file("rules.rules", RULES)
        data = work.file("data")
        server = live.NatsServer(work.path)
        try:
            run = live.PatronRun(work.path, ["--rules", rules, "--data", data, "--nats", server.url,
                                             "--map-size", "1MiB", "--batch-size", "512"])
            run.wait_for("listening on")
            nats = live.Nats(server.url)
            lines = orders(0, 6000)
            live.publish_events(nats, lines)
            want = live.replay(work.path, rules, lines)
            want_ids = {a["id"] for a in want}
            live.wait_until(lambda: all_ids_arrived(nats, want_ids), "every action", 180, 0.5)
            assert run.stop() == 0, run.text()
            size = os.path.getsize(os.path.join(data, "data.mdb"))
            print("data.mdb: %d bytes after starting with a 1 MiB map" % size)
            assert size > (1 << 20), "the map never grew"
            actions, dead = live.actions_in_stream(nats)
            assert not dead, dead[:2]
            live.compare_ids("tiny map: run vs replay", [a["id"] for a in actions], [a["id"] for a in want])
        finally:
            server.stop()


def mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return done.returncode == 0, done.stdout.strip()


def fill(path):
    """Writes a file that takes every free byte of the file system at `path`."""
    filler = os.path.join(path, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for block in (1 << 16, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * block)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def consumer_info(nats):
    _, body = nats.request("$JS.API.CONSUMER.INFO.PATRON_EVENTS.patron", b"")
    return json.loads(body)


def full_disk():
    with live.Workdir("fulldisk") as work:
        mnt = os.path.join(work.path, "tmpfs")
        mounted, why = mount_tmpfs(mnt, "64m")
        if not mounted:
            print("SKIPPED: cannot mount a tmpfs here (%s); the full-disk test needs root" % why)
            sys.exit(SKIP)
        server = None
        try:
            rules = work.file("rules.rules", RULES)
            data = os.path.join(mnt, "data")
            server = live.NatsServer(work.path)  # JetStream's store is not on the small disk
            args = ["--rules", rules, "--data", data, "--nats", server.url, "--map-size", "1MiB"]
            run = live.PatronRun(work.path, args)
            run.wait_for("listening on")
            nats = live.Nats(server.url)
            first = orders(0, 500)
            live.publish_events(nats, first)
            live.wait_until(lambda: all_ids_arrived(nats, {a["id"] for a in live.replay(work.path, rules, first)}),
                            "the first actions", 60, 0.5)

            # Phase 1: full while events flow; run must wait, not die, then go on.
            filler = fill(mnt)
            second = orders(500, 3000)
            live.publish_events(nats, second)
            live.wait_until(lambda: "no space left on device" in run.text().lower() or run.proc.poll() is not None,
                            "run to notice the full disk", 120, 0.2)
            print("while full:", [l for l in run.text().splitlines() if "space" in l.lower()][:2])
            assert run.proc.poll() is None, "run exited on a full disk:\n" + run.text()[-2000:]
            assert "no space left on device" in run.text().lower(), run.text()[-2000:]
            info = consumer_info(nats)
            print("consumer while full: ack floor %s, pending %s" % (info["ack_floor"], info["num_pending"]))
            assert info["ack_floor"]["stream_seq"] < 500 + 3000, "everything acked while the disk was full"
            os.remove(filler)
            events = first + second
            want_ids = {a["id"] for a in live.replay(work.path, rules, events)}
            live.wait_until(lambda: all_ids_arrived(nats, want_ids), "run to resume by itself", 300, 0.5)

            # Phase 2: full again, kill -9 while full, space back, restart.
            filler = fill(mnt)
            third = orders(3500, 3000)
            live.publish_events(nats, third)
            live.wait_until(lambda: run.text().lower().count("no space left on device") >= 2
                            or run.proc.poll() is not None, "the second full disk", 120, 0.2)
            run.kill()
            os.remove(filler)
            run = live.PatronRun(work.path, args, name="run2")
            run.wait_for("listening on")
            events += third
            want = live.replay(work.path, rules, events)
            live.wait_until(lambda: all_ids_arrived(nats, {a["id"] for a in want}), "every action", 300, 0.5)
            assert run.stop() == 0, run.text()
            actions, _ = live.actions_in_stream(nats)
            live.compare_ids("full disk: run vs replay", [a["id"] for a in actions], [a["id"] for a in want])
        finally:
            if server:
                server.stop()
            subprocess.run(["umount", "-l", mnt])


if __name__ == "__main__":
    {"tiny-map": tiny_map, "full-disk": full_disk}[sys.argv[1]]()
    print("ok")
