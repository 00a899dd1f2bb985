"""Webhooks under faults (issue 8, item 6), with real processes.

Three endpoints beside one `patron run` on JetStream: "ok" answers 200,
"fail" answers 500, "hang" accepts the connection, reads the request and
never answers. Every order fires a points action and a webhook action to
each endpoint. The test proves:
- every action reaches PATRON_ACTIONS (the ids equal `patron replay`'s),
  and the points and the "ok" webhooks all arrive while the hanging
  endpoint still holds its first requests open (no dead letter of its yet);
- "ok" receives each of its actions once, with Idempotency-Key = action id;
- "fail" and "hang" get each action --webhook-attempts times, always with
  the same Idempotency-Key, then one dead letter per action on patron.dead
  naming the HTTP status (500) or the error (the timeout);
- requests to one endpoint run several at once: the hanging endpoint sees
  more than one connection open at the same time (at most the concurrency).
"""

import http.server
import json
import socket
import threading
import time

import live

RULES = """
event order.completed { amount: number }

rule "points"
  when order.completed
  then points event.amount
end

rule "to_ok"
  when order.completed
  then webhook "ok"
end

rule "to_fail"
  when order.completed
  then webhook "fail"
end

rule "to_hang"
  when order.completed
  then webhook "hang"
end
"""

ORDERS = 10
ATTEMPTS = 3
CONCURRENCY = 4


class Recorder:
    """Idempotency-Keys received, in order, from any thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.keys = []
        self.open = 0
        self.max_open = 0

    def add(self, key):
        with self.lock:
            self.keys.append(key)

    def opened(self):
        with self.lock:
            self.open += 1
            self.max_open = max(self.max_open, self.open)

    def closed(self):
        with self.lock:
            self.open -= 1

    def snapshot(self):
        with self.lock:
            return list(self.keys), self.open, self.max_open


def answering_server(status, recorder):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            recorder.add(self.headers.get("Idempotency-Key"))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d/hook" % server.server_address[1]


def hanging_server(recorder, stop):
    """Accepts, reads the request head, never answers; counts open connections."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)

    def serve(conn):
        recorder.opened()
        try:
            head = b""
            recorded = False
            conn.settimeout(0.2)
            while not stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    break  # the client gave up (its timeout)
                head += chunk
                if not recorded and b"\r\n\r\n" in head:
                    recorded = True
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"idempotency-key:"):
                            recorder.add(line.split(b":", 1)[1].strip().decode())
        finally:
            recorder.closed()
            conn.close()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        listener.close()

    threading.Thread(target=accept, daemon=True).start()
    return "http://127.0.0.1:%d/hook" % listener.getsockname()[1]


def order(n):
    return json.dumps({"specversion": "1.0", "id": "o-%04d" % n, "source": "faults/webhooks",
                       "type": "order.completed", "time": "2026-03-01T12:%02d:00+08:00" % n,
                       "data": {"customer": {"phone": "1390000%04d" % n}, "store": "s01",
                                "amount": 10 + n}})


def main():
    ok, failing, hanging = Recorder(), Recorder(), Recorder()
    stop = threading.Event()
    ok_server, ok_url = answering_server(200, ok)
    fail_server, fail_url = answering_server(500, failing)
    hang_url = hanging_server(hanging, stop)
    with live.Workdir("webhooks") as work:
        rules = work.file("rules.rules", RULES)
        server = live.NatsServer(work.path)
        try:
            run = live.PatronRun(work.path, [
                "--rules", rules, "--data", work.file("data"), "--nats", server.url,
                "--webhook", "ok=" + ok_url, "--webhook", "fail=" + fail_url, "--webhook", "hang=" + hang_url,
                "--webhook-attempts", str(ATTEMPTS), "--webhook-timeout", "2s", "--webhook-backoff", "100ms",
                "--webhook-concurrency", str(CONCURRENCY)])
            run.wait_for("listening on")
            nats = live.Nats(server.url)
            lines = [order(n) for n in range(ORDERS)]
            live.publish_events(nats, lines)
            want = live.replay(work.path, rules, lines)
            ids_of = lambda rule: [a["id"] for a in want if a["data"]["rule"] == rule]

            # Everything else flows while "hang" holds its first requests open.
            def others_done():
                actions, _ = live.actions_in_stream(nats)
                got = {a["id"] for a in actions}
                return set(ids_of("points")) <= got and set(ok.snapshot()[0]) == set(ids_of("to_ok"))
            live.wait_until(others_done, "the points and the ok webhooks", 60)
            _, dead_so_far = live.actions_in_stream(nats)
            hang_dead = [d for d in dead_so_far if d.get("subject") == "hang"]
            keys, open_now, _ = hanging.snapshot()
            print("when the others were done: hang had %d requests open, %d dead letters"
                  % (open_now, len(hang_dead)))
            assert open_now > 0 and not hang_dead

            # Every failing and hanging action ends as a dead letter.
            def all_dead():
                _, dead = live.actions_in_stream(nats)
                return len(dead) >= 2 * ORDERS
            live.wait_until(all_dead, "the dead letters", 120)
            assert run.stop() == 0, run.text()
            actions, dead = live.actions_in_stream(nats)
            live.compare_ids("webhooks: actions in PATRON_ACTIONS vs replay",
                             [a["id"] for a in actions], [a["id"] for a in want])

            ok_keys, _, _ = ok.snapshot()
            assert sorted(ok_keys) == sorted(ids_of("to_ok")), "each ok webhook exactly once"
            for rec, rule, name in ((failing, "to_fail", "fail"), (hanging, "to_hang", "hang")):
                keys, _, max_open = rec.snapshot()
                counts = {k: keys.count(k) for k in set(keys)}
                print("%s: %d requests, attempts per key %s, max open at once %d"
                      % (name, len(keys), sorted(set(counts.values())), max_open))
                assert set(counts) == set(ids_of(rule)), name
                assert set(counts.values()) == {ATTEMPTS}, (name, counts)
                letters = [d for d in dead if d.get("subject") == name]
                assert len(letters) == ORDERS, (name, len(letters))
                for d in letters:
                    assert ("failed after %d attempts" % ATTEMPTS) in d["reason"], d["reason"]
                    assert json.loads(d["message"])["id"] in counts
                if name == "fail":
                    assert all("HTTP 500" in d["reason"] for d in letters), letters[0]["reason"]
                else:
                    print("hang dead letter reason:", letters[0]["reason"])
                    assert all("HTTP" not in d["reason"] for d in letters)
            _, _, hang_max = hanging.snapshot()
            assert 2 <= hang_max <= CONCURRENCY, hang_max
            assert len(dead) == 2 * ORDERS
        finally:
            stop.set()
            ok_server.shutdown()
            fail_server.shutdown()
            server.stop()
    print("ok")


if __name__ == "__main__":
    main()
