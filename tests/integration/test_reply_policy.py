"""The reply policy on a real IMAP server (Dovecot, or Cyrus with MAILENV_SERVER=cyrus) and
Postfix: contribd registers every contribution but
answers only people, once per submission, never more often than the hourly limit, never to
anyone but the sender, with the operator's texts, for the meeting the receipt time belongs to."""

import base64
import email
import email.policy
import hashlib
import json
import os
import re
import signal
import subprocess
import time
import unittest
import urllib.parse
from datetime import datetime
from email.utils import make_msgid
from zoneinfo import ZoneInfo

import harness
import mailenv
from harness import SECRETARIAT, Contribd, contribution, replies_to, send

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZURICH = "Europe/Zurich"



def docx(name):
    """A .docx attachment with unique content, so that no two contributions are duplicates."""
    return (name, os.urandom(3000), DOCX)


def start_from_empty_mailboxes():
    mailenv.start()
    harness.reset_mailboxes()


def send_in_order(messages):
    """Sends one message at a time, each once IMAP shows the previous one in the secretariat's
    INBOX, so that the UIDs, and so the document numbers, follow the order of `messages`."""
    waiting = len(mailenv.mailbox_messages(SECRETARIAT))
    for msg in messages:
        send(msg)
        waiting += 1
        harness.wait_for_inbox(waiting)


def header_names(raw):
    """The field names of a raw message's header block, in order, as written."""
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return [line.split(b":", 1)[0].decode("ascii", "replace")
            for line in head.split(b"\n") if line and line[:1] not in (b" ", b"\t")]


def body_text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def utc_text(rfc3339):
    """'2020-07-20T08:00:00Z' as contribd writes times in replies: '2020-07-20 08:00:00 UTC'."""
    return rfc3339.replace("T", " ").replace("Z", " UTC")


def zone_text(ts, zone):
    return datetime.fromtimestamp(ts, tz=ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def replace_header(raw, name, value):
    """Puts a header value into raw bytes as they are, past the checks of Python's email package
    (which refuses CR/LF in values): this is what a hostile client can send."""
    lines = raw.split(b"\r\n")
    for index, line in enumerate(lines):
        if line.lower().startswith(name.lower().encode() + b":"):
            lines[index] = name.encode() + b": " + value.encode()
            return b"\r\n".join(lines)
    raise AssertionError(f"no {name} header to replace")


class RegisterAssertions(unittest.TestCase):
    """Looks up rows of the register the class's run produced (cls.register)."""

    def row_of(self, sender):
        rows = [row for row in self.register if row["sender"] == sender.lower()]
        self.assertEqual(len(rows), 1, f"{sender}: {rows}")
        return rows[0]

    def assert_withheld(self, sender, rule):
        reply = self.row_of(sender)["reply"]
        self.assertEqual(reply["state"], "withheld", f"{sender}: {reply}")
        self.assertTrue(reply["reason"].startswith(f"{rule}:"), f"{sender}: {reply}")
        self.assertEqual(reply["attempts"], 0, f"{sender}: {reply}")


class RobotsAndListsAreHeldForAPerson(RegisterAssertions):
    """Vacation replies, bounces, list mail and robot senders carry documents too: contribd
    holds them in the review folder, unnumbered and unanswered, for a person to decide (SPEC
    step 7), so that neither junk nor a loop between two automatic systems reaches the list of
    input documents. Messages from people whose reply must not go out (our own address, a loop
    marker, a request for no automatic replies) are registered without one."""

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        cls.expected_rules = {}  # held: the rule that holds it
        cls.withheld_rules = {}  # registered, the reply withheld by this rule
        cls.send_robot("alice@member.test", "auto-submitted",
                       headers={"Auto-Submitted": "auto-replied"},
                       subject="Out of office: Proposed text for clause 7")
        cls.send_bounce()
        cls.send_robot("bob@member.test", "precedence", subject="[qit4n] Minutes draft",
                       headers={"List-Id": "FG-QIT4N discussion <qit4n.lists.member.test>",
                                "List-Unsubscribe": "<mailto:qit4n-leave@member.test>",
                                "Precedence": "list"})
        cls.send_robot("carol@member.test", "list-header", subject="[qit4n] Agenda",
                       headers={"List-Id": "<qit4n.lists.member.test>"})
        cls.send_person("dave@member.test", "auto-response-suppress", subject="Liaison statement",
                        headers={"X-Auto-Response-Suppress": "All"})
        cls.send_robot("noreply@member.test", "robot-sender", subject="Automated upload")
        cls.send_robot("owner-qit4n@member.test", "robot-sender", subject="List owner report")
        # An ordinary message whose envelope sender is <>: only the Return-Path betrays it.
        cls.send_robot("erin@member.test", "empty-return-path", subject="Forwarded input",
                       mail_from="")
        cls.send_person(SECRETARIAT, "own-address", subject="Note to self: draft agenda")
        # What comes back when a participant's system forwards our own reply with its files.
        cls.send_person("relay@member.test", "loop-marker", subject="Fwd: Received: Draft",
                        headers={"X-Contribd-Loop": SECRETARIAT})
        # The one person among the robots, who says outright that the mail is not automatic:
        # proves that replies do go out from this run.
        cls.person = contribution("frank@member.test", "Security considerations",
                                  [docx("frank.docx")], headers={"Auto-Submitted": "no"})
        send(cls.person)
        cls.total = len(cls.expected_rules) + len(cls.withheld_rules) + 1
        mailenv.wait_for_messages(SECRETARIAT, cls.total, timeout=30)
        cls.inbox_before_run = mailenv.mailbox_messages(SECRETARIAT)

        cls.contribd = Contribd(deadline=int(time.time()) + 3600)
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        cls.review = cls.contribd.review()
        mailenv.wait_for_messages("frank@member.test", 1, timeout=30)
        mailenv.wait_for_queue_empty()  # no reply we do not expect is still on its way

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    @classmethod
    def send_robot(cls, sender, rule, subject, headers=None, mail_from=None):
        name = sender.split("@")[0] + ".docx"
        send(contribution(sender, subject, [docx(name)], headers=headers), mail_from=mail_from)
        cls.expected_rules[sender] = rule

    @classmethod
    def send_person(cls, sender, rule, subject, headers=None):
        name = sender.split("@")[0] + ".docx"
        send(contribution(sender, subject, [docx(name)], headers=headers))
        cls.withheld_rules[sender] = rule

    def held_of(self, sender):
        rows = [row for row in self.review if row["sender"].lower() == sender.lower()]
        self.assertEqual(len(rows), 1, f"{sender}: {self.review}")
        return rows[0]

    @classmethod
    def send_bounce(cls):
        """A Postfix-style delivery status notification from MAILER-DAEMON with the returned
        message, which carried a document, as the envelope sender <> that bounces use."""
        returned = contribution("tsbfgqit4n@itu.test", "Input document",
                                [docx("returned.docx")], to="nobody@member.test")
        boundary = "bounce-" + os.urandom(6).hex()
        returned_text = returned.as_bytes(policy=email.policy.SMTP).decode("ascii")
        raw = "\r\n".join([
            "From: Mail Delivery System <MAILER-DAEMON@member.test>",
            f"To: {SECRETARIAT}",
            "Subject: Undelivered Mail Returned to Sender",
            f"Message-ID: {make_msgid(domain='member.test')}",
            f"Date: {email.utils.formatdate()}",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
            "",
            f"--{boundary}",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            "This is the mail system at host member.test. Your message could not be delivered.",
            f"--{boundary}",
            "Content-Type: message/delivery-status",
            "",
            "Reporting-MTA: dns; member.test",
            "",
            "Final-Recipient: rfc822; nobody@member.test",
            "Action: failed",
            "Status: 5.1.1",
            "",
            f"--{boundary}",
            "Content-Type: message/rfc822",
            "",
            returned_text.rstrip("\r\n"),
            f"--{boundary}--",
            "",
        ]).encode("ascii")
        mailenv.send(raw, "", [SECRETARIAT])
        cls.expected_rules["MAILER-DAEMON@member.test"] = "report"

    def test_run_once_succeeds(self):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)

    def test_postfix_wrote_an_empty_return_path_for_the_bounce_and_the_forward(self):
        empty = [raw for raw in self.inbox_before_run if raw.startswith(b"Return-Path: <>")]
        self.assertEqual(len(empty), 2, [raw[:200] for raw in self.inbox_before_run])

    def test_people_are_registered_with_consecutive_numbers_and_robots_are_not(self):
        numbers = sorted(row["document_number"] for row in self.register)
        expected = [f"QIT4N-I-{n:03}" for n in range(1, len(self.withheld_rules) + 2)]
        self.assertEqual(numbers, expected)
        senders = sorted(row["sender"] for row in self.register)
        self.assertEqual(senders, sorted(s.lower() for s in
                                         [*self.withheld_rules, "frank@member.test"]))

    def test_each_robot_is_held_with_the_rule_that_names_it(self):
        self.assertEqual(len(self.review), len(self.expected_rules), self.review)
        for sender, rule in self.expected_rules.items():
            with self.subTest(sender=sender):
                held = self.held_of(sender)
                self.assertTrue(held["reason"].startswith(f"{rule}: "), held)
                self.assertEqual(held["cause"], "robot")
                self.assertEqual(held["folder"], mailenv.mailbox("Review"))
                self.assertEqual(len(held["files"]), 1, held)

    def test_the_bounce_is_held_with_the_document_inside_the_returned_message(self):
        files = self.held_of("MAILER-DAEMON@member.test")["files"]
        self.assertEqual([f["filename"] for f in files], ["returned.docx"])

    def test_each_withheld_reply_names_its_rule(self):
        for sender, rule in self.withheld_rules.items():
            with self.subTest(sender=sender):
                self.assert_withheld(sender, rule)

    def test_the_log_says_why_each_was_held_or_withheld(self):
        for sender, rule in self.withheld_rules.items():
            number = self.row_of(sender)["document_number"]
            with self.subTest(sender=sender):
                self.assertRegex(self.run_result.stderr,
                                 rf"UID \d+: registered {number} from [^;\n]+; "
                                 rf"reply withheld \({rule}: ")
        for sender, rule in self.expected_rules.items():
            with self.subTest(sender=sender):
                self.assertRegex(self.run_result.stderr,
                                 rf"UID \d+: held for a person \(contribd review\), from "
                                 rf"{re.escape(sender.lower())}: {rule}: ")

    def test_no_robot_or_list_member_receives_anything(self):
        for address in ["alice", "bob", "carol", "dave", "erin"]:
            self.assertEqual(mailenv.maildir_messages(f"{address}@member.test"), [], address)

    def test_the_person_among_them_is_answered(self):
        replies = mailenv.maildir_messages("frank@member.test")
        self.assertEqual(len(replies), 1)
        # Sent with the secretariat as envelope sender (what Microsoft 365 requires); the
        # Auto-Submitted field and the loop marker keep answers from being answered (RFC 3834).
        self.assertTrue(replies[0].startswith(f"Return-Path: <{SECRETARIAT}>".encode()),
                        replies[0][:100])
        reply_message = email.message_from_bytes(replies[0], policy=email.policy.default)
        self.assertEqual(reply_message["Auto-Submitted"], "auto-replied")
        self.assertIsNotNone(reply_message["X-Contribd-Loop"])
        reply = self.row_of("frank@member.test")["reply"]
        self.assertEqual((reply["kind"], reply["state"]), ("ack", "sent"))

    def test_every_message_left_the_inbox_for_its_folder(self):
        imap = harness.Imap()
        try:
            inbox = imap.flags_in("INBOX")
            registered, review = imap.flags_in("Registered"), imap.flags_in("Review")
        finally:
            imap.close()
        self.assertEqual(inbox, {})
        self.assertEqual(len(registered), len(self.withheld_rules) + 1)
        self.assertEqual(len(review), len(self.expected_rules))


class ResubmissionsAreRecognised(RegisterAssertions):
    """A participant who sends the same files again (a new subject, a new Message-ID) is told
    the number they already have; the same file from someone else is their own contribution."""

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        cls.document = docx("QIT4N-clause7.docx")
        cls.first = contribution("alice@member.test", "Proposed text for clause 7",
                                 [cls.document])
        send(cls.first)
        mailenv.wait_for_messages(SECRETARIAT, 1, timeout=30)
        cls.contribd = Contribd(deadline=int(time.time()) + 3600)
        cls.first_run = cls.contribd.run_once()
        mailenv.wait_for_messages("alice@member.test", 1, timeout=30)

        cls.again = contribution("alice@member.test", "Resent: clause 7 proposal (please register)",
                                 [cls.document])
        cls.from_bob = contribution("bob@member.test", "Clause 7, as discussed with Alice",
                                    [cls.document])
        # Carol's mail client sends her document twice within the same minute.
        cls.carol_document = docx("carol-annex.docx")
        cls.from_carol = [contribution("carol@member.test", subject, [cls.carol_document])
                          for subject in ["Annex A", "Annex A (resent)"]]
        send_in_order([cls.again, cls.from_bob, *cls.from_carol])
        cls.second_run = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        cls.alice_replies = [
            email.message_from_bytes(raw, policy=email.policy.default)
            for raw in mailenv.wait_for_messages("alice@member.test", 2, timeout=30)]
        mailenv.wait_for_messages("bob@member.test", 1, timeout=30)
        mailenv.wait_for_messages("carol@member.test", 2, timeout=30)
        mailenv.wait_for_queue_empty()  # no reply we do not expect is still on its way

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_both_runs_succeed(self):
        self.assertEqual(self.first_run.returncode, 0, self.first_run.stderr)
        self.assertEqual(self.second_run.returncode, 0, self.second_run.stderr)

    def test_the_resubmission_is_not_registered_again(self):
        alice = self.row_of("alice@member.test")
        self.assertEqual(alice["document_number"], "QIT4N-I-001")
        self.assertEqual(alice["subject"], "Proposed text for clause 7")
        self.assertEqual(alice["message_id"], self.first["Message-ID"])

    def test_the_reply_to_the_resubmission_names_the_existing_number(self):
        self.assertEqual(len(self.alice_replies), 2)
        resent = [r for r in self.alice_replies
                  if r["In-Reply-To"] == self.again["Message-ID"]]
        self.assertEqual(len(resent), 1, [r["In-Reply-To"] for r in self.alice_replies])
        reply = resent[0]
        self.assertEqual(reply["Subject"],
                         "Received: Resent: clause 7 proposal (please register) [QIT4N-I-001]")
        body = body_text(reply)
        self.assertIn("registered then under QIT4N-I-001", body)
        self.assertNotIn("QIT4N-I-002", body)
        self.assertIn(hashlib.sha256(self.document[1]).hexdigest(), body)

    def test_the_same_file_from_another_sender_gets_the_next_number(self):
        bob = self.row_of("bob@member.test")
        self.assertEqual(bob["document_number"], "QIT4N-I-002")
        self.assertEqual(bob["files"][0]["sha256"], hashlib.sha256(self.document[1]).hexdigest())
        reply = replies_to("bob@member.test")
        self.assertEqual(len(reply), 1)
        self.assertEqual(reply[0]["Subject"], "Received: Clause 7, as discussed with Alice "
                                              "[QIT4N-I-002]")
        self.assertNotIn("registered then", body_text(reply[0]))

    def test_a_copy_in_the_same_pass_is_recognised_too(self):
        carol = self.row_of("carol@member.test")
        self.assertEqual(carol["document_number"], "QIT4N-I-003")
        self.assertEqual(carol["subject"], "Annex A")
        subjects = sorted(r["Subject"] for r in replies_to("carol@member.test"))
        self.assertEqual(subjects, ["Received: Annex A (resent) [QIT4N-I-003]",
                                    "Received: Annex A [QIT4N-I-003]"])

    def test_show_lists_both_replies_in_the_history_of_the_first_number(self):
        shown = self.contribd.run("show", "--config", self.contribd.config_path, "QIT4N-I-001",
                                  "--json")
        self.assertEqual(shown.returncode, 0, shown.stderr)
        replies = json.loads(shown.stdout)["replies"]
        self.assertEqual([(r["kind"], r["state"], r["recipient"]) for r in replies],
                         [("ack", "sent", "alice@member.test")] * 2)

    def test_the_register_holds_three_rows_and_the_copies_left_the_inbox(self):
        self.assertEqual(len(self.register), 3)
        imap = harness.Imap()
        try:
            inbox, registered = imap.flags_in("INBOX"), imap.flags_in("Registered")
        finally:
            imap.close()
        self.assertEqual(inbox, {})
        for msg in [self.again, *self.from_carol]:
            self.assertIn(msg["Message-ID"], registered)


class HeaderInjectionReachesNoOneElse(RegisterAssertions):
    """A subject and a filename that decode to CR/LF and a Bcc line, and a From whose encoded
    display name decodes to another address: each reply goes to its sender alone, its header
    block gains no field, and the register keeps what was sent."""

    SUBJECT = "Contribution on key relay\r\nBcc: frank@member.test"
    FILENAME = "relay\r\nBcc: frank@member.test\r\n.docx"

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        cls.document = os.urandom(5000)
        msg = contribution("erin@member.test", "placeholder", [("x.docx", cls.document, DOCX)])
        cls.message_id = msg["Message-ID"]
        raw = msg.as_bytes(policy=email.policy.SMTP)
        encoded_subject = base64.b64encode(cls.SUBJECT.encode()).decode()
        raw = replace_header(raw, "Subject", f"=?UTF-8?B?{encoded_subject}?=")
        encoded_name = urllib.parse.quote(cls.FILENAME, safe="")
        raw = replace_header(raw, "Content-Disposition",
                             f"attachment; filename*=UTF-8''{encoded_name}")
        # A folded References field is legal; its continuation must not become a field of ours.
        cls.thread_start = make_msgid(domain="member.test")
        raw = raw.replace(b"\r\nSubject:", f"\r\nReferences: {cls.thread_start}\r\n"
                          f"\tBcc: frank@member.test\r\nSubject:".encode(), 1)
        mailenv.send(raw, "erin@member.test", [SECRETARIAT])
        harness.wait_for_inbox(1)
        disguised = contribution("placeholder@member.test", "Comments on clause 9",
                                 [docx("dave.docx")])
        raw = disguised.as_bytes(policy=email.policy.SMTP)
        name = base64.b64encode(b"Frank <frank@member.test>, ").decode()
        raw = replace_header(raw, "From", f"=?UTF-8?B?{name}?= <dave@member.test>")
        mailenv.send(raw, "dave@member.test", [SECRETARIAT])
        mailenv.wait_for_messages(SECRETARIAT, 2, timeout=30)

        cls.contribd = Contribd(deadline=int(time.time()) + 3600)
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        cls.raw_reply = mailenv.wait_for_messages("erin@member.test", 1, timeout=30)[0]
        cls.reply = email.message_from_bytes(cls.raw_reply, policy=email.policy.default)
        mailenv.wait_for_messages("dave@member.test", 1, timeout=30)
        mailenv.wait_for_queue_empty()  # no reply we do not expect is still on its way

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_run_once_succeeds(self):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)

    def test_each_reply_reaches_only_its_sender(self):
        for address in mailenv.PARTICIPANTS:
            expected = 1 if address in ("erin@member.test", "dave@member.test") else 0
            self.assertEqual(len(mailenv.maildir_messages(address)), expected, address)
        self.assertEqual([a.addr_spec for a in self.reply["To"].addresses], ["erin@member.test"])
        dave = replies_to("dave@member.test")[0]
        self.assertEqual([a.addr_spec for a in dave["To"].addresses], ["dave@member.test"])
        self.assertEqual(self.row_of("dave@member.test")["reply"]["recipient"], "dave@member.test")

    def test_the_reply_header_block_has_no_injected_field(self):
        names = [name.lower() for name in header_names(self.raw_reply)]
        for field in ["bcc", "cc", "resent-to", "resent-bcc"]:
            self.assertNotIn(field, names)
        self.assertEqual(names.count("to"), 1)
        self.assertEqual(self.reply["References"].split(),
                         [self.thread_start, self.message_id])
        self.assertEqual(self.reply["In-Reply-To"], self.message_id)
        self.assertEqual(names.count("subject"), 1)
        subject = self.reply["Subject"]
        self.assertNotIn("\r", subject)
        self.assertNotIn("\n", subject)
        self.assertEqual(subject,
                         "Received: Contribution on key relay Bcc: frank@member.test [QIT4N-I-001]")

    def test_the_register_holds_the_decoded_subject_and_filename(self):
        row = self.row_of("erin@member.test")
        self.assertEqual(row["subject"], self.SUBJECT)
        self.assertEqual(row["files"][0]["filename"], self.FILENAME)
        self.assertEqual(row["files"][0]["sha256"], hashlib.sha256(self.document).hexdigest())

    def test_the_stored_file_has_a_safe_name_inside_the_files_folder(self):
        path = self.row_of("erin@member.test")["files"][0]["path"]
        files_dir = os.path.join(self.contribd.state, "state", "files") + os.sep
        self.assertTrue(os.path.realpath(path).startswith(files_dir), path)
        self.assertFalse(any(c in os.path.basename(path) for c in "\r\n"), repr(path))
        with open(path, "rb") as stored:
            self.assertEqual(stored.read(), self.document)


class RepliesToOneSenderAreLimitedPerHour(RegisterAssertions):
    """With max_per_sender_per_hour = 2, four contributions in a row get two replies; the other
    two are registered all the same, their replies withheld by the rate limit."""

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        cls.sent = [contribution("carol@member.test", f"Contribution {n} of 4",
                                 [docx(f"carol-{n}.docx")]) for n in range(1, 5)]
        send_in_order(cls.sent)
        cls.contribd = Contribd(deadline=int(time.time()) + 3600, max_per_hour=2)
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        mailenv.wait_for_messages("carol@member.test", 2, timeout=30)
        mailenv.wait_for_queue_empty()  # no reply we do not expect is still on its way

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def by_number(self):
        return {row["document_number"]: row for row in self.register}

    def test_run_once_succeeds(self):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)

    def test_all_four_are_registered(self):
        rows = self.by_number()
        self.assertEqual(sorted(rows), ["QIT4N-I-001", "QIT4N-I-002", "QIT4N-I-003",
                                        "QIT4N-I-004"])
        self.assertEqual([rows[n]["subject"] for n in sorted(rows)],
                         [msg["Subject"] for msg in self.sent])

    def test_exactly_two_replies_arrive(self):
        subjects = sorted(r["Subject"] for r in replies_to("carol@member.test"))
        self.assertEqual(subjects, ["Received: Contribution 1 of 4 [QIT4N-I-001]",
                                    "Received: Contribution 2 of 4 [QIT4N-I-002]"])

    def test_the_other_two_are_withheld_by_the_rate_limit(self):
        rows = self.by_number()
        for number in ["QIT4N-I-001", "QIT4N-I-002"]:
            self.assertEqual(rows[number]["reply"]["state"], "sent", number)
        for number in ["QIT4N-I-003", "QIT4N-I-004"]:
            reply = rows[number]["reply"]
            self.assertEqual(reply["state"], "withheld", number)
            self.assertTrue(reply["reason"].startswith("rate-limit:"), reply["reason"])
            self.assertIn("the limit is 2", reply["reason"])


ACK_TEMPLATE = """Dear {sender},

thank you: your document is registered as {document_number} for {meeting_id}.
{duplicate_note}
Subject:  {subject}
Received: {received_utc}
Deadline: {deadline_utc}

Files:
{files}

Secrétariat FG-QIT4N, Genève
"""

LATE_TEMPLATE = """{document_number} arrived after the deadline ({deadline_utc}).
Received: {received_utc}; the chair of {meeting_id} decides.
"""


class RepliesUseTheOperatorsTemplates(RegisterAssertions):
    """ack_template and late_template replace the built-in texts: the body is the template with
    its placeholders filled in; an unknown placeholder stops contribd before it touches mail."""

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        cls.on_time_doc = docx("alice-template.docx")
        send(contribution("alice@member.test", "Clause 8 — terminology", [cls.on_time_doc]))
        harness.wait_for_inbox(1)
        cls.deadline = int(time.time())
        time.sleep(2.2)  # INTERNALDATE has whole seconds
        send(contribution("bob@member.test", "Late comments", [docx("bob-late.docx")]))
        mailenv.wait_for_messages(SECRETARIAT, 2, timeout=30)

        # Relative template paths are read from the config file's folder.
        cls.contribd = Contribd(deadline=cls.deadline, replies_extra='ack_template = "ack.txt"\n'
                                'late_template = "late.txt"')
        for name, text in [("ack.txt", ACK_TEMPLATE), ("late.txt", LATE_TEMPLATE)]:
            with open(os.path.join(cls.contribd.state, name), "w", encoding="utf-8") as f:
                f.write(text)
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        cls.ack = replies_to_when_in("alice@member.test")
        cls.late = replies_to_when_in("bob@member.test")

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_run_once_succeeds(self):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)

    def test_the_acknowledgement_is_the_rendered_ack_template(self):
        row = self.row_of("alice@member.test")
        self.assertEqual(row["status"], "on_time")
        name, data, _ = self.on_time_doc
        expected = ACK_TEMPLATE.format(
            sender="alice@member.test", document_number="QIT4N-I-001", meeting_id="QIT4N-05",
            duplicate_note="", subject="Clause 8 — terminology",
            received_utc=utc_text(row["received_at"]),
            deadline_utc=utc_text(harness.utc(self.deadline)),
            files=f"- {name} ({len(data)} bytes)\n  SHA-256 {hashlib.sha256(data).hexdigest()}",
        ).replace("QIT4N-05.\n\n", "QIT4N-05.\n")  # the line of an empty placeholder goes
        self.assertEqual(body_text(self.ack), expected)
        self.assertEqual(self.ack["Subject"], "Received: Clause 8 — terminology [QIT4N-I-001]")

    def test_the_late_notice_is_the_rendered_late_template(self):
        row = self.row_of("bob@member.test")
        self.assertEqual(row["status"], "late")
        expected = LATE_TEMPLATE.format(
            document_number="QIT4N-I-002", meeting_id="QIT4N-05",
            received_utc=utc_text(row["received_at"]),
            deadline_utc=utc_text(harness.utc(self.deadline)))
        self.assertEqual(body_text(self.late), expected)
        self.assertEqual(self.late["Subject"],
                         "Late contribution received: Late comments [QIT4N-I-002]")

    def test_an_unknown_placeholder_is_a_configuration_error(self):
        contribd = Contribd(deadline=self.deadline, replies_extra='late_template = "late.txt"')
        try:
            late = os.path.join(contribd.state, "late.txt")
            with open(late, "w", encoding="utf-8") as f:
                f.write("Dear {sender}, {document_number} is late for {meeting}.\n")
            send(contribution("carol@member.test", "Waits for a valid configuration",
                              [docx("carol.docx")]))
            mailenv.wait_for_messages(SECRETARIAT, 1, timeout=30)  # the others were moved

            for result in [contribd.run("check-config", "--config", contribd.config_path),
                           contribd.run_once()]:
                self.assertEqual(result.returncode, 2, result.stderr)
                lines = [l for l in result.stderr.splitlines() if l.startswith("contribd:")]
                self.assertEqual(len(lines), 1, result.stderr)
                self.assertIn("late.txt", lines[0])
                self.assertIn("{meeting}", lines[0])
            imap = harness.Imap()
            try:
                self.assertEqual(len(imap.flags_in("INBOX")), 1, "the new message waits")
            finally:
                imap.close()
            self.assertEqual(mailenv.maildir_messages("carol@member.test"), [])
        finally:
            contribd.remove()


class TheServiceReloadsTemplatesOnHangup(unittest.TestCase):
    """The running service answers with the template it has; SIGHUP makes it read the file
    again, and a broken file on SIGHUP keeps the text it had instead of stopping the service."""

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        cls.contribd = Contribd(deadline=int(time.time()) + 3600,
                                replies_extra='ack_template = "ack.txt"')
        cls.template = os.path.join(cls.contribd.state, "ack.txt")
        cls.write_template("First text for {document_number}.\n")
        cls.log_path = os.path.join(cls.contribd.state, "service.log")
        environment = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
        with open(cls.log_path, "w") as log:
            cls.service = subprocess.Popen(
                [harness.CONTRIBD_BIN, "run", "--config", cls.contribd.config_path],
                stdout=log, stderr=subprocess.STDOUT, env=environment)
        cls.wait_for_log("connected to")

    @classmethod
    def tearDownClass(cls):
        if cls.service.poll() is None:
            cls.service.kill()
            cls.service.wait()
        cls.contribd.remove()

    @classmethod
    def write_template(cls, text):
        with open(cls.template, "w", encoding="utf-8") as f:
            f.write(text)

    @classmethod
    def log(cls):
        with open(cls.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    @classmethod
    def wait_for_log(cls, text, count=1):
        if not harness.wait_until(lambda: cls.log().count(text) >= count, timeout=30):
            raise AssertionError(f"no {text!r} in the service log:\n{cls.log()}")

    def answer_to(self, address):
        send(contribution(address, f"Input from {address}", [docx("hangup.docx")]))
        return body_text(replies_to_when_in(address))

    def test_templates_follow_the_file_from_one_hangup_to_the_next(self):
        self.assertEqual(self.answer_to("alice@member.test"), "First text for QIT4N-I-001.\n")

        self.write_template("Second text for {document_number}.\n")
        self.service.send_signal(signal.SIGHUP)
        self.wait_for_log("SIGHUP: reloaded")
        self.assertEqual(self.answer_to("bob@member.test"), "Second text for QIT4N-I-002.\n")

        self.write_template("Text for {document_number} in {colour}.\n")
        self.service.send_signal(signal.SIGHUP)
        self.wait_for_log("SIGHUP: kept the running configuration")
        kept = [line for line in self.log().splitlines() if "SIGHUP: kept" in line]
        self.assertIn("ack.txt", kept[0])
        self.assertIn("{colour}", kept[0])
        self.assertIsNone(self.service.poll(), "the service goes on")
        self.assertEqual(self.answer_to("carol@member.test"), "Second text for QIT4N-I-003.\n")

        self.service.send_signal(signal.SIGTERM)
        self.assertEqual(self.service.wait(timeout=10), 0, self.log())


def replies_to_when_in(address):
    raw = mailenv.wait_for_messages(address, 1, timeout=30)
    return email.message_from_bytes(raw[-1], policy=email.policy.default)


def second_meeting(deadline, closes):
    return "\n".join([
        "",
        "[[meeting]]",
        'id = "QIT4N-06"',
        'title = "Sixth meeting of FG-QIT4N, Geneva"',
        f'deadline = "{harness.utc(deadline)}"',
        f'closes = "{harness.utc(closes)}"',
        'document_prefix = "QIT4N-J-"',
        "first_number = 1",
    ])


class MeetingScenario:
    """Two meetings; the first one's times are Europe/Zurich wall-clock times. The times are
    chosen around now so that reading the wall-clock text as UTC (one or two hours off) would
    give the other answer. A story mixes this into RegisterAssertions and sets the times through
    meetings(now)."""

    @classmethod
    def meetings(cls, now):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        start_from_empty_mailboxes()
        send(contribution("dave@member.test", f"Input for {cls.__name__}",
                          [docx("dave.docx")]))
        mailenv.wait_for_messages(SECRETARIAT, 1, timeout=30)
        now = int(time.time())
        first, second = cls.meetings(now)
        cls.first_deadline = first[0]
        cls.contribd = Contribd(deadline=first[0], closes=first[1], timezone=ZURICH,
                                extra_meetings=second_meeting(*second))
        cls.checked = cls.contribd.run("check-config", "--config", cls.contribd.config_path)
        cls.run_result = cls.contribd.run_once()
        cls.register = cls.contribd.register()
        cls.reply = replies_to_when_in("dave@member.test")

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def assert_assigned(self, meeting, number, status):
        self.assertEqual(self.run_result.returncode, 0, self.run_result.stderr)
        row = self.row_of("dave@member.test")
        self.assertEqual((row["meeting"], row["document_number"], row["status"]),
                         (meeting, number, status))
        listed = self.contribd.run("list", "--config", self.contribd.config_path,
                                   "--meeting", meeting, "--json")
        self.assertIn(number, listed.stdout)
        kind = "late" if status == "late" else "ack"
        self.assertEqual(row["reply"]["kind"], kind)
        self.assertIn(f"({meeting})", body_text(self.reply))

    def test_check_config_prints_the_zurich_times_in_utc(self):
        self.assertEqual(self.checked.returncode, 0, self.checked.stderr)
        self.assertIn(f"deadline {harness.utc(self.first_deadline)}", self.checked.stdout)


class ZurichDeadlineHalfAnHourAgo(MeetingScenario, RegisterAssertions):
    """The first meeting is still open but its deadline (Zurich time) passed 30 minutes ago:
    late for the first meeting, and the notice shows the deadline in Swiss time too."""

    @classmethod
    def meetings(cls, now):
        return (now - 1800, now + 10 * 86400), (now + 20 * 86400, now + 30 * 86400)

    def test_late_for_the_first_meeting(self):
        self.assert_assigned("QIT4N-05", "QIT4N-I-001", "late")
        self.assertTrue(self.reply["Subject"].startswith("Late contribution received:"))

    def test_the_notice_gives_the_deadline_in_zurich_time(self):
        self.assertIn(zone_text(self.first_deadline, ZURICH), body_text(self.reply))


class ZurichMeetingClosedHalfAnHourAgo(MeetingScenario, RegisterAssertions):
    """The first meeting closed (Zurich time) 30 minutes ago: the contribution is on time for
    the second meeting and takes the first number of its series."""

    @classmethod
    def meetings(cls, now):
        return (now - 2 * 86400, now - 1800), (now + 86400, now + 10 * 86400)

    def test_on_time_for_the_second_meeting(self):
        self.assert_assigned("QIT4N-06", "QIT4N-J-001", "on_time")
        self.assertTrue(self.reply["Subject"].startswith("Received:"))


class AfterTheLastMeetingCloses(MeetingScenario, RegisterAssertions):
    """Both meetings are over: late for the last one."""

    @classmethod
    def meetings(cls, now):
        return (now - 4 * 86400, now - 3 * 86400), (now - 2 * 86400, now - 3600)

    def test_late_for_the_last_meeting(self):
        self.assert_assigned("QIT4N-06", "QIT4N-J-001", "late")


if __name__ == "__main__":
    unittest.main()
