"""The mail sandbox behaves like the real servers contribd will meet.

Each test tells one thing a client sees: TLS that verifies against the sandbox CA
and only against it, IMAP that refuses a password before STARTTLS, mail from the
internet accepted for the test domains only, submission that requires a login
and accepts the empty sender of an auto-reply, a second IMAP server (Cyrus) with the same
users that takes the secretariats' mail when asked, and a sandbox that survives being
started twice, killed, stopped twice.
Run: cd tests/integration && python3 -m unittest -v test_mailenv
"""

import imaplib
import os
import smtplib
import socket
import ssl
import subprocess
import time
import unittest
import uuid

import mailenv

ALICE = "alice@member.test"
BOB = "bob@member.test"
CAROL = "carol@member.test"


def message(sender, recipient, subject, body="Please find attached."):
    """A small RFC 5322 message whose Message-ID and subject carry a unique token."""
    token = uuid.uuid4().hex
    raw = (f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject} {token}\r\n"
           f"Message-ID: <{token}@member.test>\r\nDate: Mon, 20 Jul 2020 08:00:00 +0000\r\n"
           f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
           f"{body}\r\n")
    return raw.encode("ascii"), token


def delivered_with(address, token, timeout=15.0):
    """Waits for the message carrying TOKEN in ADDRESS's INBOX and returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in mailenv.maildir_messages(address):
            if token.encode() in raw:
                return raw
        time.sleep(0.1)
    raise AssertionError(f"no message {token} for {address} after {timeout}s")


def headers_of(raw):
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]


def master_pids():
    status = mailenv.ctl("status")
    return [line.split("pid ")[1].rstrip(")") for line in status.splitlines()]


def tearDownModule():
    mailenv.stop()


class Imap(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()

    def test_imaps_login_with_the_sandbox_ca(self):
        with imaplib.IMAP4_SSL(mailenv.HOST, mailenv.IMAPS_PORT,
                               ssl_context=mailenv.tls_context(), timeout=10) as imap:
            imap.login(mailenv.SECRETARIAT, mailenv.password(mailenv.SECRETARIAT))
            typ, data = imap.capability()
            self.assertEqual(typ, "OK")
            capabilities = data[0].decode().upper().split()
            for needed in ("IDLE", "UIDPLUS", "MOVE"):
                self.assertIn(needed, capabilities)
            typ, _ = imap.select("INBOX")
            self.assertEqual(typ, "OK")

    def test_idle_announces_a_new_delivery(self):
        with imaplib.IMAP4_SSL(mailenv.HOST, mailenv.IMAPS_PORT,
                               ssl_context=mailenv.tls_context(), timeout=20) as imap:
            imap.login(mailenv.SECRETARIAT, mailenv.password(mailenv.SECRETARIAT))
            imap.select("INBOX")
            # imaplib has no IDLE before Python 3.14: speak it on the wire.
            imap.send(b"i1 IDLE\r\n")
            self.assertTrue(imap.readline().startswith(b"+"))
            raw, _ = message(CAROL, mailenv.SECRETARIAT, "While idling")
            mailenv.send(raw, CAROL, mailenv.SECRETARIAT)
            # A server may send other untagged responses while idling (RFC 2177), such as
            # Dovecot's "* OK Still here": the first other line must announce the message.
            while (line := imap.readline()).startswith(b"* OK"):
                pass
            self.assertRegex(line, rb"^\* \d+ EXISTS")
            imap.send(b"DONE\r\n")
            while not (line := imap.readline()).startswith(b"i1 "):
                pass
            self.assertTrue(line.startswith(b"i1 OK"))

    def test_imaps_certificate_names_localhost_too(self):
        context = mailenv.tls_context()
        with socket.create_connection((mailenv.HOST, mailenv.IMAPS_PORT), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                self.assertTrue(tls.recv(100).startswith(b"* OK"))

    def test_imaps_refuses_a_client_trusting_another_ca(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            imaplib.IMAP4_SSL(mailenv.HOST, mailenv.IMAPS_PORT,
                              ssl_context=mailenv.tls_context(mailenv.WRONG_CA), timeout=10)

    def test_imaps_refuses_a_wrong_password(self):
        with imaplib.IMAP4_SSL(mailenv.HOST, mailenv.IMAPS_PORT,
                               ssl_context=mailenv.tls_context(), timeout=10) as imap:
            with self.assertRaises(imaplib.IMAP4.error):
                imap.login(ALICE, "not-" + mailenv.password(ALICE))

    def test_imap_refuses_a_password_before_starttls(self):
        with imaplib.IMAP4(mailenv.HOST, mailenv.IMAP_PORT, timeout=10) as imap:
            self.assertIn("STARTTLS", imap.capabilities)
            with self.assertRaises(imaplib.IMAP4.error):
                imap.login(ALICE, mailenv.password(ALICE))

    def test_imap_login_after_starttls(self):
        with imaplib.IMAP4(mailenv.HOST, mailenv.IMAP_PORT, timeout=10) as imap:
            imap.starttls(ssl_context=mailenv.tls_context())
            typ, _ = imap.login(ALICE, mailenv.password(ALICE))
            self.assertEqual(typ, "OK")

    def test_imap_starttls_refuses_a_client_trusting_another_ca(self):
        imap = imaplib.IMAP4(mailenv.HOST, mailenv.IMAP_PORT, timeout=10)
        try:
            with self.assertRaises(ssl.SSLCertVerificationError):
                imap.starttls(ssl_context=mailenv.tls_context(mailenv.WRONG_CA))
        finally:
            imap.sock.close()  # no LOGOUT over a connection whose handshake failed


class Cyrus(unittest.TestCase):
    """The second IMAP server: same users, same CA, its own ports, folders below INBOX."""

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        cls.imaps = int(os.environ.get("MAILENV_CYRUS_IMAPS_PORT", 10994))
        cls.imap = int(os.environ.get("MAILENV_CYRUS_IMAP_PORT", 10144))

    def tearDown(self):
        os.environ["MAILENV_SERVER"] = "dovecot"
        mailenv.start()  # the secretariats' mail goes back to Dovecot

    def test_same_users_and_passwords_over_implicit_tls(self):
        with imaplib.IMAP4_SSL(mailenv.HOST, self.imaps, ssl_context=mailenv.tls_context(),
                               timeout=10) as imap:
            self.assertIn(b"Cyrus IMAP", imap.welcome)
            imap.login(mailenv.SECRETARIAT, mailenv.password(mailenv.SECRETARIAT))
            _, spaces = imap.namespace()
            self.assertTrue(spaces[0].startswith(b'(("INBOX." "."))'), spaces)
            status, detail = imap.create("Registered")
            self.assertEqual(status, "NO", detail)

    def test_no_password_before_starttls(self):
        with imaplib.IMAP4(mailenv.HOST, self.imap, timeout=10) as imap:
            self.assertIn("LOGINDISABLED", imap.capabilities)
            with self.assertRaises(imaplib.IMAP4.error):
                imap.login(ALICE, mailenv.password(ALICE))
            imap.starttls(ssl_context=mailenv.tls_context())
            imap.login(ALICE, mailenv.password(ALICE))

    def test_secretariat_mail_goes_to_the_server_under_test(self):
        os.environ["MAILENV_SERVER"] = "cyrus"
        mailenv.start()
        raw, token = message(CAROL, mailenv.SECRETARIAT, "To Cyrus")
        mailenv.send(raw, CAROL, mailenv.SECRETARIAT)
        deadline = time.monotonic() + 15
        while not any(token.encode() in m for m in mailenv.mailbox_messages(mailenv.SECRETARIAT)):
            self.assertLess(time.monotonic(), deadline, "not delivered to Cyrus")
            time.sleep(0.2)
        self.assertFalse(any(token.encode() in m
                             for m in mailenv.maildir_messages(mailenv.SECRETARIAT)))
        # The participants stay with Dovecot.
        raw, token = message(CAROL, ALICE, "To Dovecot")
        mailenv.send(raw, CAROL, ALICE)
        delivered_with(ALICE, token)


class InboundMail(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()

    def test_message_to_alice_arrives_in_her_maildir(self):
        raw, token = message(CAROL, ALICE, "Contribution")
        before = len(mailenv.maildir_messages(ALICE))
        self.assertEqual(mailenv.send(raw, CAROL, ALICE), {})
        mailenv.wait_for_messages(ALICE, before + 1)
        delivered = delivered_with(ALICE, token)
        self.assertIn(b"Return-Path: <carol@member.test>", headers_of(delivered))
        self.assertIn(b"Please find attached.", delivered)

    def test_message_for_another_domain_is_refused(self):
        raw, _ = message(CAROL, "someone@example.com", "Relay attempt")
        with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
            mailenv.send(raw, CAROL, "someone@example.com")
        code, _ = refused.exception.recipients["someone@example.com"]
        self.assertEqual(code, 554)

    def test_message_for_an_unknown_user_of_a_test_domain_is_refused(self):
        raw, _ = message(CAROL, "nobody@member.test", "Unknown user")
        with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
            mailenv.send(raw, CAROL, "nobody@member.test")
        code, _ = refused.exception.recipients["nobody@member.test"]
        self.assertEqual(code, 550)

    def test_send_script_takes_the_envelope_sender_from_the_from_header(self):
        raw, token = message("Dave <dave@member.test>", mailenv.SECRETARIAT, "Script")
        path = os.path.join(mailenv.DIR, f"{token}.eml")
        with open(path, "wb") as file:
            file.write(raw)
        subprocess.run([str(mailenv.SCRIPTS / "send"), "--to", mailenv.SECRETARIAT, path],
                       check=True)
        delivered = delivered_with(mailenv.SECRETARIAT, token)
        self.assertIn(b"Return-Path: <dave@member.test>", headers_of(delivered))


class Submission(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()

    def login(self, smtp, address=mailenv.SECRETARIAT):
        smtp.login(address, mailenv.password(address))

    def test_authenticated_reply_with_empty_sender_reaches_bob(self):
        raw, token = message(mailenv.SECRETARIAT, BOB, "Received:")
        with smtplib.SMTP(mailenv.HOST, mailenv.SUBMISSION_PORT, timeout=30) as smtp:
            smtp.starttls(context=mailenv.tls_context())
            self.login(smtp)
            self.assertEqual(smtp.sendmail("", [BOB], raw), {})
        delivered = delivered_with(BOB, token)
        self.assertIn(b"Return-Path: <>", headers_of(delivered))

    def test_smtps_authenticated_submission_is_delivered(self):
        raw, token = message(mailenv.SECRETARIAT, CAROL, "Over implicit TLS")
        with smtplib.SMTP_SSL(mailenv.HOST, mailenv.SMTPS_PORT,
                              context=mailenv.tls_context(), timeout=30) as smtp:
            self.login(smtp)
            smtp.sendmail(mailenv.SECRETARIAT, [CAROL], raw)
        delivered_with(CAROL, token)

    def test_smtps_refuses_a_client_trusting_another_ca(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            smtplib.SMTP_SSL(mailenv.HOST, mailenv.SMTPS_PORT,
                             context=mailenv.tls_context(mailenv.WRONG_CA), timeout=30)

    def test_unauthenticated_submission_is_refused(self):
        raw, _ = message(mailenv.SECRETARIAT, BOB, "No login")
        with smtplib.SMTP(mailenv.HOST, mailenv.SUBMISSION_PORT, timeout=30) as smtp:
            smtp.starttls(context=mailenv.tls_context())
            with self.assertRaises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail("", [BOB], raw)

    def test_submission_requires_starttls_before_anything(self):
        raw, _ = message(mailenv.SECRETARIAT, BOB, "No TLS")
        with smtplib.SMTP(mailenv.HOST, mailenv.SUBMISSION_PORT, timeout=30) as smtp:
            smtp.ehlo()
            self.assertFalse(smtp.has_extn("auth"))
            with self.assertRaises(smtplib.SMTPSenderRefused) as refused:
                smtp.sendmail("", [BOB], raw)
            self.assertEqual(refused.exception.smtp_code, 530)

    def test_submission_refuses_a_wrong_password(self):
        with smtplib.SMTP(mailenv.HOST, mailenv.SUBMISSION_PORT, timeout=30) as smtp:
            smtp.starttls(context=mailenv.tls_context())
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                smtp.login(mailenv.SECRETARIAT, "wrong")

    def test_authenticated_client_cannot_relay_elsewhere(self):
        raw, _ = message(mailenv.SECRETARIAT, "someone@example.com", "Relay")
        with smtplib.SMTP(mailenv.HOST, mailenv.SUBMISSION_PORT, timeout=30) as smtp:
            smtp.starttls(context=mailenv.tls_context())
            self.login(smtp)
            with self.assertRaises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail("", ["someone@example.com"], raw)


class Outages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()

    def tearDown(self):
        mailenv.start()  # whatever a test stopped runs again for the next one

    def test_mail_accepted_while_dovecot_is_down_arrives_once_it_is_back(self):
        mailenv.ctl("stop-dovecot")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection((mailenv.HOST, mailenv.IMAPS_PORT), timeout=5)
        raw, token = message(CAROL, ALICE, "While IMAP is down")
        mailenv.send(raw, CAROL, ALICE)
        mailenv.ctl("start-dovecot")
        delivered_with(ALICE, token, timeout=30)

    def test_postfix_down_refuses_connections_and_comes_back(self):
        mailenv.ctl("stop-postfix")
        with self.assertRaises(subprocess.CalledProcessError):
            mailenv.ctl("status")
        with self.assertRaises(ConnectionRefusedError):
            smtplib.SMTP(mailenv.HOST, mailenv.SUBMISSION_PORT, timeout=5)
        mailenv.ctl("start-postfix")
        raw, token = message(CAROL, ALICE, "After the outage")
        mailenv.send(raw, CAROL, ALICE)
        delivered_with(ALICE, token)

    def test_restart_dovecot_keeps_passwords_and_mail(self):
        raw, token = message(CAROL, ALICE, "Before the restart")
        mailenv.send(raw, CAROL, ALICE)
        delivered_with(ALICE, token)
        mailenv.ctl("restart-dovecot")
        with imaplib.IMAP4_SSL(mailenv.HOST, mailenv.IMAPS_PORT,
                               ssl_context=mailenv.tls_context(), timeout=10) as imap:
            imap.login(ALICE, mailenv.password(ALICE))
            imap.select("INBOX")
            typ, found = imap.search(None, "HEADER", "Message-ID", token)
            self.assertEqual(typ, "OK")
            self.assertEqual(len(found[0].split()), 1)


class Lifecycle(unittest.TestCase):
    def test_start_twice_keeps_the_running_servers(self):
        first = mailenv.start()
        pids = master_pids()
        self.assertEqual(mailenv.start(), first)
        self.assertEqual(master_pids(), pids)

    def test_start_after_kill_9_starts_cleanly(self):
        mailenv.start()
        password = mailenv.password(ALICE)
        for pid in master_pids():
            os.kill(int(pid), 9)
        mailenv.start()
        self.assertEqual(mailenv.password(ALICE), password)
        raw, token = message(CAROL, ALICE, "After a crash")
        mailenv.send(raw, CAROL, ALICE)
        delivered_with(ALICE, token)

    def test_stop_twice_removes_everything(self):
        mailenv.start()
        mailenv.stop()
        self.assertFalse(os.path.exists(mailenv.DIR))
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection((mailenv.HOST, mailenv.INBOUND_PORT), timeout=5)
        mailenv.stop()
        self.assertFalse(os.path.exists(mailenv.DIR))


if __name__ == "__main__":
    unittest.main()
