"""The register locked by another process while replies go out (SPEC "Guarantees": a reply is
never sent twice because the register could not record the first sending; when the register
cannot be written, nothing is sent until it can).

Another process holds an open write transaction (BEGIN IMMEDIATE) on the SQLite file, as an
operator's sqlite3 shell or a stuck backup would, for longer than the daemon's busy timeout:
  1. from the moment the first reply is in its recipient's mailbox (the SMTP server accepted
     it moments before), while a second contribution is on its way: the second one is
     registered and answered once the lock is gone, nothing is sent twice, and the daemon's
     log says that the register could not be written, not that IMAP was lost;
  2. from the moment a reply is queued in the register, before it went out: nothing is sent
     while the lock lasts, and the reply arrives exactly once after it.
"""

import os
import re
import sqlite3
import time
import unittest

import harness
import mailenv
from harness import Contribd, RunningDaemon, contribution, send

PDF = "application/pdf"
LOCK_SECONDS = 20
DELIVERY_SECONDS = 90  # after the release: the retry backoff is capped at 60 s


def replies_for(address, subject):
    return [reply for reply in harness.replies_to(address)
            if str(reply["Subject"]).startswith(f"Received: {subject} [")]


class RegisterLock:
    """An open write transaction on the register, from another process's point of view."""

    def __init__(self, path):
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=60)
        self.conn.execute("BEGIN IMMEDIATE")

    def reply_states(self):
        """{document number: reply state} as this transaction sees the register."""
        return dict(self.conn.execute("SELECT document_number, state FROM replies"))

    def release(self):
        self.conn.execute("ROLLBACK")
        self.conn.close()


class LockedRegisterSendsNothingTwice(unittest.TestCase):
    """One daemon for both stories; the tests run in the order of their names."""

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        harness.reset_mailboxes()
        cls.installation = Contribd(deadline=int(time.time()) + 30 * 86400, max_per_hour=1000)
        cls.database = os.path.join(cls.installation.state, "state", "contribd.sqlite")
        cls.daemon = RunningDaemon(cls.installation)
        if not harness.wait_until(lambda: "connected to" in cls.daemon.log(), 30):
            raise AssertionError("contribd did not connect:\n" + cls.daemon.log())

    @classmethod
    def tearDownClass(cls):
        code, seconds = cls.daemon.stop()
        print(f"\nstopped with {code} after {seconds:.1f} s")
        cls.daemon.kill()
        cls.installation.remove()
        harness.reset_mailboxes()

    def assert_running(self):
        self.assertIsNone(self.daemon.process.poll(), f"contribd ended:\n{self.daemon.log()}")

    def test_1_lock_after_the_first_reply_while_the_second_contribution_comes(self):
        first = contribution("alice@member.test", "Before the lock",
                             [("before.pdf", os.urandom(3000), PDF)])
        send(first)
        self.assertTrue(harness.wait_until(lambda: replies_for("alice@member.test",
                                                               "Before the lock"),
                                           60, interval=0.01), self.daemon.log())
        lock = RegisterLock(self.database)
        locked_at = time.monotonic()
        try:
            second = contribution("bob@member.test", "During the lock",
                                  [("during.pdf", os.urandom(3000), PDF)])
            send(second)
            mailenv.wait_for_messages(harness.SECRETARIAT, 1, timeout=30)
            time.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - locked_at)))
            self.assert_running()
            self.assertEqual(replies_for("bob@member.test", "During the lock"), [],
                             "a reply went out for a contribution the register could not hold")
            self.assertEqual(len(replies_for("alice@member.test", "Before the lock")), 1,
                             "the first reply was sent again while the register was locked")
        finally:
            lock.release()
        released_at = time.monotonic()
        self.assertTrue(harness.wait_until(lambda: replies_for("bob@member.test",
                                                               "During the lock"),
                                           DELIVERY_SECONDS, interval=0.2),
                        f"no reply for the second contribution after the release:\n"
                        f"{self.daemon.log()}")
        print(f"\nlock 1: second reply {time.monotonic() - released_at:.1f} s after the release")
        time.sleep(5)  # room for a second copy, if one were coming
        self.assertEqual(len(replies_for("alice@member.test", "Before the lock")), 1)
        self.assertEqual(len(replies_for("bob@member.test", "During the lock")), 1)
        rows = {row["subject"]: row for row in self.installation.register()}
        self.assertEqual(rows["Before the lock"]["reply"]["state"], "sent")
        self.assertEqual(rows["During the lock"]["reply"]["state"], "sent")
        self.assert_running()

        log = self.daemon.log(tail=10**7)
        said = [line for line in log.splitlines()
                if re.search(r"register", line, re.I)
                and re.search(r"locked|busy|could not be written|cannot be written", line, re.I)]
        self.assertTrue(said, f"the log does not say that the register could not be written:\n"
                        f"{log}")
        self.assertNotIn("imap: connection lost", log,
                         "a locked register is not an IMAP outage")

    def test_2_lock_while_a_reply_is_queued(self):
        third = contribution("carol@member.test", "Queued under the lock",
                             [("queued.pdf", os.urandom(3000), PDF)])
        reader = sqlite3.connect(self.database, isolation_level=None, timeout=60)
        try:
            def queued():
                return reader.execute(
                    "SELECT c.document_number FROM replies r JOIN contributions c "
                    "ON r.contribution_id = c.id WHERE c.subject = ?",
                    ("Queued under the lock",)).fetchone()
            send(third)
            found = harness.wait_until(queued, 60, interval=0.002)
            self.assertTrue(found, self.daemon.log())
        finally:
            reader.close()
        number = found[0]
        lock = RegisterLock(self.database)
        try:
            state_at_lock = lock.reply_states()[number]
            time.sleep(LOCK_SECONDS / 2)
            self.assert_running()
            during = len(replies_for("carol@member.test", "Queued under the lock"))
        finally:
            lock.release()
        print(f"\nlock 2: the reply was {state_at_lock} when the lock was taken; "
              f"{during} cop{'y' if during == 1 else 'ies'} arrived during the lock")
        if state_at_lock == "queued":
            self.assertEqual(during, 0, "a reply went out while the register could not record it")
        self.assertTrue(harness.wait_until(lambda: replies_for("carol@member.test",
                                                               "Queued under the lock"),
                                           DELIVERY_SECONDS, interval=0.2), self.daemon.log())
        time.sleep(5)
        self.assertEqual(len(replies_for("carol@member.test", "Queued under the lock")), 1,
                         f"the reply arrived more than once:\n{self.daemon.log()}")
        rows = {row["subject"]: row for row in self.installation.register()}
        self.assertEqual(rows["Queued under the lock"]["reply"]["state"], "sent")
        self.assert_running()


if __name__ == "__main__":
    unittest.main()
