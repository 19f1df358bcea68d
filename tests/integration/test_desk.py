"""The secretariat's desk on real Dovecot and Postfix, while `contribd run` watches the mailbox:
a person reviews what was held, accepts a list copy (registered with the next number within
seconds, its reply withheld), withdraws a contribution, releases a reply the rate limit held
back and resends one that was lost; every refusal is one line and exit 1; and twenty commands
fired at once while a hundred contributions come in leave the numbers gap-free, every message
in one folder, every withdrawal and every release done once."""

import calendar
import email
import email.policy
import email.utils
import os
import re
import subprocess
import threading
import time
import unittest
from email.utils import make_msgid

import harness
import mailenv
from harness import SECRETARIAT, Contribd, contribution, send
from harness import (RunningDaemon, desk, operator_env, replies_naming, reset_sandbox,
                     rows_by_message_id)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LIST_ID = "FG-QIT4N discussion <qit4n.lists.member.test>"
# One line of `show`'s History: "  2020-07-21 10:00:00 UTC  jane  withdrawn: reason".
HISTORY_LINE = r"(?m)^  [0-9-]+ [0-9:]+ UTC  {actor}  {action}: "


def docx(name):
    """A .docx attachment with unique content, so that no two contributions are duplicates."""
    return (name, os.urandom(3000), DOCX)


def list_copy(sender, subject):
    """A participant's contribution as the group's mailing list hands it on."""
    return contribution(sender, subject, [docx(sender.split("@")[0] + "-list.docx")],
                        headers={"List-Id": LIST_ID})


def bounce():
    """A Postfix-style delivery status notification from MAILER-DAEMON, sent with the null
    envelope sender, whose returned message carried a document. Returns (raw, Message-ID)."""
    returned = contribution(SECRETARIAT, "Input document", [docx("returned.docx")],
                            to="nobody@member.test")
    boundary = "bounce-" + os.urandom(6).hex()
    message_id = make_msgid(domain="member.test")
    raw = "\r\n".join([
        "From: Mail Delivery System <MAILER-DAEMON@member.test>",
        f"To: {SECRETARIAT}",
        "Subject: Undelivered Mail Returned to Sender",
        f"Message-ID: {message_id}",
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
        returned.as_bytes(policy=email.policy.SMTP).decode("ascii").rstrip("\r\n"),
        f"--{boundary}--",
        "",
    ]).encode("ascii")
    return raw, message_id




def message_ids_in(folder):
    """The Message-IDs of every message in the secretariat's FOLDER (a list: a message found
    twice shows twice); a missing folder holds nothing."""
    imap = harness.Imap()
    try:
        status, _ = imap.conn.select(f'"{mailenv.mailbox(folder)}"', readonly=True)
        if status != "OK":
            return []
        status, data = imap.conn.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        return [email.message_from_bytes(item[1])["Message-ID"].strip()
                for item in data if isinstance(item, tuple)]
    finally:
        imap.close()




class DeskStory(unittest.TestCase):
    """What the stories share: how a command's outcome reads, and the daemon in the background."""

    def assertRefused(self, result, words):
        """Exit 1 with one line on stderr, starting "contribd: ", saying WORDS; nothing on
        stdout."""
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith("contribd: "), result.stderr)
        self.assertIn(words, lines[0])

    def assertDone(self, result, words):
        """Exit 0 with one line on stdout saying WORDS."""
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1, result.stdout)
        self.assertIn(words, lines[0])

    @classmethod
    def start_daemon(cls, installation):
        cls.daemon = RunningDaemon(installation)
        if not cls.daemon.wait_for_log("connected to", 30):
            raise AssertionError("contribd did not connect:\n" + cls.daemon.log())

    @classmethod
    def stop_daemon(cls):
        code, seconds = cls.daemon.stop()
        if code != 0:
            print(f"\ncontribd exited {code} after {seconds:.1f} s:\n{cls.daemon.log()}")


class HeldListCopyIsAcceptedWhileTheDaemonWaits(DeskStory):
    """A list copy and a bounce carry documents: both wait in Review, unnumbered and unanswered,
    until a person decides. Accepting the list copy while the daemon sits in IDLE registers it
    with the next number within seconds, without a reply; the bounce stays held."""

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        reset_sandbox()
        cls.person = contribution("alice@member.test", "Proposed text for clause 7",
                                  [docx("alice.docx")])
        cls.list_copy = list_copy("carol@member.test", "[qit4n] Agenda for the e-meeting")
        cls.bounce_raw, cls.bounce_id = bounce()
        send(cls.person)
        harness.wait_for_inbox(1)
        send(cls.list_copy)
        mailenv.send(cls.bounce_raw, "", [SECRETARIAT])
        harness.wait_for_inbox(3)
        # Polling and IDLE renewal every 300 s: only the register's change can wake the daemon
        # within the five seconds the acceptance is given.
        cls.contribd = Contribd(deadline=int(time.time()) + 30 * 86400,
                                imap_overrides={"poll_interval_seconds": 300,
                                                "idle_refresh_seconds": 300})
        cls.start_daemon(cls.contribd)
        mailenv.wait_for_messages("alice@member.test", 1, timeout=30)
        if not harness.wait_until(lambda: len(cls.contribd.review()) == 2, 30):
            raise AssertionError("the list copy and the bounce were not held:\n"
                                 + cls.daemon.log())

    @classmethod
    def tearDownClass(cls):
        cls.stop_daemon()
        cls.contribd.remove()

    def held(self, message_id):
        rows = [row for row in self.contribd.review() if row["message_id"] == message_id]
        self.assertEqual(len(rows), 1, self.contribd.review())
        return rows[0]

    def test_1_list_copy_and_bounce_wait_in_review_unnumbered_and_unanswered(self):
        register = self.contribd.register()
        self.assertEqual([row["document_number"] for row in register], ["QIT4N-I-001"])
        self.assertEqual(register[0]["message_id"], self.person["Message-ID"])

        listed = self.held(self.list_copy["Message-ID"])
        self.assertEqual(listed["cause"], "robot")
        self.assertEqual(listed["state"], "held")
        self.assertTrue(listed["reason"].startswith("list-header: "), listed)
        self.assertIn("qit4n.lists.member.test", listed["reason"])
        self.assertEqual(listed["sender"], "carol@member.test")
        self.assertEqual(listed["folder"], mailenv.mailbox("Review"))
        self.assertEqual(listed["found_in"], "INBOX")
        self.assertEqual(listed["files"], [{"filename": "carol-list.docx", "size": 3000}])
        self.assertIsNone(listed["accepted_by"])

        bounced = self.held(self.bounce_id)
        self.assertEqual(bounced["cause"], "robot")
        self.assertTrue(bounced["reason"].startswith("report: "), bounced)
        self.assertEqual(bounced["files"], [{"filename": "returned.docx", "size": 3000}])

        self.assertEqual(sorted(message_ids_in("Review")),
                         sorted([self.list_copy["Message-ID"], self.bounce_id]))
        self.assertEqual(message_ids_in("INBOX"), [])
        # Alice's acknowledgement went out in the pass that held the two: none for them.
        log = self.daemon.log()
        self.assertIn("sent to alice@member.test", log)
        self.assertNotIn("sent to carol@member.test", log)
        self.assertNotIn("sent to MAILER-DAEMON", log)
        self.assertEqual(harness.replies_to("carol@member.test"), [])

    def test_2_accept_registers_the_list_copy_within_five_seconds_without_a_reply(self):
        # Without angle brackets, as people copy it from `review`.
        message_id = self.list_copy["Message-ID"]
        started = time.monotonic()
        result = desk(self.contribd, "accept", message_id.strip("<>"))
        self.assertDone(result, f"accepted {message_id} from carol@member.test")
        row = harness.wait_until(lambda: rows_by_message_id(self.contribd).get(message_id), 10,
                                 interval=0.05)
        seconds = time.monotonic() - started
        print(f"\naccept -> registered by the running daemon in {seconds:.2f} s")
        self.assertTrue(row, f"not registered:\n{self.daemon.log()}")
        self.assertLess(seconds, 5.0, self.daemon.log())

        self.assertEqual(row["document_number"], "QIT4N-I-002")
        self.assertEqual(row["sender"], "carol@member.test")
        self.assertEqual([f["filename"] for f in row["files"]], ["carol-list.docx"])
        self.assertEqual(row["reply"]["state"], "withheld")
        self.assertTrue(row["reply"]["reason"].startswith("robot"),
                        f"{row['reply']}\n" + "\n".join(
                            line for line in self.daemon.log().splitlines()
                            if "QIT4N-I-002" in line or "carol" in line))

        self.assertTrue(harness.wait_until(
            lambda: message_id in message_ids_in("Registered"), 10), self.daemon.log())
        self.assertEqual(message_ids_in("Review"), [self.bounce_id])
        self.assertEqual(self.held(self.bounce_id)["state"], "held")
        self.assertEqual([row["message_id"] for row in self.contribd.review()], [self.bounce_id])
        self.assertIn("registered QIT4N-I-002 from carol@member.test", self.daemon.log())
        self.assertNotIn("sent to carol@member.test", self.daemon.log())

    def test_3_accepting_the_same_message_again_is_refused(self):
        result = desk(self.contribd, "accept", self.list_copy["Message-ID"])
        self.assertRefused(result, f"{self.list_copy['Message-ID']}: not a held message")
        self.assertEqual(len(self.contribd.register()), 2)

    def test_4_unknown_message_id_and_unknown_meeting_are_refused(self):
        self.assertRefused(desk(self.contribd, "accept", "<nobody@nowhere.test>"),
                           "<nobody@nowhere.test>: not a held message")
        self.assertRefused(desk(self.contribd, "accept", self.bounce_id, "--meeting", "QIT4N-99"),
                           "QIT4N-99: no such meeting")
        self.assertEqual(self.held(self.bounce_id)["state"], "held")
        self.assertEqual(len(self.contribd.register()), 2)
        self.assertTrue(self.daemon.running())


class WithdrawnNumberStaysTaken(DeskStory):
    """Withdrawal is a mark in the register, kept with who made it and why: `list --json` and
    `show` say so, the number is not handed out again, and a second withdrawal is refused."""

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        reset_sandbox()
        cls.contribd = Contribd(deadline=int(time.time()) + 30 * 86400)
        for sender in ("alice@member.test", "bob@member.test"):
            send(contribution(sender, f"Input from {sender}", [docx("input.docx")]))
            harness.wait_for_inbox(1)
            result = cls.contribd.run_once()
            if result.returncode != 0:
                raise AssertionError(result.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def test_1_withdraw_is_listed_and_shown_with_who_and_why(self):
        before = int(time.time())
        result = desk(self.contribd, "withdraw", "QIT4N-I-001", "--reason",
                      "sent to the wrong group", user="secretariat-jane")
        self.assertDone(result, "withdrew QIT4N-I-001")
        rows = {row["document_number"]: row for row in self.contribd.register()}
        withdrawn = rows["QIT4N-I-001"]["withdrawn"]
        self.assertEqual(withdrawn["reason"], "sent to the wrong group")
        at = calendar.timegm(time.strptime(withdrawn["at"], "%Y-%m-%dT%H:%M:%SZ"))
        self.assertLessEqual(abs(at - before), 5, withdrawn)
        self.assertIsNone(rows["QIT4N-I-002"]["withdrawn"])

        shown = self.contribd.run("show", "--config", self.contribd.config_path, "QIT4N-I-001")
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertRegex(shown.stdout,
                         r"(?m)^Withdrawn: +[0-9-]+ [0-9:]+ UTC \(sent to the wrong group\)$")
        history = shown.stdout.split("History", 1)[-1]
        self.assertRegex(history, HISTORY_LINE.format(actor="secretariat-jane", action="withdrawn")
                         + "sent to the wrong group$")

    def test_2_second_withdrawal_is_refused(self):
        result = desk(self.contribd, "withdraw", "QIT4N-I-001", "--reason", "again",
                      user="secretariat-joe")
        self.assertRefused(result, "QIT4N-I-001 was withdrawn already")
        row = self.contribd.register()[0]
        self.assertEqual(row["withdrawn"]["reason"], "sent to the wrong group")
        shown = self.contribd.run("show", "--config", self.contribd.config_path, "QIT4N-I-001")
        self.assertEqual(shown.stdout.count(" withdrawn"), 1, shown.stdout)
        self.assertNotIn("secretariat-joe", shown.stdout)

    def test_3_unknown_number_is_refused(self):
        self.assertRefused(desk(self.contribd, "withdraw", "QIT4N-I-404"),
                           "QIT4N-I-404: no such contribution")

    def test_3_malformed_number_is_refused_as_typed(self):
        result = desk(self.contribd, "withdraw", "QIT4N-I-1")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr,
                         'contribd withdraw: "QIT4N-I-1" is not a document number (a prefix and '
                         'at least three digits, such as QIT4N-I-007)\n')
        self.assertIsNone(self.contribd.register()[1]["withdrawn"])

    def test_4_the_withdrawn_number_is_not_given_again(self):
        send(contribution("carol@member.test", "After the withdrawal", [docx("late.docx")]))
        harness.wait_for_inbox(1)
        self.assertEqual(self.contribd.run_once().returncode, 0)
        numbers = [row["document_number"] for row in self.contribd.register()]
        self.assertEqual(numbers, ["QIT4N-I-001", "QIT4N-I-002", "QIT4N-I-003"])


class WithheldReplyIsReleasedAndALostOneResent(DeskStory):
    """One reply per sender and hour: alice's second contribution is registered with its reply
    withheld. `release` has the running daemon send it, once; `resend` sends a second copy of
    a reply already sent, with its own Message-ID. Rate limits do not apply to either."""

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        reset_sandbox()
        cls.contribd = Contribd(deadline=int(time.time()) + 30 * 86400, max_per_hour=1,
                                imap_overrides={"poll_interval_seconds": 300,
                                                "idle_refresh_seconds": 300})
        cls.start_daemon(cls.contribd)
        for index in (1, 2):
            send(contribution("alice@member.test", f"Contribution {index}",
                              [docx(f"c{index}.docx")]))
        if not harness.wait_until(lambda: len(cls.contribd.register()) == 2, 30):
            raise AssertionError("not registered:\n" + cls.daemon.log())
        states = {row["reply"]["state"]: row["document_number"]
                  for row in cls.contribd.register()}
        cls.withheld = states.get("withheld")
        cls.acknowledged = states.get("queued", states.get("sent"))
        mailenv.wait_for_messages("alice@member.test", 1, timeout=30)

    @classmethod
    def tearDownClass(cls):
        cls.stop_daemon()
        cls.contribd.remove()

    def rows(self):
        return {row["document_number"]: row for row in self.contribd.register()}

    def test_1_release_sends_the_withheld_reply_exactly_once(self):
        self.assertTrue(harness.wait_until(
            lambda: sorted(row["reply"]["state"] for row in self.rows().values())
            == ["sent", "withheld"], 10), self.rows())
        rows = self.rows()
        number = self.withheld
        self.assertTrue(rows[number]["reply"]["reason"].startswith("rate-limit"), rows[number])
        self.assertEqual(replies_naming("alice@member.test", number), [])

        started = time.monotonic()
        self.assertDone(desk(self.contribd, "release", number),
                        f"released the reply about {number} to alice@member.test")
        arrived = harness.wait_until(lambda: replies_naming("alice@member.test", number), 30,
                                     interval=0.1)
        print(f"\nrelease -> reply in alice's INBOX in {time.monotonic() - started:.2f} s")
        self.assertTrue(arrived, self.daemon.log())
        # Recorded as sent once and handed to Postfix once, and so delivered once.
        self.assertTrue(harness.wait_until(
            lambda: self.rows()[number]["reply"]["state"] == "sent", 10), self.rows()[number])
        self.assertEqual(self.daemon.log().count(f"({number}) sent to alice@member.test"), 1,
                         self.daemon.log())
        self.assertEqual(len(replies_naming("alice@member.test", number)), 1)
        self.assertEqual(len(harness.replies_to("alice@member.test")), 2)

    def test_2_second_release_and_unknown_number_are_refused(self):
        self.assertRefused(desk(self.contribd, "release", self.withheld),
                           f"{self.withheld}: no reply is withheld")
        self.assertRefused(desk(self.contribd, "release", "QIT4N-I-404"),
                           "QIT4N-I-404: no such contribution")
        # An acknowledged contribution has nothing withheld either.
        self.assertRefused(desk(self.contribd, "release", self.acknowledged),
                           f"{self.acknowledged}: no reply is withheld")

    def test_3_resend_delivers_a_second_copy_with_another_message_id(self):
        number = self.acknowledged
        self.assertEqual(self.rows()[number]["reply"]["state"], "sent")
        self.assertEqual(len(replies_naming("alice@member.test", number)), 1)
        self.assertDone(desk(self.contribd, "resend", number),
                        f"queued the reply about {number} to alice@member.test again")
        self.assertTrue(harness.wait_until(
            lambda: len(replies_naming("alice@member.test", number)) == 2, 30,
            interval=0.1), self.daemon.log())
        copies = replies_naming("alice@member.test", number)
        self.assertNotEqual(copies[0]["Message-ID"], copies[1]["Message-ID"])
        self.assertEqual(str(copies[0]["Subject"]), str(copies[1]["Subject"]))
        self.assertEqual(copies[0]["In-Reply-To"], copies[1]["In-Reply-To"])
        self.assertEqual(self.daemon.log().count(f"({number}) sent to alice@member.test"), 2)

    def test_4_resend_of_an_unknown_number_is_refused(self):
        self.assertRefused(desk(self.contribd, "resend", "QIT4N-I-404"),
                           "QIT4N-I-404: no such contribution")


class TwentyCommandsWhileAHundredContributionsComeIn(DeskStory):
    """The register is the meeting point of the daemon and the desk: while the daemon registers
    a hundred contributions, twenty commands from separate processes accept held list copies,
    withdraw numbers as they appear (two of them twice) and release withheld replies (one
    twice). Afterwards the numbers run 1..N without a gap, every message is in exactly one
    folder, and each withdrawal and release happened once."""

    SENDERS = ["alice@member.test", "bob@member.test", "carol@member.test", "dave@member.test",
               "erin@member.test"]
    INCOMING = 100
    FRANKS = 6      # registered before the daemon starts; beyond 2 their replies are withheld
    LIST_COPIES = 5  # held before the daemon starts; 4 are accepted, 1 stays held

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        reset_sandbox()
        cls.contribd = Contribd(deadline=int(time.time()) + 30 * 86400, max_per_hour=2,
                                imap_overrides={"poll_interval_seconds": 300,
                                                "idle_refresh_seconds": 300})
        cls.list_copies = [list_copy(sender, f"[qit4n] Draft {index}")
                           for index, sender in enumerate(cls.SENDERS)]
        for msg in cls.list_copies:
            send(msg)
        for index in range(cls.FRANKS):
            send(contribution("frank@member.test", f"Frank's input {index}",
                              [docx(f"frank{index}.docx")]))
        harness.wait_for_inbox(cls.LIST_COPIES + cls.FRANKS)
        result = cls.contribd.run_once()
        if result.returncode != 0:
            raise AssertionError(result.stderr)
        cls.franks_withheld = [row["document_number"] for row in cls.contribd.register()
                               if row["reply"]["state"] == "withheld"]
        if len(cls.franks_withheld) != cls.FRANKS - 2:
            raise AssertionError(f"expected {cls.FRANKS - 2} withheld: {cls.contribd.register()}")
        cls.start_daemon(cls.contribd)

    @classmethod
    def tearDownClass(cls):
        cls.stop_daemon()
        cls.contribd.remove()

    def send_incoming(self, sent):
        for index in range(self.INCOMING):
            sender = self.SENDERS[index % len(self.SENDERS)]
            msg = contribution(sender, f"Contribution {index}", [docx(f"in{index}.docx")])
            send(msg)
            sent.append(msg["Message-ID"])

    def registered_beyond(self, count):
        register = self.contribd.register()
        return register if len(register) >= count else None

    def test_numbers_folders_withdrawals_and_releases_after_the_rush(self):
        started = time.monotonic()
        sent = []
        sender = threading.Thread(target=self.send_incoming, args=(sent,))
        sender.start()
        try:
            # Fire once a dozen of the hundred are registered, while the rest still come in.
            before = {row["document_number"] for row in self.contribd.register()}
            rows = harness.wait_until(lambda: self.registered_beyond(len(before) + 12), 60,
                                      interval=0.1)
            self.assertTrue(rows, self.daemon.log())
            fresh = [row for row in rows if row["document_number"] not in before]
            registered_at_fire = len(rows)

            accepted = [msg["Message-ID"] for msg in self.list_copies[:4]]
            kept = self.list_copies[4]["Message-ID"]
            withdrawn = [row["document_number"] for row in fresh[:8]]
            fresh_withheld = [row["document_number"] for row in fresh
                              if row["reply"]["state"] == "withheld"]
            self.assertTrue(fresh_withheld, fresh)
            released = self.franks_withheld + fresh_withheld[:1]
            commands = ([("accept", message_id) for message_id in accepted] +
                        [("withdraw", number, "--reason", f"first ask {number}")
                         for number in withdrawn] +
                        [("withdraw", number, "--reason", f"second ask {number}")
                         for number in withdrawn[:2]] +
                        [("release", number) for number in released] +
                        [("release", released[0])])
            self.assertEqual(len(commands), 20)
            processes = [subprocess.Popen(
                [harness.CONTRIBD_BIN, args[0], "--config", self.contribd.config_path, *args[1:]],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env=operator_env(f"desk-{index}")) for index, args in enumerate(commands)]
            outcomes = []
            for index, (args, process) in enumerate(zip(commands, processes)):
                out, err = process.communicate(timeout=60)
                outcomes.append((index, args, process.returncode, out, err))
            commands_done = time.monotonic() - started
        finally:
            sender.join()

        total = self.FRANKS + self.INCOMING + len(accepted)

        def settled():
            return (len(self.contribd.register()) == total and not message_ids_in("INBOX")
                    and len(message_ids_in("Registered")) == total)

        self.assertTrue(harness.wait_until(settled, 90, interval=0.5),
                        f"{len(self.contribd.register())} registered of {total}, "
                        f"{len(message_ids_in('INBOX'))} in INBOX:\n{self.daemon.log()[-4000:]}")
        register = self.contribd.register()
        print(f"\n20 commands fired with {registered_at_fire} of {total} registered, all answered "
              f"{commands_done:.1f} s into the story; everything settled after "
              f"{time.monotonic() - started:.1f} s")
        self.assertLess(registered_at_fire, total, "the commands did not meet the intake")

        # Every command did what it said, or was refused for the one reason expected: of two
        # withdrawals or releases of one number, exactly one was done.
        refusals = [(args, code, err) for _, args, code, _, err in outcomes if code != 0]
        self.assertEqual(len(refusals), 3, outcomes)
        self.assertEqual(sorted(args[:2] for args, _, _ in refusals),
                         sorted([("withdraw", withdrawn[0]), ("withdraw", withdrawn[1]),
                                 ("release", released[0])]), refusals)
        for args, code, err in refusals:
            self.assertEqual(code, 1, err)
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertTrue(err.startswith("contribd: "), err)
            self.assertRegex(err, "was withdrawn already|no reply is withheld")
        for _, args, code, out, err in outcomes:
            if code == 0:
                self.assertEqual((len(out.splitlines()), err), (1, ""), (args, out, err))

        # Numbers 1..N without a gap, each message once.
        numbers = [row["document_number"] for row in register]
        self.assertEqual(numbers, [f"QIT4N-I-{n:03}" for n in range(1, total + 1)])
        message_ids = [row["message_id"] for row in register]
        self.assertEqual(len(set(message_ids)), total)
        self.assertLessEqual(set(sent) | set(accepted), set(message_ids))

        # Every message in exactly one folder: registered ones in Registered, one list copy in
        # Review, nothing left in the INBOX.
        self.assertEqual(sorted(message_ids_in("Registered")), sorted(message_ids))
        self.assertEqual(message_ids_in("Review"), [kept])
        self.assertEqual(message_ids_in("INBOX"), [])
        self.assertEqual([row["message_id"] for row in self.contribd.review()], [kept])

        rows = {row["document_number"]: row for row in register}

        # Each withdrawal recorded once, with the reason and the person of the command done.
        self.assertEqual(sorted(number for number, row in rows.items() if row["withdrawn"]),
                         sorted(withdrawn))
        for index, args, code, _, _ in outcomes:
            if args[0] != "withdraw" or code != 0:
                continue
            number, reason = args[1], args[3]
            self.assertEqual(rows[number]["withdrawn"]["reason"], reason)
            shown = self.contribd.run("show", "--config", self.contribd.config_path, number)
            history = shown.stdout.split("History", 1)[-1]
            withdrawals = HISTORY_LINE.format(actor=r"(\S+)", action="withdrawn")
            self.assertEqual(re.findall(withdrawals, history),
                             [f"desk-{index}"], shown.stdout)

        # Each released reply sent once and delivered once.
        def all_sent():
            now = {row["document_number"]: row for row in self.contribd.register()}
            return all(now[number]["reply"]["state"] == "sent" for number in released)

        self.assertTrue(harness.wait_until(all_sent, 30), self.daemon.log()[-4000:])
        log = self.daemon.log()
        for number in released:
            recipient = rows[number]["sender"]
            self.assertEqual(log.count(f"({number}) sent to {recipient}"), 1, number)
            self.assertTrue(harness.wait_until(lambda: replies_naming(recipient, number), 30),
                            f"no reply about {number} for {recipient}")
            self.assertEqual(len(replies_naming(recipient, number)), 1, number)
        self.assertTrue(self.daemon.running())
        self.assertLess(time.monotonic() - started, 150)

        # The accepted list copies are registered without a reply.
        by_message_id = {row["message_id"]: row for row in register}
        for message_id in accepted:
            reply = by_message_id[message_id]["reply"]
            self.assertEqual(reply["state"], "withheld", reply)
            self.assertTrue(reply["reason"].startswith("robot"), reply)

if __name__ == "__main__":
    unittest.main()
