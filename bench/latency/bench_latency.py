"""The acknowledgement's latency: how long after a contribution is handed to the inbound SMTP
port its acknowledgement is visible over IMAP in the sender's INBOX, with `contribd run` on IDLE,
next to the floor (a client that only waits for IDLE on the secretariat's INBOX and appends a
message to the sender's INBOX).

Run through scripts/bench-latency, which builds contribd and starts the mail sandbox (the same
private sandbox as scripts/bench-backlog). Each contribution is sent 1 s after the previous one;
the clock starts when the inbound server's 250 after the dot has been read (smtplib's sendmail
returns) and stops when the measuring client on the sender's INBOX sees the EXISTS that the
acknowledgement causes: by default it asks with a NOOP every 5 ms (`--observer noop`), which
sees the message as soon as it is in the folder; in IDLE (`--observer idle`) it also waits for
the server's announcement (Dovecot's comes 0.5 s after the delivery). The floor is measured
first, with contribd not running, then contribd (on IDLE, or with `--noop-ms N` on
`[imap] noop_interval_ms = N`); p50/p90/p99 of both are printed side by side, and their
differences.
"""

import argparse
import json
import os
import re
import select
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import harness  # noqa: E402
import mailenv  # noqa: E402
from harness import SECRETARIAT  # noqa: E402

PDF = "application/pdf"
SENDER = mailenv.PARTICIPANTS[0]


class IdleClient:
    """A raw IMAPS connection that logs in, selects INBOX and stays in IDLE; wait_exists() returns
    the monotonic time at which the next "* N EXISTS" arrived."""

    def __init__(self, address):
        context = ssl.create_default_context(cafile=mailenv.CA)
        raw = socket.create_connection(("127.0.0.1", int(mailenv.IMAPS_PORT)), timeout=30)
        self.sock = context.wrap_socket(raw, server_hostname="127.0.0.1")
        self.buffer = b""
        self.tag = 0
        self.exists = 0
        self.readline()  # greeting
        self.command(f'LOGIN "{address}" "{mailenv.password(address)}"')
        self.command("SELECT INBOX")
        self.idling = False

    def readline(self, timeout=60):
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no line from the IMAP server")
            if not self.sock.pending():
                ready, _, _ = select.select([self.sock], [], [], left)
                if not ready:
                    continue
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the IMAP server closed the connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def command(self, text):
        self.tag += 1
        tag = f"b{self.tag}"
        self.sock.sendall(f"{tag} {text}\r\n".encode())
        while True:
            line = self.readline()
            exists = re.match(r"\* (\d+) EXISTS", line)
            if exists:
                self.exists = int(exists.group(1))
            if line.startswith(tag + " "):
                if not line.startswith(tag + " OK"):
                    raise RuntimeError(f"{text.split()[0]}: {line}")
                return

    def idle(self):
        self.tag += 1
        self.idle_tag = f"b{self.tag}"
        self.sock.sendall(f"{self.idle_tag} IDLE\r\n".encode())
        while not self.readline().startswith("+"):
            pass
        self.idling = True

    def wait_exists(self, timeout=60):
        """The monotonic time of the next EXISTS received while idling."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.readline(max(0.01, deadline - time.monotonic()))
            if re.match(r"\* \d+ EXISTS", line):
                return time.monotonic()

    def poll_new(self, timeout=60, every=0.005):
        """The monotonic time at which a NOOP, sent every `every` s, first shows more messages
        than before."""
        before = self.exists
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.command("NOOP")
            if self.exists > before:
                return time.monotonic()
            time.sleep(every)
        raise TimeoutError("no new message")

    def done(self):
        self.sock.sendall(b"DONE\r\n")
        while not self.readline().startswith(self.idle_tag + " "):
            pass
        self.idling = False

    def append(self, message):
        self.tag += 1
        tag = f"b{self.tag}"
        self.sock.sendall(f"{tag} APPEND INBOX {{{len(message)}}}\r\n".encode())
        if not self.readline().startswith("+"):
            raise RuntimeError("APPEND not continued")
        self.sock.sendall(message + b"\r\n")
        while True:
            line = self.readline()
            if line.startswith(tag + " "):
                return

    def close(self):
        try:
            if self.idling:
                self.done()
            self.command("LOGOUT")
        except Exception:
            pass
        self.sock.close()


def floor_reactor(stop, ready):
    """The floor: IDLE on the secretariat's INBOX, and on each new message an APPEND of a short
    acknowledgement to the sender's INBOX, over a connection opened beforehand."""
    watcher = IdleClient(SECRETARIAT)
    writer = IdleClient(SENDER)
    ack = (f"From: {SECRETARIAT}\r\nTo: {SENDER}\r\nSubject: received\r\n"
           "Auto-Submitted: auto-replied\r\n\r\nReceived.\r\n").encode()
    watcher.idle()
    ready.set()
    while not stop.is_set():
        try:
            watcher.wait_exists(timeout=0.5)
        except TimeoutError:
            continue
        writer.append(ack)
    watcher.close()
    writer.close()


def contribution_bytes(number):
    msg = harness.contribution(SENDER, f"Latency contribution {number}",
                               [(f"latency-{number}.pdf", os.urandom(3000), PDF)])
    return msg


def measure(count, interval, label, observer):
    """Sends `count` contributions `interval` s apart; returns the latencies in seconds."""
    watcher = IdleClient(SENDER)
    if observer == "idle":
        watcher.idle()
    latencies = []
    try:
        next_send = time.monotonic()
        for number in range(1, count + 1):
            time.sleep(max(0.0, next_send - time.monotonic()))
            next_send = time.monotonic() + interval
            msg = contribution_bytes(number)
            harness.send(msg)  # returns once the 250 after the dot is read (and QUIT)
            sent = time.monotonic()
            arrived = (watcher.wait_exists(timeout=30) if observer == "idle"
                       else watcher.poll_new(timeout=30))
            latencies.append(arrived - sent)
            print(f"[{label}] {number:3d}: {1000 * (arrived - sent):7.1f} ms", flush=True)
    finally:
        watcher.close()
    return latencies


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary(values):
    return {"samples_ms": [round(1000 * value, 1) for value in values],
            "count": len(values),
            "p50_ms": 1000 * statistics.median(values),
            "p90_ms": 1000 * percentile(values, 0.90),
            "p99_ms": 1000 * percentile(values, 0.99),
            "max_ms": 1000 * max(values)}


def run_floor(count, interval, observer):
    harness.reset_mailboxes()
    stop, ready = threading.Event(), threading.Event()
    reactor = threading.Thread(target=floor_reactor, args=(stop, ready))
    reactor.start()
    ready.wait(30)
    try:
        return measure(count, interval, "floor", observer)
    finally:
        stop.set()
        reactor.join()


def run_contribd(binary, count, interval, verbose, log_path, observer, noop_ms):
    harness.reset_mailboxes()
    imap = {"idle_refresh_seconds": 300, "poll_interval_seconds": 300}
    if noop_ms:
        imap["noop_interval_ms"] = noop_ms
    installation = harness.Contribd(deadline=int(time.time()) + 30 * 86400,
                                    imap_overrides=imap,
                                    max_per_hour=1_000_000,
                                    replies_extra="max_per_hour = 1000000")
    environment = dict(os.environ)
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        environment.pop(name, None)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [binary, *(["--verbose"] if verbose else []), "run", "--config",
             installation.config_path], stdout=subprocess.DEVNULL, stderr=log, env=environment)
    try:
        if not harness.wait_until(lambda: "connected to" in Path(log_path).read_text(), 30):
            raise RuntimeError("contribd did not connect:\n" + Path(log_path).read_text())
        return measure(count, interval, "contribd", observer)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        installation.remove()


def print_table(results, observer, noop_ms):
    print(f"\n== acknowledgement latency, end of DATA -> EXISTS in {SENDER}'s INBOX "
          f"(seen by {'IDLE' if observer == 'idle' else 'NOOP every 5 ms'}; contribd on "
          f"{f'NOOP every {noop_ms} ms' if noop_ms else 'IDLE'})")
    print(f"  {'client':10s} {'n':>4s} {'p50':>9s} {'p90':>9s} {'p99':>9s} {'max':>9s}")
    for name, figures in results.items():
        print(f"  {name:10s} {figures['count']:4d} {figures['p50_ms']:7.1f}ms "
              f"{figures['p90_ms']:7.1f}ms {figures['p99_ms']:7.1f}ms {figures['max_ms']:7.1f}ms")
    slowest = sorted(enumerate(results["contribd"]["samples_ms"], 1), key=lambda item: -item[1])
    print("  contribd's slowest: " + ", ".join(f"#{n} {ms:.0f}ms" for n, ms in slowest[:3]))
    if "floor" in results:
        floor, ours = results["floor"], results["contribd"]
        print(f"  {'above floor':10s} {'':4s} "
              + " ".join(f"{ours[key] - floor[key]:7.1f}ms" for key in
                         ("p50_ms", "p90_ms", "p99_ms", "max_ms")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contribd", required=True)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between sends")
    parser.add_argument("--no-floor", action="store_true", help="measure contribd only")
    parser.add_argument("--verbose", action="store_true", help="contribd logs debug detail")
    parser.add_argument("--log", default="/tmp/contribd-bench-latency.log",
                        help="contribd's log (kept after the run)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--observer", choices=("noop", "idle"), default="noop",
                        help="how the sender's INBOX is watched")
    parser.add_argument("--noop-ms", type=int, default=0,
                        help="contribd's [imap] noop_interval_ms (0: IDLE)")
    args = parser.parse_args()

    mailenv.start()
    results = {}
    if not args.no_floor:
        results["floor"] = summary(run_floor(args.count, args.interval, args.observer))
    results["contribd"] = summary(run_contribd(args.contribd, args.count, args.interval,
                                               args.verbose, args.log, args.observer,
                                               args.noop_ms))
    harness.reset_mailboxes()
    print_table(results, args.observer, args.noop_ms)
    print(f"  contribd's log: {args.log}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
