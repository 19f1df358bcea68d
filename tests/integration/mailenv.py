"""The contribd mail sandbox (tests/mailenv) seen from Python integration tests.

start() brings up Dovecot, Cyrus and Postfix on 127.0.0.1 and sets the module attributes
(HOST, IMAPS_PORT, IMAP_PORT, SUBMISSION_PORT, SMTPS_PORT, INBOUND_PORT, CA,
WRONG_CA, DIR) from what the sandbox reports; it also exports them into
os.environ so that a contribd started by a test sees the same values.
SERVER (MAILENV_SERVER: "dovecot", the default, or "cyrus") is the IMAP server under test:
it holds the secretariats' mailboxes (Postfix delivers domain itu.test there), IMAPS_PORT and
IMAP_PORT are its ports and mailbox() gives its full folder names. The participants'
mailboxes are always Dovecot's Maildirs.
Mail "from the internet" goes in with send(); what the servers delivered is read with
mailbox_messages() (Maildirs straight from disk, Cyrus over IMAP) and wait_for_messages().
Failures raise: subprocess.CalledProcessError when a script fails (its stderr
names the log to read), smtplib exceptions when the inbound server refuses a
message, TimeoutError when mail does not arrive in time.
"""

import imaplib
import os
import smtplib
import ssl
import subprocess
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "mailenv"

SECRETARIAT = "tsbfgqit4n@itu.test"
# A second group's secretariat, for several contribd instances side by side (test_instances).
SECOND_SECRETARIAT = "tsbfgai4h@itu.test"
# Secretariat mailboxes whose IMAP sessions lack a capability Dovecot offers (tests/mailenv/lib.sh):
# {capability: (address, the capabilities missing from its post-login CAPABILITY list)}.
# Without UIDPLUS there is no MOVE either; without CONDSTORE no QRESYNC.
LIMITED = {
    "MOVE": ("lacks-move@itu.test", {"MOVE"}),
    "UIDPLUS": ("lacks-uidplus@itu.test", {"MOVE", "UIDPLUS"}),
    "IDLE": ("lacks-idle@itu.test", {"IDLE"}),
    "CONDSTORE": ("lacks-condstore@itu.test", {"CONDSTORE", "QRESYNC"}),
}
PARTICIPANTS = [f"{name}@member.test"
                for name in ("alice", "bob", "carol", "dave", "erin", "frank")]
DOMAINS = ("itu.test", "member.test")

SERVERS = ("dovecot", "cyrus")

# Values of the sandbox; see tests/mailenv/env.sh for what each port offers.
DIR = HOST = CA = WRONG_CA = SERVER = ""
IMAPS_PORT = IMAP_PORT = SUBMISSION_PORT = SMTPS_PORT = INBOUND_PORT = 0
DOVECOT_IMAPS_PORT = CYRUS_IMAPS_PORT = 0


def _load(environ):
    """Sets the module attributes from MAILENV_* values, defaults where unset."""
    global DIR, HOST, CA, WRONG_CA, SERVER, DOVECOT_IMAPS_PORT, CYRUS_IMAPS_PORT
    global IMAPS_PORT, IMAP_PORT, SUBMISSION_PORT, SMTPS_PORT, INBOUND_PORT
    DIR = environ.get("CONTRIBD_MAILENV_DIR", "/tmp/contribd-mailenv")
    HOST = environ.get("MAILENV_HOST", "127.0.0.1")
    SERVER = environ.get("MAILENV_SERVER", "dovecot")
    if SERVER not in SERVERS:
        raise ValueError(f"MAILENV_SERVER must be one of {SERVERS}, not {SERVER!r}")
    DOVECOT_IMAPS_PORT = int(environ.get("MAILENV_IMAPS_PORT", 10993))
    CYRUS_IMAPS_PORT = int(environ.get("MAILENV_CYRUS_IMAPS_PORT", 10994))
    if SERVER == "cyrus":
        IMAPS_PORT = CYRUS_IMAPS_PORT
        IMAP_PORT = int(environ.get("MAILENV_CYRUS_IMAP_PORT", 10144))
    else:
        IMAPS_PORT = DOVECOT_IMAPS_PORT
        IMAP_PORT = int(environ.get("MAILENV_IMAP_PORT", 10143))
    SUBMISSION_PORT = int(environ.get("MAILENV_SUBMISSION_PORT", 10587))
    SMTPS_PORT = int(environ.get("MAILENV_SMTPS_PORT", 10465))
    INBOUND_PORT = int(environ.get("MAILENV_INBOUND_PORT", 10025))
    CA = environ.get("MAILENV_CA", os.path.join(DIR, "tls", "ca.pem"))
    WRONG_CA = os.path.join(DIR, "tls", "wrong-ca.pem")


_load(os.environ)


def _run(script, *args):
    return subprocess.run([str(SCRIPTS / script), *args], check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def _parse_exports(text):
    """The `export NAME=value` lines that tests/mailenv/start prints."""
    values = {}
    for line in text.splitlines():
        if line.startswith("export ") and "=" in line:
            name, value = line[len("export "):].split("=", 1)
            values[name] = value
    return values


def start():
    """Starts the sandbox (or keeps it running) and returns its environment."""
    values = _parse_exports(_run("start"))
    os.environ.update(values)
    _load(os.environ)
    return values


def stop():
    """Stops both servers and removes the sandbox directory; fine if not running."""
    _run("stop")


def ctl(action):
    """tests/mailenv/ctl: stop-dovecot, start-dovecot, restart-dovecot, the same for cyrus,
    stop-postfix, start-postfix or status (raises if not all running)."""
    return _run("ctl", action)


def imap_ctl(action):
    """ctl() for the IMAP server under test: imap_ctl("restart") restarts Dovecot or Cyrus."""
    return ctl(f"{action}-{SERVER}")


def mailbox(folder):
    """The full name of a secretariat's folder on the server under test, as contribd places
    it: Cyrus keeps personal folders below "INBOX." ("Registered" -> "INBOX.Registered");
    Dovecot takes the name as it is. INBOX is INBOX everywhere."""
    if SERVER == "cyrus" and folder.upper() != "INBOX" and not folder.upper().startswith("INBOX."):
        return "INBOX." + folder
    return folder


def on_server_under_test(address):
    """True for the mailboxes that live on SERVER (the secretariats', domain itu.test)."""
    return SERVER == "cyrus" and address.lower().endswith("@itu.test")


def _localpart(address):
    return address.split("@", 1)[0]


def password_file(address):
    """Path of the file holding ADDRESS's password (no trailing newline)."""
    return os.path.join(DIR, "secrets", f"{_localpart(address)}.password")


def password(address):
    with open(password_file(address), encoding="utf-8") as file:
        return file.read()


def maildir(address):
    """ADDRESS's INBOX, as a Maildir path."""
    local, domain = address.split("@", 1)
    return os.path.join(DIR, "mail", domain, local, "Maildir")


def tls_context(cafile=None):
    """A client context that verifies the server against CAFILE (the sandbox CA)."""
    return ssl.create_default_context(cafile=cafile or CA)


def send(raw_bytes, mail_from, rcpt_to):
    """Hands RAW_BYTES to the inbound port (no authentication, no TLS) with
    envelope MAIL_FROM ("" for <>) to RCPT_TO (an address or a list).
    Returns the recipients refused when others were accepted; raises
    smtplib.SMTPRecipientsRefused when all are refused."""
    recipients = [rcpt_to] if isinstance(rcpt_to, str) else list(rcpt_to)
    with smtplib.SMTP(HOST, INBOUND_PORT, timeout=30) as smtp:
        return smtp.sendmail(mail_from, recipients, raw_bytes)


def _maildir_files(box):
    files = []
    for sub in ("new", "cur"):
        folder = os.path.join(box, sub)
        if os.path.isdir(folder):
            files.extend(os.path.join(folder, name) for name in os.listdir(folder))
    return files


def _delivery_order(path):
    # The mtime is the delivery time and survives the move from new/ to cur/;
    # Dovecot's file names (seconds, then a unique part) break the ties.
    try:
        return (os.stat(path).st_mtime, os.path.basename(path))
    except FileNotFoundError:
        return (float("inf"), os.path.basename(path))


def imap_messages(address, port=None):
    """Every message in ADDRESS's INBOX, read over IMAPS without changing flags, in UID order
    (delivery order), as bytes."""
    with imaplib.IMAP4_SSL(HOST, port or IMAPS_PORT, ssl_context=tls_context(),
                           timeout=30) as imap:
        imap.login(address, password(address))
        imap.select("INBOX", readonly=True)
        _, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
        return [item[1] for item in data or [] if isinstance(item, tuple)]


def mailbox_messages(address):
    """Every message in ADDRESS's INBOX, oldest first, as bytes, wherever it lives: a Maildir
    of Dovecot's, or the server under test's INBOX for a secretariat on Cyrus."""
    if on_server_under_test(address):
        return imap_messages(address)
    return maildir_messages(address)


def maildir_messages(address):
    """Every message in ADDRESS's Dovecot INBOX (new/ and cur/), oldest first, as bytes.
    An address without a mailbox yet has no messages."""
    messages = []
    for path in sorted(_maildir_files(maildir(address)), key=_delivery_order):
        try:
            with open(path, "rb") as file:
                messages.append(file.read())
        except FileNotFoundError:
            continue  # moved from new/ to cur/ while we listed: read next time
    return messages


def wait_for_queue_empty(timeout=30.0):
    """Waits until the sandbox Postfix holds no message: everything it accepted (replies
    included) has been delivered, so a mailbox that has no reply now will not get one from
    what was sent so far. Raises TimeoutError with the queue's listing."""
    deadline = time.monotonic() + timeout
    while True:
        listing = subprocess.run(["postqueue", "-c", os.path.join(DIR, "postfix", "etc"), "-p"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True).stdout
        if "Mail queue is empty" in listing:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"postfix queue not empty after {timeout}s:\n{listing}")
        time.sleep(0.1)


def wait_for_messages(address, count, timeout=15.0):
    """Waits until ADDRESS's INBOX holds at least COUNT messages; returns them
    all. Raises TimeoutError saying how many arrived."""
    deadline = time.monotonic() + timeout
    where = f"{SERVER}'s INBOX" if on_server_under_test(address) else maildir(address)
    while True:
        messages = mailbox_messages(address)
        if len(messages) >= count:
            return messages
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{address}: {len(messages)} of {count} messages in "
                f"{where} after {timeout}s; see {DIR}/log/")
        time.sleep(0.1)
