"""kill -9 at any moment loses nothing and registers nothing twice: a hundred contributions
wait in the mailbox, contribd is killed at random moments and started again until it has
handled them all, and then every contribution has exactly one document number, the numbers
have no gap, and every sender has an answer."""

import os
import random
import signal
import time
import unittest

import harness
import mailenv
from harness import SECRETARIAT, Contribd, RunningDaemon, contribution, reset_sandbox, send

SENDERS = mailenv.PARTICIPANTS

COUNT = 100
MIN_KILLS = 20
MAX_KILLS = 60


def mailbox_count(folder):
    imap = harness.Imap()
    try:
        status, data = imap.conn.select(f'"{folder}"', readonly=True)
        return int(data[0]) if status == "OK" else 0
    finally:
        imap.close()


def replies_per_document():
    """{document number: number of replies naming it} over every participant's INBOX."""
    counts = {}
    for address in SENDERS:
        for reply in harness.replies_to(address):
            subject = str(reply["Subject"])
            if "[" in subject:
                number = subject.rsplit("[", 1)[1].rstrip("]")
                counts[number] = counts.get(number, 0) + 1
    return counts


class KillNineAtRandomMoments(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()
        reset_sandbox()
        cls.contribd = Contribd(deadline=int(time.time()) + 30 * 86400,
                                imap_overrides={"poll_interval_seconds": 300},
                                max_per_hour=100000)
        cls.sent = {}
        for index in range(COUNT):
            sender = SENDERS[index % len(SENDERS)]
            # 300 KB each: the intake takes long enough for kills to land inside it.
            msg = contribution(sender, f"Crash test {index:03}",
                               [(f"crash-{index:03}.pdf", os.urandom(300_000), "application/pdf")])
            send(msg)
            cls.sent[msg["Message-ID"]] = sender
        mailenv.wait_for_messages(SECRETARIAT, COUNT, timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()
        reset_sandbox()  # the next story starts without our processed folder

    def all_handled(self):
        try:
            rows = self.contribd.register()
        except AssertionError:  # killed before the register was first created
            return False
        return (len(rows) >= COUNT and all(row["reply"]["state"] == "sent" for row in rows)
                and mailbox_count("INBOX") == 0)

    def test_every_contribution_registered_once_and_answered(self):
        seed = int(time.time())
        rng = random.Random(seed)
        started = time.monotonic()
        kills = kills_during_work = 0
        logs = []
        handled = False
        while kills < MIN_KILLS or (kills < MAX_KILLS and not handled):
            daemon = RunningDaemon(self.contribd)
            # From before the first login to well into the replies.
            time.sleep(rng.uniform(0.05, 0.5))
            daemon.stop(signal.SIGKILL)
            logs.append(daemon.log())
            kills += 1
            handled = self.all_handled()
            kills_during_work += 0 if handled else 1
        # The last run is left to finish the work and is stopped cleanly.
        daemon = RunningDaemon(self.contribd)
        finished = harness.wait_until(self.all_handled, 120, interval=0.5)
        code, _ = daemon.stop(signal.SIGTERM)
        self.assertTrue(finished, daemon.log())
        self.assertEqual(code, 0, daemon.log())

        rows = self.contribd.register()
        numbers = sorted(row["document_number"] for row in rows)
        self.assertEqual(numbers, [f"QIT4N-I-{n:03}" for n in range(1, COUNT + 1)])
        self.assertEqual(sorted(row["message_id"] for row in rows), sorted(self.sent))
        for row in rows:
            self.assertEqual(row["sender"], self.sent[row["message_id"]])
        self.assertEqual(mailbox_count("Registered"), COUNT)

        # Replies travel through Postfix: wait until each document has at least one.
        harness.wait_until(lambda: len(replies_per_document()) >= COUNT, 60, interval=0.5)
        replies = replies_per_document()
        self.assertEqual(set(replies), set(numbers))
        duplicates = sum(count - 1 for count in replies.values())
        moments = sum(log.count("registered QIT4N-I-") for log in logs)
        logs.append(daemon.log())
        moves = sum(log.count("completing the move") for log in logs)
        print(f"\n{kills} kills (seed {seed}), {kills_during_work} with work left, "
              f"{moments} registrations logged by killed runs, {moves} moves completed at start, "
              f"{COUNT} contributions, {sum(replies.values())} replies, {duplicates} duplicate "
              f"replies, {time.monotonic() - started:.0f} s")
        # A duplicate is only possible for a kill between the server's acceptance and the
        # outbox commit: at most one per kill.
        self.assertLessEqual(duplicates, kills)
        self.assertGreaterEqual(kills_during_work, 3, "the work ended before the kills began")


if __name__ == "__main__":
    unittest.main()
