"""Who may receive a reply, on real Dovecot and Postfix (SPEC step 4, [trust], step 7). Anyone
can write any From address, so with `[trust] authserv_id` contribd answers only a From address
that the secretariat's own receiving server authenticated in an Authentication-Results field
(RFC 8601): dmarc=pass, or dkim=pass or spf=pass for an aligned domain. Every contribution is
registered all the same; an unanswered one keeps its reply withheld, with the reason and the
results seen, until a person releases it. The hourly limits, per sender and for all replies
together, withhold the replies beyond them in the same way.

The sandbox's Postfix writes no Authentication-Results, so the messages carry the fields that
the secretariat's receiving MTA (mx.itu.test) would have added, and forged ones of another
server (mx.evil.test)."""

import email
import email.policy
import os
import re
import time
import unittest

import harness
import mailenv
from harness import SECRETARIAT, Contribd, contribution

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OURS = "mx.itu.test"
FOREIGN = "mx.evil.test"
# The queues a message sits in between its acceptance by Postfix and its delivery by LMTP.
POSTFIX_QUEUES = ("maildrop", "incoming", "active", "deferred", "hold")


def docx(name):
    """A .docx attachment with unique content, so that no two contributions are duplicates."""
    return (name, os.urandom(3000), DOCX)


def trust_table(unauthenticated=None):
    """The [trust] table, appended to the test config after the meetings."""
    lines = ["", "[trust]", f'authserv_id = "{OURS}"']
    if unauthenticated:
        lines.append(f'unauthenticated = "{unauthenticated}"')
    return "\n".join(lines)


def start_from_empty_mailboxes():
    mailenv.start()
    harness.reset_mailboxes()


def with_results(msg, *results):
    """The raw message with Authentication-Results fields on top, in the given order, as a
    receiving MTA prepends them."""
    fields = b"".join(f"Authentication-Results: {value}\r\n".encode() for value in results)
    return fields + msg.as_bytes(policy=email.policy.SMTP)


def send_raw(raw, sender):
    mailenv.send(raw, sender, [SECRETARIAT])


def send_in_order(messages):
    """Sends (raw, envelope sender) pairs one at a time, each once IMAP shows the previous one in
    the secretariat's INBOX, so that the document numbers follow the order of `messages`."""
    waiting = len(mailenv.maildir_messages(SECRETARIAT))
    for raw, sender in messages:
        send_raw(raw, sender)
        waiting += 1
        harness.wait_for_inbox(waiting)


def postfix_holds_nothing():
    root = os.path.join(mailenv.DIR, "postfix", "queue")
    if not os.path.isdir(os.path.join(root, "active")):
        raise AssertionError(f"no Postfix queue at {root}: the sandbox's layout changed")
    return not any(files for queue in POSTFIX_QUEUES
                   for _, _, files in os.walk(os.path.join(root, queue)))


def wait_until_postfix_delivered(timeout=30):
    """Waits until Postfix's queues are empty: every reply that contribd handed over has been
    delivered to its mailbox (or refused), so a mailbox without a reply will not get one late."""
    if not harness.wait_until(postfix_holds_nothing, timeout):
        raise TimeoutError(f"Postfix still holds mail after {timeout}s; see {mailenv.DIR}/log/")


def reply_subjects(address):
    return sorted(str(message["Subject"]) for message in harness.replies_to(address))


class RegisterAssertions(unittest.TestCase):
    """Looks up rows of the register of the class's run (cls.register) by subject."""

    def row_about(self, subject):
        rows = [row for row in self.register if row["subject"] == subject]
        self.assertEqual(len(rows), 1, f"{subject}: {self.register}")
        return rows[0]

    def assert_answered(self, subject):
        row = self.row_about(subject)
        self.assertEqual(row["reply"]["kind"], "ack", row)
        self.assertEqual(row["reply"]["state"], "sent", row)
        self.assertIsNone(row["reply"]["reason"], row)
        return row

    def assert_withheld(self, subject, rule, log):
        """Withheld by RULE in the register, and the run's log says so for that document."""
        row = self.row_about(subject)
        reply = row["reply"]
        self.assertEqual(reply["state"], "withheld", row)
        self.assertTrue(reply["reason"].startswith(f"{rule}: "), row)
        number, sender = re.escape(row["document_number"]), re.escape(row["sender"])
        self.assertRegex(log, rf"registered {number} from {sender}; reply withheld "
                              rf"\({re.escape(rule)}: ")
        return row


class OnlyOurServersResultsAuthenticateTheSender(RegisterAssertions):
    """Seven contributions, each registered; only the three whose From domain mx.itu.test
    authenticated (dmarc, dkim from a subdomain, spf) are answered. The register keeps the
    results of mx.itu.test that were seen, never the forged copies of another server."""

    NO_RESULTS = "Forged From, no Authentication-Results"
    DMARC_FAIL = "DMARC fails at our server"
    FOREIGN_PASS = "DMARC passes at another server"
    DMARC_PASS = "DMARC passes at our server"
    DKIM_SUBDOMAIN = "DKIM signed by a subdomain"
    SPF_PASS = "SPF passes for the bounce address"
    DKIM_OTHER = "DKIM signed by another organization"

    # The fields as the receiving MTA writes them, one line each.
    DMARC_FAIL_FIELD = f"{OURS}; dmarc=fail (p=reject dis=none) header.from=member.test"
    FOREIGN_FIELD = f"{FOREIGN}; dmarc=pass (p=none dis=none) header.from=member.test"
    DMARC_PASS_FIELD = f"{OURS}; dmarc=pass (p=none dis=none) header.from=member.test"
    DKIM_SUBDOMAIN_FIELD = (f"{OURS}; dkim=pass (2048-bit key) header.d=mail.member.test "
                            "header.s=qit4n header.b=AbCdEf12; spf=none smtp.mailfrom=erin@member.test")
    SPF_FIELD = f"{OURS}; spf=pass smtp.mailfrom=bounces@member.test smtp.helo=mail.member.test"
    DKIM_OTHER_FIELD = f"{OURS}; dkim=pass header.d=other.test header.s=s1 header.b=Zz9Yy8Xx"

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        cases = [
            ("alice@member.test", cls.NO_RESULTS, []),
            ("bob@member.test", cls.DMARC_FAIL, [cls.DMARC_FAIL_FIELD]),
            ("carol@member.test", cls.FOREIGN_PASS, [cls.FOREIGN_FIELD]),
            # The forged pass of another server sits on top; the pass of ours decides.
            ("dave@member.test", cls.DMARC_PASS, [cls.FOREIGN_FIELD, cls.DMARC_PASS_FIELD]),
            ("erin@member.test", cls.DKIM_SUBDOMAIN, [cls.DKIM_SUBDOMAIN_FIELD]),
            ("frank@member.test", cls.SPF_PASS, [cls.SPF_FIELD]),
            ("alice@member.test", cls.DKIM_OTHER, [cls.DKIM_OTHER_FIELD]),
        ]
        for sender, subject, results in cases:
            msg = contribution(sender, subject, [docx(sender.split("@")[0] + ".docx")])
            envelope = "bounces@member.test" if subject == cls.SPF_PASS else sender
            send_raw(with_results(msg, *results), envelope)
        mailenv.wait_for_messages(SECRETARIAT, len(cases), timeout=30)

        cls.contribd = Contribd(deadline=int(time.time()) + 3600, extra_meetings=trust_table())
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        for address in ("dave@member.test", "erin@member.test", "frank@member.test"):
            mailenv.wait_for_messages(address, 1, timeout=30)
        wait_until_postfix_delivered()

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_run_once_succeeds_and_registers_all_seven(self):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)
        self.assertEqual(sorted(row["document_number"] for row in self.register),
                         [f"QIT4N-I-{n:03}" for n in range(1, 8)])

    def test_a_forged_from_without_results_is_registered_and_not_answered(self):
        row = self.assert_withheld(self.NO_RESULTS, "unauthenticated", self.run_result.stderr)
        self.assertEqual(row["sender"], "alice@member.test")
        self.assertEqual(len(row["files"]), 1)
        self.assertIn(f"no Authentication-Results from {OURS}", row["reply"]["reason"])
        self.assertIsNone(row["authentication"])

    def test_a_failing_result_of_our_server_withholds_and_is_kept(self):
        row = self.assert_withheld(self.DMARC_FAIL, "unauthenticated", self.run_result.stderr)
        self.assertIn("dmarc=fail", row["reply"]["reason"])
        self.assertEqual(row["authentication"], self.DMARC_FAIL_FIELD)

    def test_a_pass_of_another_server_is_ignored(self):
        row = self.assert_withheld(self.FOREIGN_PASS, "unauthenticated", self.run_result.stderr)
        self.assertIn(f"no Authentication-Results from {OURS}", row["reply"]["reason"])
        self.assertIsNone(row["authentication"], "a forged copy is not kept as evidence")

    def test_an_aligned_dmarc_pass_is_answered_and_kept_without_the_forged_copy(self):
        row = self.assert_answered(self.DMARC_PASS)
        self.assertEqual(row["authentication"], self.DMARC_PASS_FIELD)
        self.assertEqual(reply_subjects("dave@member.test"),
                         [f"Received: {self.DMARC_PASS} [{row['document_number']}]"])

    def test_a_dkim_pass_of_a_subdomain_is_aligned_and_answered(self):
        row = self.assert_answered(self.DKIM_SUBDOMAIN)
        self.assertEqual(row["authentication"], self.DKIM_SUBDOMAIN_FIELD)
        self.assertEqual(reply_subjects("erin@member.test"),
                         [f"Received: {self.DKIM_SUBDOMAIN} [{row['document_number']}]"])

    def test_an_spf_pass_of_an_aligned_bounce_address_is_answered(self):
        row = self.assert_answered(self.SPF_PASS)
        self.assertEqual(row["authentication"], self.SPF_FIELD)
        self.assertEqual(reply_subjects("frank@member.test"),
                         [f"Received: {self.SPF_PASS} [{row['document_number']}]"])

    def test_a_dkim_pass_of_another_organization_is_not_aligned(self):
        row = self.assert_withheld(self.DKIM_OTHER, "unauthenticated", self.run_result.stderr)
        self.assertIn("not aligned", row["reply"]["reason"])
        self.assertIn("other.test", row["reply"]["reason"])
        self.assertEqual(row["authentication"], self.DKIM_OTHER_FIELD)

    def test_the_unauthenticated_senders_got_nothing(self):
        for address in ("alice@member.test", "bob@member.test", "carol@member.test"):
            with self.subTest(address=address):
                self.assertEqual(reply_subjects(address), [])


class UnauthenticatedRepliesWhenConfigured(RegisterAssertions):
    """With unauthenticated = "reply" the secretariat accepts the risk: a From that only another
    server vouches for is answered, and the register shows that nothing trusted vouched for it."""

    SUBJECT = "Unverified but answered"
    # A pass that another server claims for the domain: it is neither needed nor kept.
    FOREIGN_FIELD = f"{FOREIGN}; dmarc=pass header.from=member.test"

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        msg = contribution("bob@member.test", cls.SUBJECT, [docx("bob.docx")])
        send_raw(with_results(msg, cls.FOREIGN_FIELD), "bob@member.test")
        mailenv.wait_for_messages(SECRETARIAT, 1, timeout=30)
        cls.contribd = Contribd(deadline=int(time.time()) + 3600,
                                extra_meetings=trust_table(unauthenticated="reply"))
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        mailenv.wait_for_messages("bob@member.test", 1, timeout=30)
        wait_until_postfix_delivered()

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_the_forged_one_is_answered_once(self):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)
        row = self.assert_answered(self.SUBJECT)
        self.assertIsNone(row["authentication"])
        self.assertEqual(reply_subjects("bob@member.test"),
                         [f"Received: {self.SUBJECT} [{row['document_number']}]"])
        self.assertNotRegex(self.run_result.stderr, "reply withheld")


class ReleaseSendsAWithheldReplyOnce(RegisterAssertions):
    """A person checks the unauthenticated sender by other means and runs `contribd release`:
    the next pass sends the reply, once; a second release is refused, and a later pass sends
    nothing more."""

    SUBJECT = "Checked by telephone"

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        send_raw(with_results(contribution("carol@member.test", cls.SUBJECT,
                                           [docx("carol.docx")])), "carol@member.test")
        mailenv.wait_for_messages(SECRETARIAT, 1, timeout=30)
        cls.contribd = Contribd(deadline=int(time.time()) + 3600, extra_meetings=trust_table())

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_release_sends_the_reply_exactly_once(self):
        first = self.contribd.run_once()
        self.assertEqual(first.returncode, 0, first.stderr)
        self.register = self.contribd.register()
        row = self.assert_withheld(self.SUBJECT, "unauthenticated", first.stderr)
        number = row["document_number"]
        wait_until_postfix_delivered()
        self.assertEqual(reply_subjects("carol@member.test"), [])

        released = self.contribd.command("release", number)
        self.assertEqual(released.returncode, 0, released.stderr)
        again = self.contribd.command("release", number)
        self.assertEqual(again.returncode, 1, again.stdout + again.stderr)
        self.assertEqual(len((again.stdout + again.stderr).strip().splitlines()), 1,
                         again.stdout + again.stderr)

        for _ in range(2):  # the second pass finds nothing left to send
            result = self.contribd.run_once()
            self.assertEqual(result.returncode, 0, result.stderr)
        mailenv.wait_for_messages("carol@member.test", 1, timeout=30)
        wait_until_postfix_delivered()
        self.assertEqual(reply_subjects("carol@member.test"),
                         [f"Received: {self.SUBJECT} [{number}]"])
        self.register = self.contribd.register()
        self.assertEqual(self.row_about(self.SUBJECT)["reply"]["state"], "sent")


class RateLimitsWithholdTheRepliesBeyondThem(RegisterAssertions):
    """max_per_sender_per_hour = 2 counts alice, ALICE and alice+tag as one sender: her third and
    fourth contributions are registered without a reply, while bob is answered. The sandbox knows
    no +tag addresses, so the tagged ones come last: their replies are never sent."""

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        cls.senders = [("alice@member.test", "First from alice"),
                       ("ALICE@Member.Test", "Second from ALICE"),
                       ("alice+qit4n@member.test", "Third from alice+qit4n"),
                       ("Alice+Annex@MEMBER.test", "Fourth from Alice+Annex"),
                       ("bob@member.test", "Only one from bob")]
        send_in_order([(contribution(sender, subject, [docx(f"rate-{n}.docx")])
                        .as_bytes(policy=email.policy.SMTP), sender)
                       for n, (sender, subject) in enumerate(cls.senders)])
        cls.contribd = Contribd(deadline=int(time.time()) + 3600, max_per_hour=2)
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        mailenv.wait_for_messages("alice@member.test", 2, timeout=30)
        mailenv.wait_for_messages("bob@member.test", 1, timeout=30)
        wait_until_postfix_delivered()

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_run_once_succeeds(self):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)

    def test_two_replies_reach_alice_and_the_rest_are_withheld(self):
        first = self.assert_answered("First from alice")
        second = self.assert_answered("Second from ALICE")
        self.assertEqual(reply_subjects("alice@member.test"), sorted([
            f"Received: First from alice [{first['document_number']}]",
            f"Received: Second from ALICE [{second['document_number']}]"]))
        for subject in ("Third from alice+qit4n", "Fourth from Alice+Annex"):
            with self.subTest(subject=subject):
                row = self.assert_withheld(subject, "rate-limit", self.run_result.stderr)
                self.assertIn("the limit is 2", row["reply"]["reason"])

    def test_another_sender_is_not_counted_with_alice(self):
        row = self.assert_answered("Only one from bob")
        self.assertEqual(reply_subjects("bob@member.test"),
                         [f"Received: Only one from bob [{row['document_number']}]"])


class TheGlobalLimitCountsEveryReply(RegisterAssertions):
    """[replies] max_per_hour = 3: of five contributions from five people, the first three are
    answered and the last two registered with their replies withheld."""

    SENDERS = ["alice@member.test", "bob@member.test", "carol@member.test", "dave@member.test",
               "erin@member.test"]

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        send_in_order([(contribution(sender, f"Input from {sender}",
                                     [docx(sender.split("@")[0] + ".docx")])
                        .as_bytes(policy=email.policy.SMTP), sender)
                       for sender in cls.SENDERS])
        cls.contribd = Contribd(deadline=int(time.time()) + 3600,
                                replies_extra="max_per_hour = 3")
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        for sender in cls.SENDERS[:3]:
            mailenv.wait_for_messages(sender, 1, timeout=30)
        wait_until_postfix_delivered()

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_run_once_succeeds(self):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)

    def test_the_first_three_are_answered(self):
        for number, sender in enumerate(self.SENDERS[:3], start=1):
            with self.subTest(sender=sender):
                row = self.assert_answered(f"Input from {sender}")
                self.assertEqual(row["document_number"], f"QIT4N-I-{number:03}")
                self.assertEqual(reply_subjects(sender),
                                 [f"Received: Input from {sender} [QIT4N-I-{number:03}]"])

    def test_the_last_two_are_withheld_by_the_global_limit(self):
        for sender in self.SENDERS[3:]:
            with self.subTest(sender=sender):
                row = self.assert_withheld(f"Input from {sender}", "global-rate-limit",
                                           self.run_result.stderr)
                self.assertIn("the limit for all replies together is 3", row["reply"]["reason"])
                self.assertEqual(reply_subjects(sender), [])


if __name__ == "__main__":
    unittest.main()
