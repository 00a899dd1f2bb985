"""The fault tests' harness (Python 3 standard library only): real processes.

- NatsServer: nats-server with JetStream on disk (-js -sd), on a free port,
  killed (-9) and restarted on the same port and store.
- Engine: `patron run` on a data directory, started, killed (-9), stopped
  (SIGTERM); its stderr appended to one log file.
- Publisher: `patron publish --jetstream` of the events in chunks, in the
  background, so that events keep flowing while a fault is applied.
- request(): a JetStream API request over a raw NATS socket (consumer and
  stream info), so that the harness can tell when every event is processed.
- settle_and_compare(): waits until the consumer has nothing pending or
  unacknowledged, stops the engine, starts it once more (unsent outbox rows
  go out first) and stops it, dumps PATRON_ACTIONS (patron_stream_dump) and
  compares its action ids with a clean `patron replay` of the same events:
  lost, duplicated and unexpected ids, all must be 0.

Paths come from the environment: PATRON_BIN (the patron binary),
PATRON_STREAM_DUMP (patron_stream_dump), NATS_SERVER (default
/usr/sbin/nats-server). Every scenario prints its figures as one block of
"name: value" lines and exits 1 when an id is lost, duplicated or unexpected.
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "faults.rules")


def log(msg):
    print("[faults %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(var, default=None):
    path = os.environ.get(var, default)
    if not path or not os.path.exists(path):
        sys.exit("faults: set %s to the path of the binary (got %r)" % (var, path))
    return path


class NatsServer:
    """nats-server -js with its store under `root`, on one port for its life."""

    def __init__(self, root, port=None):
        self.exe = binary("NATS_SERVER", "/usr/sbin/nats-server")
        self.port = port or free_port()
        self.store = os.path.join(root, "js")
        self.log = open(os.path.join(root, "nats-server.log"), "ab")
        self.proc = None
        self.kills = 0

    @property
    def url(self):
        return "nats://127.0.0.1:%d" % self.port

    def start(self):
        self.proc = subprocess.Popen([self.exe, "-js", "-sd", self.store, "-a", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                info = request(self.port, "$JS.API.INFO", timeout=1)
                if "error" not in info:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("nats-server exited with %s" % self.proc.returncode)
            time.sleep(0.1)
        raise RuntimeError("nats-server did not start JetStream on port %d" % self.port)

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.kills += 1

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def request(port, subject, payload=b"", timeout=5.0):
    """One request to the server on 127.0.0.1:`port`, answered as JSON (a
    JetStream API call). OSError when there is no answer in time."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        f = s.makefile("rb")
        if not f.readline().startswith(b"INFO"):
            raise OSError("not a NATS server")
        inbox = "_INBOX.faults%d" % random.randrange(1 << 30)
        s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n'
                  b"SUB %s 1\r\nPUB %s %s %d\r\n%s\r\n" % (inbox.encode(), subject.encode(), inbox.encode(),
                                                          len(payload), payload))
        while True:
            line = f.readline()
            if not line:
                raise OSError("connection closed")
            if line.startswith(b"PING"):
                s.sendall(b"PONG\r\n")
            elif line.startswith(b"MSG"):
                size = int(line.split()[-1])
                body = f.read(size + 2)[:size]
                return json.loads(body)
            elif line.startswith(b"HMSG"):  # a status (no responders): no JSON answer
                size = int(line.split()[-1])
                f.read(size + 2)
                raise OSError("no responders for %s" % subject)
            elif line.startswith(b"-ERR"):
                raise OSError(line.decode().strip())


def try_request(port, subject):
    try:
        return request(port, subject, timeout=2)
    except (OSError, ValueError):
        return None


class Engine:
    """`patron run` on one data directory; its stderr appended to run.log."""

    def __init__(self, root, nats_url_fn, extra=()):
        self.exe = binary("PATRON_BIN")
        self.data = os.path.join(root, "data")
        self.logpath = os.path.join(root, "run.log")
        self.nats_url_fn = nats_url_fn
        self.extra = list(extra)
        self.proc = None
        self.starts = 0
        self.kills = 0
        self.crashes = 0  # exits by a signal the harness did not send (crash points)
        self.failures = []  # other unexpected exit statuses
        # The environment of a restart after a crash (crash points: the next
        # crash to arm); none by default.
        self.restart_env = lambda: {}

    def start(self, env=None):
        e = dict(os.environ)
        e.update(env or {})
        with open(self.logpath, "ab") as logf:
            self.proc = subprocess.Popen([self.exe, "run", "--rules", RULES, "--data", self.data,
                                          "--nats", self.nats_url_fn(), "--log-level", "info"] + self.extra,
                                         stdout=logf, stderr=logf, env=e)
        self.starts += 1

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def reap(self):
        """Collects an exit the harness did not cause (a crash point's abort)."""
        if self.proc is not None and self.proc.poll() is not None:
            rc = self.proc.returncode
            if rc == -signal.SIGABRT:
                self.crashes += 1
            elif rc != 0:
                self.failures.append(rc)
            self.proc = None
            return rc
        return None

    def kill9(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()
            self.kills += 1
        self.proc = None

    def stop(self, timeout=120):
        """SIGTERM and wait: the engine drains, commits and flushes its outbox."""
        if not self.running():
            self.reap()
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("patron run did not stop within %ds of SIGTERM" % timeout)
        # -SIGTERM: the signal came before `run` installed its handler (while
        # parsing its arguments): it had taken nothing yet, and the comparison
        # with the replay still decides.
        if rc != 0 and rc != -signal.SIGTERM:
            self.failures.append(rc)
        self.proc = None


class Publisher(threading.Thread):
    """Publishes `events` (a list of lines) with `patron publish --jetstream`
    in `chunks` successive processes, `pause` seconds apart, in the background."""

    def __init__(self, root, events, nats_url_fn, chunks=20, pause=0.5):
        super().__init__(daemon=True)
        self.exe = binary("PATRON_BIN")
        self.root, self.events, self.nats_url_fn = root, events, nats_url_fn
        self.chunks, self.pause = chunks, pause
        self.stored = self.duplicates = self.retries = 0
        self.error = None

    def run(self):
        size = (len(self.events) + self.chunks - 1) // self.chunks
        try:
            for k in range(self.chunks):
                part = self.events[k * size:(k + 1) * size]
                if not part:
                    break
                path = os.path.join(self.root, "chunk.jsonl")
                with open(path, "w") as f:
                    f.write("\n".join(part) + "\n")
                out = subprocess.run([self.exe, "publish", "--jetstream", "--events", path, "--nats",
                                      self.nats_url_fn()],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
                if out.returncode != 0:
                    raise RuntimeError("patron publish failed: %s" % out.stderr.strip()[-2000:])
                # "published N events: S stored, D duplicates, R retries"
                words = out.stdout.replace(",", "").split()
                self.stored += int(words[words.index("stored") - 1])
                self.duplicates += int(words[words.index("duplicates") - 1] if "duplicates" in words
                                       else words[words.index("duplicate") - 1])
                self.retries += int(words[words.index("retries") - 1] if "retries" in words
                                    else words[words.index("retry") - 1])
                time.sleep(self.pause)
        except Exception as e:  # reported by the scenario
            self.error = e


def generate(n, seed=7):
    sys.path.insert(0, HERE)
    import gen_events
    return list(gen_events.lines(n, seed))


class Scenario:
    """One fault test: a temp dir, a server, an engine, the figures."""

    def __init__(self, name, events, engine_args=(), keep=False):
        self.name = name
        self.root = tempfile.mkdtemp(prefix="patron-faults-%s-" % name)
        self.keep = keep or os.environ.get("PATRON_FAULTS_KEEP") == "1"
        self.server = NatsServer(self.root)
        self.url_fn = lambda: self.server.url
        self.events = generate(events)
        self.engine_args = list(engine_args)
        self.engine = None
        self.figures = {"scenario": name, "events": len(self.events)}
        log("%s: %d events, work dir %s" % (name, len(self.events), self.root))

    def make_engine(self, url_fn=None):
        self.engine = Engine(self.root, url_fn or self.url_fn, self.engine_args)
        return self.engine

    def publisher(self, chunks=20, pause=0.5, url_fn=None):
        return Publisher(self.root, self.events, url_fn or self.url_fn, chunks, pause)

    def wait_processed(self, port=None, timeout=600):
        """Until the consumer has delivered the whole events stream and has
        nothing unacknowledged (the engine must be running)."""
        port = port or self.server.port
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.engine.reap() is not None:  # a crash point fired: start again
                self.engine.start(self.engine.restart_env())
            stream = try_request(port, "$JS.API.STREAM.INFO.PATRON_EVENTS")
            consumer = try_request(port, "$JS.API.CONSUMER.INFO.PATRON_EVENTS.patron")
            if stream and consumer and "error" not in stream and "error" not in consumer:
                last = stream["state"]["last_seq"]
                if (stream["state"]["messages"] == len(self.events) and consumer["num_pending"] == 0
                        and consumer["num_ack_pending"] == 0 and consumer["ack_floor"]["stream_seq"] >= last):
                    return
            time.sleep(0.5)
        raise RuntimeError("the events were not all processed within %ds" % timeout)

    def settle_and_compare(self, port=None):
        """Processes everything, flushes the outbox, compares with a replay.
        Returns the process exit status (0 when nothing is lost or twice)."""
        self.wait_processed(port)
        self.engine.restart_env = lambda: {}
        self.engine.stop()
        # Once more: rows left unsent by the last stop go out before intake.
        self.engine.start()
        time.sleep(2)
        self.wait_processed(port)
        self.engine.stop()
        return self.compare()

    def compare(self):
        dump = subprocess.run([binary("PATRON_STREAM_DUMP"), "--nats", self.server.url, "--stream",
                               "PATRON_ACTIONS", "--msg-id"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=600)
        if dump.returncode != 0:
            raise RuntimeError("patron_stream_dump failed: " + dump.stderr)
        got = [line.split("\t", 1)[0] for line in dump.stdout.splitlines() if line]
        events_path = os.path.join(self.root, "events.jsonl")
        with open(events_path, "w") as f:
            f.write("\n".join(self.events) + "\n")
        replay_out = os.path.join(self.root, "replay.jsonl")
        replay_dead = os.path.join(self.root, "replay-dead.jsonl")
        r = subprocess.run([binary("PATRON_BIN"), "replay", "--rules", RULES, "--events", events_path, "--out",
                            replay_out, "--dead", replay_dead], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("patron replay failed: " + r.stderr)
        expected = []
        for path in (replay_out, replay_dead):
            with open(path) as f:
                expected += [json.loads(line)["id"] for line in f if line.strip()]
        seen, twice = set(), 0
        for i in got:
            if i in seen:
                twice += 1
            seen.add(i)
        want = set(expected)
        lost = len(want - seen)
        unexpected = len(seen - want)
        self.figures.update({
            "engine starts": self.engine.starts,
            "engine kills (-9)": self.engine.kills,
            "engine crashes (crash point)": self.engine.crashes,
            "server kills (-9)": self.server.kills,
            "actions expected (replay)": len(expected),
            "actions in PATRON_ACTIONS": len(got),
            "lost": lost,
            "duplicated": twice,
            "unexpected": unexpected,
        })
        if self.engine.failures:
            self.figures["unexpected engine exit statuses"] = " ".join(map(str, self.engine.failures))
        ok = lost == 0 and twice == 0 and unexpected == 0 and len(expected) > 0
        return 0 if ok else 1

    def finish(self, status, extra=None):
        self.figures.update(extra or {})
        print("---- figures: %s ----" % self.name)
        for k, v in self.figures.items():
            print("%s: %s" % (k, v))
        print("result: %s" % ("PASS" if status == 0 else "FAIL"), flush=True)
        if self.engine:
            self.engine.kill9()
        self.server.stop()
        if status == 0 and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            print("work dir kept: %s (run.log, nats-server.log)" % self.root)
        return status
