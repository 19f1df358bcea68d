"""Hostile mail does not stop or stall the daemon (SPEC "Guarantees": hostile input, one message
never stops the others; step 7: a message over a limit is held for a person).

For each bomb of bombs.py, `contribd run` (IDLE) starts with the bomb first in the INBOX (the
earliest INTERNALDATE) and three ordinary contributions from three senders behind it, and:
  (a) the three are acknowledged within 60 s of the daemon's start;
  (b) the daemon's peak RSS (VmHWM) stays under 256 MiB; its children's peak is reported;
  (c) it does not spin: under 0.5 s of CPU (its own and its children's) over 5 quiet s;
  (d) the bomb is held in the review folder ("Review"), not in INBOX nor in "Registered", and
      got no number: the register holds exactly the three, numbered 1..3 in receipt order
      (the bombs that the SPEC has registered instead say so in BOMBS below);
  (e) SIGTERM stops it within 10 s.
One line per bomb is printed with the figures, so that the run log gives the table.
"""

import email.policy
import email.utils
import imaplib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import bombs
import harness
import mailenv
from harness import SECRETARIAT, Contribd

MIB = 1 << 20
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
SENDERS = ["alice@member.test", "bob@member.test", "carol@member.test"]

ACK_SECONDS = 60
RSS_LIMIT_MIB = 256
QUIET_SECONDS = 5
QUIET_CPU_LIMIT = 0.5  # a tenth of a core: a daemon that spins takes all of one
STOP_SECONDS = 10

HELD = "held"
REGISTERED = "registered"

# kind (bombs.KINDS), what the SPEC makes of it, [limits] max_message_bytes of the config.
BOMBS = [
    ("subject_rfc2047", HELD, 20 * MIB),
    ("filename_rfc2047", HELD, 20 * MIB),
    ("empty_parts", HELD, 20 * MIB),
    ("deep_nesting", HELD, 20 * MIB),
    ("address_lines", HELD, 20 * MIB),
    ("header_40mb", HELD, 100 * MIB),
    ("tnef_100k_files", HELD, 20 * MIB),
    ("attachments_5000", HELD, 20 * MIB),
    # Both are one attachment in base64, within every limit of the SPEC (size: the limit is
    # 100 MiB for them; parts, depth, header size): decoding is linear in the message size,
    # so they are contributions like any other and registered, first in receipt order.
    ("base64_column_60mb", REGISTERED, 100 * MIB),
    ("line_70mb", REGISTERED, 100 * MIB),
    ("over_max_message_bytes", HELD, 20 * MIB),
    # A multipart cut off without its closing delimiter is malformed MIME, which never stops
    # a message (SPEC "Guarantees"); its intact attachment is a file (step 2), so the message
    # is a contribution: four registrations, the bomb's first, with that one file.
    ("truncated_multipart", REGISTERED, 20 * MIB),
]


# --- the mailbox, over IMAP ------------------------------------------------------------------

class RawImap:
    """A verified IMAPS session as the secretariat that can APPEND a message from a file as
    one literal, without reading the file into memory."""

    def __init__(self, address=SECRETARIAT):
        context = ssl.create_default_context(cafile=mailenv.CA)
        raw = socket.create_connection((mailenv.HOST, int(mailenv.IMAPS_PORT)), timeout=120)
        self.sock = context.wrap_socket(raw, server_hostname=mailenv.HOST)
        self.reader = self.sock.makefile("rb")
        self.tag = 0
        self.reader.readline()  # greeting
        self.command(f'LOGIN "{address}" "{mailenv.password(address)}"')

    def command(self, text):
        self.tag += 1
        tag = f"h{self.tag}".encode()
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        return self.finish(tag)

    def finish(self, tag):
        while True:
            line = self.reader.readline()
            if not line:
                raise ConnectionError("IMAP server closed the connection")
            if line.startswith(tag + b" "):
                if not line[len(tag) + 1:].startswith(b"OK"):
                    raise AssertionError(f"IMAP: {line!r}")
                return line

    def append_file(self, path, internaldate, folder="INBOX"):
        """APPENDs the message in PATH to FOLDER with the given INTERNALDATE (a Unix time)."""
        size = os.path.getsize(path)
        self.tag += 1
        tag = f"h{self.tag}".encode()
        date = imaplib.Time2Internaldate(internaldate)
        self.sock.sendall(tag + f' APPEND "{folder}" () {date} {{{size}}}\r\n'.encode())
        line = self.reader.readline()
        if not line.startswith(b"+"):
            raise AssertionError(f"IMAP APPEND refused: {line!r}")
        with open(path, "rb") as source:
            while True:
                chunk = source.read(1 << 20)
                if not chunk:
                    break
                self.sock.sendall(chunk)
        self.sock.sendall(b"\r\n")
        self.finish(tag)

    def close(self):
        try:
            self.command("LOGOUT")
        except Exception:
            pass
        self.sock.close()


def folders_holding(message_id):
    """The folders of the secretariat's mailbox (INBOX, Registered, Review) in which a message
    with this Message-ID is found by UID SEARCH HEADER Message-ID."""
    imap = harness.Imap()
    found = []
    try:
        for folder in ("INBOX", "Registered", "Review"):
            status, _ = imap.conn.select(f'"{folder}"', readonly=True)
            if status != "OK":
                continue
            status, data = imap.conn.uid("SEARCH", "HEADER", "Message-ID", f'"{message_id}"')
            if status == "OK" and data and data[0].split():
                found.append(folder)
    finally:
        imap.close()
    return found


# --- the daemon and its children, from /proc -------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def proc_cpu_seconds(pid, with_waited_children=False):
    """utime + stime (and cutime + cstime) of PID in seconds; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # fields[0] is the state (field 3); utime is field 14, stime 15, cutime 16, cstime 17.
    ticks = int(fields[11]) + int(fields[12])
    if with_waited_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def child_pids(pid):
    """Every descendant of PID, from /proc/<pid>/task/*/children."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    kids = [int(word) for word in f.read().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


class Watcher(threading.Thread):
    """Samples the daemon's descendants every 50 ms: the peak VmHWM of any of them, and the
    CPU time each had when last seen (children that ended and were waited for show up in
    the daemon's cutime/cstime instead)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.child_peak_kib = 0
        self.child_cpu = {}  # pid -> seconds when last seen
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(0.05)

    def sample(self):
        for child in child_pids(self.pid):
            peak = proc_status_kib(child, "VmHWM")
            cpu = proc_cpu_seconds(child)
            with self.lock:
                self.child_peak_kib = max(self.child_peak_kib, peak)
                if cpu is not None:
                    self.child_cpu[child] = cpu

    def cpu_snapshot(self):
        """(the daemon's own and waited-for children's CPU s, {child pid: CPU s})."""
        self.sample()
        with self.lock:
            children = dict(self.child_cpu)
        return proc_cpu_seconds(self.pid, with_waited_children=True) or 0.0, children

    def stop(self):
        self.stopping.set()
        self.join(5)


def cpu_between(before, after):
    """CPU seconds spent by the daemon and its children between two cpu_snapshot()s."""
    own = after[0] - before[0]
    children = sum(seconds - before[1].get(pid, 0.0) for pid, seconds in after[1].items())
    return own + children


class Daemon:
    """`contribd run` in the background, its log in the installation's folder."""

    def __init__(self, installation):
        self.log_path = os.path.join(installation.state, "contribd.log")
        self.log_file = open(self.log_path, "w")
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [harness.CONTRIBD_BIN, "run", "--config", installation.config_path],
            stdout=subprocess.DEVNULL, stderr=self.log_file, env=environment)
        self.watcher = Watcher(self.process.pid)
        self.watcher.start()

    def log(self, tail=6000):
        with open(self.log_path, errors="replace") as f:
            text = f.read()
        return text[-tail:]

    def peak_mib(self):
        return proc_status_kib(self.process.pid, "VmHWM") / 1024

    def stop(self, timeout=STOP_SECONDS + 5):
        """SIGTERM; returns (exit code, seconds until it ended); SIGKILL when it does not."""
        self.watcher.stop()
        if self.process.poll() is not None:
            self.log_file.close()
            return self.process.returncode, 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        self.log_file.close()
        return code, time.monotonic() - started

    def kill(self):
        self.watcher.stop()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self.log_file.closed:
            self.log_file.close()


# --- the story -------------------------------------------------------------------------------

def ordinary_contribution(index, sender):
    kind, mime = (("docx", DOCX), ("pdf", PDF), ("docx", DOCX))[index]
    data = os.urandom(4000 + 1000 * index)
    return harness.contribution(sender, f"Ordinary contribution {index + 1}",
                                [(f"ordinary-{index + 1}.{kind}", data, mime)])


def acknowledged(sender, subject):
    """True once SENDER's INBOX holds our acknowledgement of SUBJECT."""
    return any(str(reply["Subject"]).startswith(f"Received: {subject} [")
               for reply in harness.replies_to(sender))


class HostileMailIsHeldAndTheRestGoesOn(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        cls.bomb_dir = tempfile.mkdtemp(prefix="contribd-bombs-")
        cls.table = []

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.bomb_dir, ignore_errors=True)
        harness.reset_mailboxes()
        print("\nbomb                      size MB  3rd ack s  daemon MiB  child MiB  quiet CPU s"
              "  stop s  bomb in")
        for line in cls.table:
            print(line)

    def story(self, kind, expected, max_message_bytes):
        harness.reset_mailboxes()
        message_id = email.utils.make_msgid(idstring=f"bomb-{kind}", domain="member.test")
        path = os.path.join(self.bomb_dir, f"{kind}.eml")
        size = bombs.write(kind, path, message_id)

        now = int(time.time())
        ordinary = [ordinary_contribution(i, sender) for i, sender in enumerate(SENDERS)]
        imap = RawImap()
        try:
            imap.append_file(path, now - 60)  # first in receipt order
            for index, msg in enumerate(ordinary):
                other = os.path.join(self.bomb_dir, f"ordinary-{index}.eml")
                with open(other, "wb") as f:
                    f.write(msg.as_bytes(policy=email.policy.SMTP))
                imap.append_file(other, now - 50 + 10 * index)
        finally:
            imap.close()
        os.remove(path)  # the mailbox holds it now; the disk is shared

        installation = Contribd(
            deadline=now + 30 * 86400, max_per_hour=1000,
            # [limits] is a table of its own; after the meeting is as good as anywhere.
            extra_meetings=f"\n[limits]\nmax_message_bytes = {max_message_bytes}\n")
        daemon = Daemon(installation)
        try:
            self.check_story(kind, expected, size, message_id, ordinary, installation, daemon)
        finally:
            daemon.kill()
            installation.remove()

    def check_story(self, kind, expected, size, message_id, ordinary, installation, daemon):
        subjects = [str(msg["Subject"]) for msg in ordinary]

        # (a) the three acknowledgements, within 60 s of the start.
        def all_acked():
            return all(acknowledged(sender, subject)
                       for sender, subject in zip(SENDERS, subjects))
        acked = harness.wait_until(all_acked, ACK_SECONDS - (time.monotonic() - daemon.started),
                                   interval=0.1)
        third_ack = time.monotonic() - daemon.started
        alive = daemon.process.poll() is None
        if acked and expected == REGISTERED:
            harness.wait_until(lambda: acknowledged(bombs.BOMB_SENDER, "Hostile message"),
                               max(1.0, ACK_SECONDS - (time.monotonic() - daemon.started)),
                               interval=0.1)
        elif acked:
            # The move to Review may come at the end of the pass: waited for, not slept on.
            harness.wait_until(lambda: folders_holding(message_id) == ["Review"], 10,
                               interval=0.1)

        # (c) quiet: no CPU to speak of once everything is answered (not measured when the
        # acknowledgements did not come: the daemon is still at work or stuck).
        quiet_cpu = None
        if acked and alive:
            before = daemon.watcher.cpu_snapshot()
            time.sleep(QUIET_SECONDS)
            after = daemon.watcher.cpu_snapshot()
            quiet_cpu = cpu_between(before, after)

        # (b) peak memory, read just before the stop.
        daemon_mib = daemon.peak_mib()
        child_mib = daemon.watcher.child_peak_kib / 1024

        # (e) SIGTERM.
        code, stop_seconds = daemon.stop()
        folders = folders_holding(message_id)
        rows = installation.register()
        self.table.append(
            f"{kind:<25} {size / 1e6:7.1f}  "
            f"{f'{third_ack:9.1f}' if acked else '   no ack'}  {daemon_mib:10.1f}  "
            f"{child_mib:9.1f}  {f'{quiet_cpu:11.2f}' if quiet_cpu is not None else '          -'}"
            f"  {stop_seconds:6.1f}  {','.join(folders) or 'nowhere'}")
        print(f"\n{self.table[-1]}", flush=True)

        log = daemon.log()
        self.assertTrue(alive, f"{kind}: contribd ended ({daemon.process.returncode}):\n{log}")
        self.assertTrue(acked, f"{kind}: not all three acknowledged within {ACK_SECONDS} s: "
                        f"{[acknowledged(s, t) for s, t in zip(SENDERS, subjects)]}\n{log}")
        self.assertLess(daemon_mib, RSS_LIMIT_MIB, f"{kind}: daemon VmHWM\n{log}")
        self.assertLess(quiet_cpu, QUIET_CPU_LIMIT, f"{kind}: CPU over {QUIET_SECONDS} quiet s")
        self.assertEqual(code, 0, f"{kind}: exit code after SIGTERM (None: killed)\n{log}")
        self.assertLess(stop_seconds, STOP_SECONDS, f"{kind}: stop took too long")

        # (d) where the bomb is, and what the register holds.
        ordinary_ids = [msg["Message-ID"] for msg in ordinary]
        if expected == HELD:
            self.assertEqual(folders, ["Review"], f"{kind}: the bomb must be held in Review\n{log}")
            self.assertEqual([row["message_id"] for row in rows], ordinary_ids,
                             f"{kind}: the register must hold exactly the three")
            self.assertEqual([row["document_number"] for row in rows],
                             ["QIT4N-I-001", "QIT4N-I-002", "QIT4N-I-003"])
            self.assertEqual(harness.replies_to(bombs.BOMB_SENDER), [],
                             f"{kind}: a held message is not answered")
        else:
            self.assertEqual(folders, ["Registered"], f"{kind}: the bomb is registered\n{log}")
            self.assertEqual([row["message_id"] for row in rows], [message_id, *ordinary_ids],
                             f"{kind}: four registrations, the bomb first")
            self.assertEqual([row["document_number"] for row in rows],
                             ["QIT4N-I-001", "QIT4N-I-002", "QIT4N-I-003", "QIT4N-I-004"])
            self.assertTrue(acknowledged(bombs.BOMB_SENDER, "Hostile message"),
                            f"{kind}: the bomb's sender is acknowledged too")
            if kind == "truncated_multipart":
                self.assertEqual([(f["filename"], f["sha256"]) for f in rows[0]["files"]],
                                 [(bombs.ATTACHMENT_NAME, bombs.ATTACHMENT_SHA256)])
        for row, sender in zip([r for r in rows if r["message_id"] in ordinary_ids], SENDERS):
            self.assertEqual(row["sender"], sender)
            self.assertEqual(row["status"], "on_time")
            self.assertEqual(len(row["files"]), 1)
        for sender, subject in zip(SENDERS, subjects):
            replies = [r for r in harness.replies_to(sender)
                       if str(r["Subject"]).startswith(f"Received: {subject} [")]
            self.assertEqual(len(replies), 1, f"{kind}: {sender} must get exactly one ack")


def make_test(kind, expected, max_message_bytes):
    def test(self):
        self.story(kind, expected, max_message_bytes)
    test.__doc__ = f"{kind}: {expected}"
    return test


for _number, (_kind, _expected, _limit) in enumerate(BOMBS):
    setattr(HostileMailIsHeldAndTheRestGoesOn, f"test_{_number:02d}_{_kind}",
            make_test(_kind, _expected, _limit))


if __name__ == "__main__":
    unittest.main()
