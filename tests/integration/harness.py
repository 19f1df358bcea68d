"""What the integration tests share: a contribd state folder and config pointed at the mail
sandbox, running the contribd binary, building contributions, and reading mailboxes."""

import email
import email.policy
import imaplib
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from zoneinfo import ZoneInfo

import mailenv

CONTRIBD_BIN = os.environ.get("CONTRIBD_BIN", "contribd")
SECRETARIAT = "tsbfgqit4n@itu.test"


def utc(ts):
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(ts, zone):
    """The wall-clock time of ts in the IANA zone, without offset: "2020-07-22T23:59:59"."""
    return datetime.fromtimestamp(ts, tz=ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M:%S")


class Contribd:
    """A contribd installation: its config, register and files in a temporary folder.
    With timezone (an IANA name), the first meeting's deadline and closes are written as local
    times of that zone, with `timezone = "..."`, instead of UTC.
    Another group (test_instances): `secretariat` is its mailbox, `meeting_id` and
    `document_prefix` its meeting; `config_path`, `password_files` ({"imap": path, "smtp":
    path}) and `storage_dir` put its files where a systemd unit would (by default the config and
    the register are in the temporary folder and the passwords are the sandbox's own files)."""

    def __init__(self, deadline, closes=None, extra_meetings="", imap_overrides=None,
                 max_per_hour=10, replies_extra="", timezone=None, secretariat=SECRETARIAT,
                 meeting_id="QIT4N-05", document_prefix="QIT4N-I-", config_path=None,
                 password_files=None, storage_dir="state"):
        self.state = tempfile.mkdtemp(prefix="contribd-it-")
        self.config_path = config_path or os.path.join(self.state, "contribd.toml")
        self.secretariat = secretariat
        self.meeting_id, self.document_prefix = meeting_id, document_prefix
        self.password_files = password_files or {
            "imap": mailenv.password_file(secretariat), "smtp": mailenv.password_file(secretariat)}
        self.storage_dir = storage_dir
        self.write_config(deadline, closes, extra_meetings, imap_overrides or {}, max_per_hour,
                          replies_extra, timezone)

    def write_config(self, deadline, closes, extra_meetings, imap_overrides, max_per_hour,
                     replies_extra, zone=None):
        closes = closes or deadline + 14 * 86400
        meeting_time = (lambda ts: local(ts, zone)) if zone else utc
        imap = {
            "host": "127.0.0.1",
            "port": mailenv.IMAPS_PORT,
            "security": "tls",
            "ca_file": mailenv.CA,
            "username": self.secretariat,
            "password_file": self.password_files["imap"],
            "folder": "INBOX",
            "processed_folder": "Registered",
            "idle": True,
            "poll_interval_seconds": 2,
            "timeout_seconds": 20,
        }
        imap.update(imap_overrides)
        lines = ["[imap]"]
        for key, value in imap.items():
            lines.append(f"{key} = {toml_value(value)}")
        lines += [
            "",
            "[smtp]",
            'host = "127.0.0.1"',
            f"port = {mailenv.SUBMISSION_PORT}",
            'security = "starttls"',
            f'ca_file = "{mailenv.CA}"',
            f'username = "{self.secretariat}"',
            f'password_file = "{self.password_files["smtp"]}"',
            f'from = "{self.secretariat}"',
            'from_name = "ITU-T FG-QIT4N secretariat"',
            "timeout_seconds = 20",
            "",
            "[storage]",
            f'database = "{self.storage_dir}/contribd.sqlite"',
            f'files_dir = "{self.storage_dir}/files"',
            "",
            "[replies]",
            f"max_per_sender_per_hour = {max_per_hour}",
            replies_extra,
            "",
            "[[meeting]]",
            f'id = "{self.meeting_id}"',
            'title = "Fifth meeting of FG-QIT4N, e-meeting"',
            f'deadline = "{meeting_time(deadline)}"',
            f'closes = "{meeting_time(closes)}"',
            *([f'timezone = "{zone}"'] if zone else []),
            f'document_prefix = "{self.document_prefix}"',
            "first_number = 1",
            extra_meetings,
        ]
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def run(self, *args, timeout=300):
        return subprocess.run([CONTRIBD_BIN, *args], capture_output=True, text=True,
                              timeout=timeout)

    def run_once(self):
        return self.run("run", "--config", self.config_path, "--once")

    def register(self):
        result = self.run("list", "--config", self.config_path, "--json")
        if result.returncode != 0:
            raise AssertionError(f"list failed: {result.stderr}")
        return json.loads(result.stdout)

    def review(self):
        """The held messages, as `contribd review --json` lists them."""
        result = self.run("review", "--config", self.config_path, "--json")
        if result.returncode != 0:
            raise AssertionError(f"review failed: {result.stderr}")
        return json.loads(result.stdout)

    def command(self, *args):
        """A desk command (accept, withdraw, release, resend) on this installation."""
        return self.run(args[0], "--config", self.config_path, *args[1:])

    def remove(self):
        shutil.rmtree(self.state, ignore_errors=True)


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def contribution(sender, subject, files, body="Please find our contribution attached.",
                 headers=None, to=SECRETARIAT):
    """A message as a participant's mail client writes it; files: [(name, bytes, mime type)]."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="member.test")
    msg["Date"] = email.utils.formatdate(localtime=False)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for name, data, mime_type in files:
        maintype, subtype = mime_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def send(msg, mail_from=None):
    raw = msg.as_bytes(policy=email.policy.SMTP)
    sender = mail_from if mail_from is not None else email.utils.parseaddr(msg["From"])[1]
    recipients = [email.utils.parseaddr(msg["To"])[1]]
    mailenv.send(raw, sender, recipients)
    return raw


def replies_to(address):
    """The replies in a participant's INBOX, parsed."""
    return [email.message_from_bytes(raw, policy=email.policy.default)
            for raw in mailenv.maildir_messages(address)]


class Imap:
    """A verified IMAPS session as the secretariat, to look at the mailbox as people do."""

    def __init__(self, address=SECRETARIAT):
        context = ssl.create_default_context(cafile=mailenv.CA)
        self.conn = imaplib.IMAP4_SSL("127.0.0.1", int(mailenv.IMAPS_PORT), ssl_context=context)
        with open(mailenv.password_file(address)) as f:
            self.conn.login(address, f.read().strip())

    def flags_in(self, folder):
        """{Message-ID: set of flags} for every message of folder ("Registered": the name
        contribd was configured with, placed as the server places it); missing folder -> {}."""
        status, _ = self.conn.select(f'"{mailenv.mailbox(folder)}"', readonly=True)
        if status != "OK":
            return {}
        status, data = self.conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        result = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = imaplib.ParseFlags(item[0])
            header = email.message_from_bytes(item[1])
            result[header["Message-ID"]] = {f.decode() for f in flags}
        return result

    def close(self):
        try:
            self.conn.logout()
        except Exception:
            pass


def folder_name(list_line):
    """The mailbox name of an IMAP LIST response line: '(\\HasNoChildren) "/" Registered' and
    '(\\HasNoChildren) "/" "Two words"' -> 'Registered', 'Two words'."""
    name = list_line.decode().split(") ", 1)[1].split(" ", 1)[1]
    return name[1:-1] if name.startswith('"') else name


def reset_mailboxes(addresses=None):
    """Empties every sandbox mailbox (INBOX and all folders) over IMAP, so that a story starts
    from nothing while the servers keep running: the secretariats' on the server under test,
    the participants' on Dovecot; with ADDRESSES, those mailboxes only."""
    for address in addresses or [SECRETARIAT, mailenv.SECOND_SECRETARIAT, *mailenv.PARTICIPANTS]:
        port = (mailenv.IMAPS_PORT if mailenv.on_server_under_test(address)
                else mailenv.DOVECOT_IMAPS_PORT)
        conn = imaplib.IMAP4_SSL("127.0.0.1", int(port),
                                 ssl_context=ssl.create_default_context(cafile=mailenv.CA))
        try:
            conn.login(address, mailenv.password(address))
            _, folders = conn.list()
            # Children before their parent: Cyrus's folders are INBOX.<name>.
            for line in sorted(folders or [], key=lambda line: -len(folder_name(line))):
                name = folder_name(line)
                if name != "INBOX":
                    status, detail = conn.delete(f'"{name}"')
                    if status != "OK":
                        raise AssertionError(f"{address}: cannot delete {name}: {detail}")
            _, count = conn.select("INBOX")
            if int(count[0]) > 0:
                conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                conn.expunge()
        finally:
            try:
                conn.logout()
            except Exception:
                pass


def wait_for_inbox(count, timeout=30):
    """Waits until IMAP shows at least COUNT messages in the secretariat's INBOX. Dovecot does
    not always give a Maildir message its UID on delivery (another delivery may hold the UID
    list); the next session that opens the folder does, and messages found together get UIDs in
    directory order. contribd numbers by UID, so a test that needs the numbers in sending order
    waits here after each message, not only for the file in the Maildir."""
    def listed():
        imap = Imap()
        try:
            return len(imap.flags_in("INBOX")) >= count
        finally:
            imap.close()

    if not wait_until(listed, timeout):
        raise TimeoutError(f"{SECRETARIAT}: fewer than {count} messages in INBOX over IMAP "
                           f"after {timeout}s")


def wait_until(predicate, timeout, interval=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


# --- the daemon as a service, and what the stories around it share --------------------------

class RunningDaemon:
    """`contribd run` in the background, its log in a file of the installation's folder."""

    def __init__(self, installation, env=None, verbose=False):
        self.installation = installation
        self.log_path = os.path.join(installation.state, f"contribd-{time.time_ns()}.log")
        self.log_file = open(self.log_path, "w")
        environment = dict(os.environ)
        environment.pop("NOTIFY_SOCKET", None)
        environment.pop("WATCHDOG_USEC", None)
        environment.pop("WATCHDOG_PID", None)
        environment.update(env or {})
        self.process = subprocess.Popen(
            [CONTRIBD_BIN, *(["--verbose"] if verbose else []), "run", "--config",
             installation.config_path],
            stdout=subprocess.DEVNULL, stderr=self.log_file, env=environment)

    def log(self, tail=None):
        """The daemon's log so far; its last TAIL characters when given."""
        with open(self.log_path, errors="replace") as f:
            text = f.read()
        return text if tail is None else text[-tail:]

    def running(self):
        return self.process.poll() is None

    def wait_for_log(self, text, timeout):
        return wait_until(lambda: text in self.log(), timeout)

    def stop(self, signal_number=signal.SIGTERM, timeout=15):
        """Sends the signal and returns (exit code, seconds until exit)."""
        if not self.running():
            self.log_file.close()
            return self.process.returncode, 0.0
        started = time.monotonic()
        self.process.send_signal(signal_number)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log_file.close()
        return code, time.monotonic() - started

    def kill(self):
        """SIGKILL when it still runs: the last resort of a test's clean-up."""
        if self.running():
            self.process.kill()
            self.process.wait()
        if not self.log_file.closed:
            self.log_file.close()


def client_lines(log, ending):
    """The lines of a --verbose log in which the client sent a command ending in ENDING."""
    return [line for line in log.splitlines() if line.endswith(ending) and " C: " in line]


def rows_by_message_id(installation):
    return {row["message_id"]: row for row in installation.register()}


def wait_registered(installation, message_id, timeout):
    return wait_until(lambda: rows_by_message_id(installation).get(message_id), timeout,
                              interval=0.05)


def replies_naming(address, document_number):
    """The replies in ADDRESS's INBOX whose subject names DOCUMENT_NUMBER."""
    return [reply for reply in replies_to(address)
            if f"[{document_number}]" in str(reply["Subject"])]


def operator_env(user):
    """The environment of a person at the desk: USER names them in the register's history."""
    environment = dict(os.environ)
    environment.pop("SUDO_USER", None)
    environment["USER"] = user
    return environment


def desk(installation, *args, user="secretariat-jane"):
    """One desk command as a person runs it from another shell."""
    return subprocess.run([CONTRIBD_BIN, args[0], "--config", installation.config_path,
                           *args[1:]], capture_output=True, text=True, timeout=60,
                          env=operator_env(user))


def reset_sandbox():
    """Empty mailboxes, and no processed folder left from an earlier story (the harness's
    reset keeps folders whose LIST name comes unquoted)."""
    reset_mailboxes()
    imap = Imap()
    try:
        _, folders = imap.conn.list()
        for line in folders or []:
            name = line.decode().rsplit(" ", 1)[-1].strip('"')
            if name != "INBOX":
                imap.conn.delete(f'"{name}"')
    finally:
        imap.close()
