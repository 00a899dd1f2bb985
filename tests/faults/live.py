"""Real processes for the fault tests: a JetStream nats-server on a free
port, a minimal NATS client (JetStream publishes with their acks,
pipelined; API requests), the whole PATRON_ACTIONS stream read by
patron_stream_dump, `patron run` as a child process, and `patron replay`
of the same events.

No mocks: every test drives /usr/sbin/nats-server and the real `patron`
binary (its path is PATRON_BIN, as for harness.py, set by CTest).
Everything a test writes goes to its own temporary directory.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import harness

PATRON = os.environ.get("PATRON_BIN") or os.environ.get("PATRON", "patron")
# faults1's stream dump tool; by default beside the build's cli/patron.
STREAM_DUMP = os.environ.get("PATRON_STREAM_DUMP") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(PATRON))), "tests", "patron_stream_dump")


def wait_until(predicate, what, bound=60.0, step=0.05):
    """Polls predicate() until true; raises naming `what` after `bound` s."""
    end = time.monotonic() + bound
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


class Workdir:
    """A temporary directory, removed at exit unless KEEP_FAULT_DIRS is set."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix="patron-" + name + "-")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if os.environ.get("KEEP_FAULT_DIRS"):
            print("kept", self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)

    def file(self, name, text=None):
        p = os.path.join(self.path, name)
        if text is not None:
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
        return p


def NatsServer(work):
    """harness.NatsServer (nats-server -js, its store under `work`, on a free
    port), started; .url, .port, .stop()."""
    server = harness.NatsServer(work)
    server.start()
    return server


class Nats:
    """A blocking NATS client speaking the text protocol, enough for tests."""

    def __init__(self, url):
        self.url = url
        host, port = url.rsplit("/", 1)[-1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        self.buf = b""
        self._line()  # INFO
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n')
        self.inbox = "_INBOX.t%d" % os.getpid()
        self.sock.sendall(("SUB %s.* 1\r\nPING\r\n" % self.inbox).encode())
        while self._line() != b"PONG":
            pass
        self.n = 0

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("NATS connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    @staticmethod
    def _pub_bytes(subject, data, reply=None):
        if isinstance(data, str):
            data = data.encode()
        head = "PUB %s %s%d\r\n" % (subject, reply + " " if reply else "", len(data))
        return head.encode() + data + b"\r\n"

    def publish(self, subject, data, reply=None):
        self.sock.sendall(self._pub_bytes(subject, data, reply))

    def _next_msg(self):
        """The next message on our subscription: (subject, headers, data)."""
        while True:
            line = self._line()
            if line == b"PING":
                self.sock.sendall(b"PONG\r\n")
                continue
            parts = line.split()
            if parts and parts[0] == b"-ERR":
                raise ConnectionError(line.decode())
            if not parts or parts[0] not in (b"MSG", b"HMSG"):
                continue
            raw = self._take(int(parts[-1]))
            hlen = int(parts[-2]) if parts[0] == b"HMSG" else 0
            return parts[1].decode(), raw[:hlen], raw[hlen:]

    def _reply(self, token):
        """Waits for the message on our inbox ending in `token`; (headers, data)."""
        while True:
            subject, headers, body = self._next_msg()
            if subject.endswith("." + token):
                return headers, body

    def request_many(self, requests, window=500):
        """Pipelined requests [(subject, data)]; the reply bodies, in order."""
        out = []
        for i in range(0, len(requests), window):
            chunk = requests[i:i + window]
            base = self.n
            self.n += len(chunk)
            self.sock.sendall(b"".join(
                self._pub_bytes(subj, data, "%s.%d" % (self.inbox, base + k + 1))
                for k, (subj, data) in enumerate(chunk)))
            got = {}
            while len(got) < len(chunk):
                subject, _, body = self._next_msg()
                token = int(subject.rsplit(".", 1)[1])
                if base < token <= base + len(chunk):
                    got[token] = body
            out += [got[base + k + 1] for k in range(len(chunk))]
        return out

    def request(self, subject, data):
        self.n += 1
        token = str(self.n)
        self.publish(subject, data, "%s.%s" % (self.inbox, token))
        return self._reply(token)

    def js_publish(self, subject, data, attempts=20):
        """A JetStream publish, retried until the stream acknowledges it."""
        for _ in range(attempts):
            headers, body = self.request(subject, data)
            if body and b'"stream"' in body and b"error" not in body:
                return json.loads(body)
            time.sleep(0.2)
        raise AssertionError("no JetStream ack for " + subject + ": " + repr(headers + body))

    def stream_info(self, stream):
        _, body = self.request("$JS.API.STREAM.INFO." + stream, b"")
        return json.loads(body)


def stream_payloads(url, stream):
    """Every payload `stream` holds, in sequence order, read by faults1's
    patron_stream_dump (a direct get of each sequence; tests/tools)."""
    done = subprocess.run([STREAM_DUMP, "--nats", url, "--stream", stream],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise AssertionError("patron_stream_dump: " + done.stderr.decode(errors="replace"))
    return [l for l in done.stdout.split(b"\n") if l]


def actions_in_stream(nats):
    """(actions, dead letters) in PATRON_ACTIONS, each a parsed JSON object
    (a dead letter is the object without "specversion")."""
    actions, dead = [], []
    for payload in stream_payloads(nats.url, "PATRON_ACTIONS"):
        obj = json.loads(payload)
        (actions if "specversion" in obj else dead).append(obj)
    return actions, dead


def publish_events(nats, lines, prefix="patron", window=500):
    """JetStream-publishes each event line to <prefix>.events.<type>, each
    acked by the stream (pipelined; one left without an ack is sent again
    after the others of its window)."""
    for i in range(0, len(lines), window):
        chunk = lines[i:i + window]
        bodies = nats.request_many([("%s.events.%s" % (prefix, json.loads(l)["type"]), l) for l in chunk], window)
        for line, body in zip(chunk, bodies):
            if not (body and b'"stream"' in body and b"error" not in body):
                nats.js_publish("%s.events.%s" % (prefix, json.loads(line)["type"]), line)


class PatronRun:
    """`patron run` as a child process; its stderr (the log) in a file."""

    def __init__(self, work, args, name="run"):
        self.log_path = os.path.join(work, name + ".log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([PATRON, "run"] + args, stdout=self.log, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_for(self, needle, bound=60.0):
        def seen():
            if self.proc.poll() is not None and needle not in self.text():
                raise AssertionError("patron run exited %s before '%s':\n%s"
                                     % (self.proc.returncode, needle, self.text()))
            return needle in self.text()
        wait_until(seen, "'%s' in the run's log" % needle, bound)

    def stop(self, bound=60):
        """SIGTERM, then waits; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(bound)
        self.log.close()
        return code

    def kill(self):
        self.proc.kill()
        self.proc.wait(30)
        self.log.close()


def replay(work, rules, event_lines, until=None, extra=()):
    """`patron replay` of `event_lines`; the actions, parsed, in order."""
    events = os.path.join(work, "replay-events.jsonl")
    with open(events, "w", encoding="utf-8") as f:
        f.write("\n".join(event_lines) + "\n")
    out = os.path.join(work, "replay-actions.jsonl")
    args = [PATRON, "replay", "--rules", rules, "--events", events, "--out", out] + list(extra)
    if until is not None:
        args += ["--until", until]
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise AssertionError("replay failed: " + done.stderr)
    with open(out, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def rfc3339(epoch_seconds):
    """UTC RFC 3339 with a Z, whole seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))


def compare_ids(label, got, want):
    """Asserts the two id lists hold the same ids, each once; prints figures."""
    got_set, want_set = set(got), set(want)
    lost = want_set - got_set
    unexpected = got_set - want_set
    duplicated = len(got) - len(got_set)
    print("%s: %d actions, lost %d, duplicated %d, unexpected %d"
          % (label, len(got), len(lost), duplicated, len(unexpected)))
    assert not lost and not unexpected and duplicated == 0, (
        "lost %s unexpected %s" % (sorted(lost)[:10], sorted(unexpected)[:10]))
