"""contribd on servers that lack what Dovecot offers, played by the sandbox's own Dovecot: the
lacks-* mailboxes, whose sessions miss MOVE, UIDPLUS (and MOVE), IDLE or CONDSTORE (and
QRESYNC). The same story runs once per missing capability: a contribution is registered,
acknowledged and leaves the watched folder for the processed folder (without UIDPLUS it is
copied and flagged \\Deleted instead, and stays), a second one is picked up (by polling,
without IDLE) by listing only the UIDs that can be new, a pass that finds the folder unchanged
lists nothing, and a fresh run that lists the whole folder registers and answers nothing
twice. A question without attachment stays in INBOX throughout, so that it is never empty."""

import os
import signal
import time
import unittest

import harness
import mailenv
from harness import Contribd, RunningDaemon, contribution, replies_naming, send, wait_registered

PDF = "application/pdf"
FLAG_ONLY_LINE = "offers neither MOVE nor UIDPLUS"
# Classes whose daemon polls every second: without IDLE it must; without CONDSTORE it does so
# that passes with nothing new show the UIDNEXT rule (with IDLE a pass comes only with mail).
POLLING = {"IDLE", "CONDSTORE"}


class StoryOnALimitedServer:
    """The story; a subclass per missing capability names it in CAPABILITY."""

    CAPABILITY = None

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        cls.address, cls.missing = mailenv.LIMITED[cls.CAPABILITY]
        harness.reset_mailboxes([cls.address, "alice@member.test", "bob@member.test",
                                 "dave@member.test"])
        cls.polling = cls.CAPABILITY in POLLING
        cls.unchanged = ("INBOX: not listed (UIDNEXT and EXISTS unchanged" if "CONDSTORE" in
                         cls.missing else "INBOX: not listed (HIGHESTMODSEQ unchanged")
        cls.contribd = Contribd(deadline=int(time.time()) + 30 * 86400, secretariat=cls.address,
                                imap_overrides={"idle": not cls.polling,
                                                "poll_interval_seconds": 1,
                                                "idle_refresh_seconds": 300,
                                                "timeout_seconds": 10},
                                max_per_hour=1000)
        cls.started = time.monotonic()
        cls.daemon = RunningDaemon(cls.contribd, verbose=True)
        if not cls.daemon.wait_for_log("connected to", 30):
            raise AssertionError("contribd did not connect:\n" + cls.daemon.log())
        cls.question = contribution("dave@member.test", "Question about registration", [],
                                    to=cls.address)
        send(cls.question)
        if not cls.daemon.wait_for_log("left in the folder for people", 30):
            raise AssertionError("the question was not looked at:\n" + cls.daemon.log())
        if cls.polling and not cls.daemon.wait_for_log(cls.unchanged, 10):
            raise AssertionError("no pass found the folder unchanged:\n" + cls.daemon.log())
        cls.first = cls.registered_and_answered("alice@member.test", "Clause 7 text")
        cls.first_inbox, cls.first_registered = cls.folders()
        cls.second = cls.registered_and_answered("bob@member.test", "QKD use cases")
        cls.daemon.stop()
        cls.log = cls.daemon.log()
        cls.again = cls.contribd.run_once()
        mailenv.wait_for_queue_empty()  # a second reply would be delivered by now

    @classmethod
    def tearDownClass(cls):
        if cls.daemon.running():
            cls.daemon.stop(signal.SIGKILL)
        cls.contribd.remove()
        harness.reset_mailboxes([cls.address])

    @classmethod
    def registered_and_answered(cls, sender, subject):
        """Sends a contribution to the limited mailbox; returns (message, register row) once
        it is registered and its acknowledgement is in the sender's INBOX."""
        msg = contribution(sender, subject, [(f"{subject}.pdf", os.urandom(3000), PDF)],
                           to=cls.address)
        send(msg)
        row = wait_registered(cls.contribd, msg["Message-ID"], 30)
        if not row:
            raise AssertionError(f"{subject} not registered:\n{cls.daemon.log()}")
        if not harness.wait_until(lambda: replies_naming(sender, row["document_number"]), 30):
            raise AssertionError(f"no reply for {subject}:\n{cls.daemon.log()}")
        return msg, row

    @classmethod
    def folders(cls):
        """{Message-ID: flags} of INBOX and of the processed folder, once the daemon is done
        with the latest message (it moves right after registering)."""
        imap = harness.Imap(cls.address)
        try:
            harness.wait_until(lambda: len(imap.flags_in("Registered")) > 0, 10)
            return imap.flags_in("INBOX"), imap.flags_in("Registered")
        finally:
            imap.close()

    def test_0_the_session_lacks_the_capability(self):
        imap = harness.Imap(self.address)
        try:
            _, lines = imap.conn.capability()
        finally:
            imap.close()
        offered = set(lines[0].decode().upper().split())
        self.assertTrue(offered, lines)
        self.assertEqual(offered & self.missing, set(), "the sandbox offers what it should not")
        self.assertIn("IMAP4REV1", offered)

    def test_1_first_contribution_is_registered_answered_and_moved(self):
        msg, row = self.first
        self.assertEqual(row["document_number"], "QIT4N-I-001")
        self.assertEqual(row["reply"]["kind"], "ack")
        self.assertIn(msg["Message-ID"], self.first_registered)
        if "UIDPLUS" in self.missing:
            # Copied and flagged, never expunged: it stays in INBOX, flagged \Deleted.
            self.assertIn("\\Deleted", self.first_inbox.get(msg["Message-ID"], set()))
        else:
            self.assertNotIn(msg["Message-ID"], self.first_inbox)
        # What people flagged is theirs: the question is neither flagged nor expunged.
        self.assertEqual(self.first_inbox.get(self.question["Message-ID"]), set())

    def test_2_second_contribution_is_picked_up(self):
        msg, row = self.second
        self.assertEqual(row["document_number"], "QIT4N-I-002")
        self.assertEqual(len(replies_naming("bob@member.test", "QIT4N-I-002")), 1)
        expected = "polling every 1 s" if self.polling else "IDLE, renewed every"
        self.assertIn(expected, self.log)

    def test_3_the_log_says_copy_and_flag_once_and_only_without_uidplus(self):
        self.assertEqual(self.log.count(FLAG_ONLY_LINE), 1 if "UIDPLUS" in self.missing else 0,
                         self.log)

    def test_4_a_full_listing_registers_and_answers_nothing_twice(self):
        self.assertEqual(self.again.returncode, 0, self.again.stderr)
        rows = self.contribd.register()
        self.assertEqual(sorted(row["document_number"] for row in rows),
                         ["QIT4N-I-001", "QIT4N-I-002"])
        self.assertEqual(len(harness.replies_to("alice@member.test")), 1)
        self.assertEqual(len(harness.replies_to("bob@member.test")), 1)
        imap = harness.Imap(self.address)
        try:
            inbox, registered = imap.flags_in("INBOX"), imap.flags_in("Registered")
        finally:
            imap.close()
        ids = {self.first[0]["Message-ID"], self.second[0]["Message-ID"]}
        self.assertEqual(set(registered), ids)  # copied once each, not again by the fresh run
        left = {self.question["Message-ID"]}
        self.assertEqual(set(inbox), left | ids if "UIDPLUS" in self.missing else left)
        self.assertEqual(harness.replies_to("dave@member.test"), [])

    def test_5_new_mail_is_listed_from_the_last_uidnext_and_an_unchanged_folder_not_at_all(self):
        self.assertIn("INBOX: listing UIDs from", self.log)
        self.assertIn("(only UIDs from the last UIDNEXT on can be new)", self.log)
        if "CONDSTORE" in self.missing:
            self.assertNotIn('SELECT "INBOX" (CONDSTORE)', self.log)
        else:
            self.assertIn('SELECT "INBOX" (CONDSTORE)', self.log)
        if self.polling:  # polled every second, mostly with nothing new
            self.assertIn(self.unchanged, self.log)


# One class per missing capability, the same story in each.
for _capability in mailenv.LIMITED:
    _name = f"WithoutCapability{_capability.title()}"
    globals()[_name] = type(_name, (StoryOnALimitedServer, unittest.TestCase),
                            {"CAPABILITY": _capability, "__doc__": f"A server without {_capability}."})
del _capability, _name
