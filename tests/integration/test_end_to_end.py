"""The whole path of a contribution on a real IMAP server (Dovecot, or Cyrus with
MAILENV_SERVER=cyrus) and Postfix: participants send documents before and after the deadline,
contribd registers them, answers each sender once, leaves mail without attachment to people,
puts the processed folder where the server allows it, and a second pass changes nothing."""

import hashlib
import os
import time
import unittest

import harness
import mailenv
from harness import SECRETARIAT, Contribd, contribution, replies_to, send

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ContributionsAreRegisteredAndAnswered(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()
        harness.reset_mailboxes()
        cls.alice_doc = os.urandom(40_000)
        cls.bob_pdf = os.urandom(12_345) + b"\x00\r\n.\r\n"
        cls.carol_doc = os.urandom(70_001)
        on_time = [
            contribution("Alice Example <alice@member.test>", "Proposed text for clause 7",
                         [("QIT4N-alice.docx", cls.alice_doc, DOCX)]),
            contribution("bob@member.test", "Use cases for QKD networks",
                         [("bob-use-cases.pdf", cls.bob_pdf, "application/pdf")],
                         headers={"Reply-To": "Bob Reply <frank@member.test>"}),
            contribution("dave@member.test", "Question about registration", []),
        ]
        cls.sent = {}
        for msg in on_time:
            send(msg)
            cls.sent[msg["From"]] = msg
        mailenv.wait_for_messages(SECRETARIAT, 3, timeout=30)
        harness.wait_for_inbox(3)
        # INTERNALDATE has whole seconds: the deadline is this second, and the late message
        # arrives at least two seconds later.
        cls.deadline = int(time.time())
        time.sleep(2.2)
        late = contribution("carol@member.test", "Late input on security",
                            [("carol.docx", cls.carol_doc, DOCX)])
        send(late)
        cls.sent[late["From"]] = late
        mailenv.wait_for_messages(SECRETARIAT, 4, timeout=30)

        cls.contribd = Contribd(deadline=cls.deadline)
        cls.first_run = cls.contribd.run_once()
        cls.register = cls.contribd.register()

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    def by_sender(self, sender):
        rows = [row for row in self.register if row["sender"] == sender]
        self.assertEqual(len(rows), 1, f"{sender}: {rows}")
        return rows[0]

    def test_run_once_succeeds(self):
        self.assertEqual(self.first_run.returncode, 0, self.first_run.stderr)

    def test_on_time_and_late_contributions_get_consecutive_numbers(self):
        numbers = sorted(row["document_number"] for row in self.register)
        self.assertEqual(numbers, ["QIT4N-I-001", "QIT4N-I-002", "QIT4N-I-003"])
        self.assertEqual(self.by_sender("alice@member.test")["status"], "on_time")
        self.assertEqual(self.by_sender("bob@member.test")["status"], "on_time")
        carol = self.by_sender("carol@member.test")
        self.assertEqual(carol["status"], "late")
        self.assertEqual(carol["document_number"], "QIT4N-I-003")
        self.assertEqual(carol["meeting"], "QIT4N-05")

    def test_files_are_stored_byte_exact(self):
        for sender, name, data in [("alice@member.test", "QIT4N-alice.docx", self.alice_doc),
                                   ("bob@member.test", "bob-use-cases.pdf", self.bob_pdf),
                                   ("carol@member.test", "carol.docx", self.carol_doc)]:
            files = self.by_sender(sender)["files"]
            self.assertEqual(len(files), 1)
            self.assertEqual(files[0]["filename"], name)
            self.assertEqual(files[0]["size"], len(data))
            self.assertEqual(files[0]["sha256"], hashlib.sha256(data).hexdigest())
            with open(files[0]["path"], "rb") as stored:
                self.assertEqual(stored.read(), data)
            self.assertTrue(files[0]["path"].startswith(self.contribd.state))

    def test_each_sender_gets_exactly_one_reply_of_the_right_kind(self):
        expected = {
            "alice@member.test": ("Received: Proposed text for clause 7", "ack"),
            "frank@member.test": ("Received: Use cases for QKD networks", "ack"),  # Reply-To
            "carol@member.test": ("Late contribution received: Late input on security", "late"),
        }
        for address, (subject_start, kind) in expected.items():
            replies = mailenv.wait_for_messages(address, 1, timeout=30)
            self.assertEqual(len(replies), 1, address)
            reply = replies_to(address)[0]
            self.assertTrue(reply["Subject"].startswith(subject_start), reply["Subject"])
            row = [r for r in self.register if r["reply"]["recipient"] == address][0]
            self.assertIn(f"[{row['document_number']}]", reply["Subject"])
            self.assertEqual(row["reply"]["kind"], kind)
            self.assertEqual(row["reply"]["state"], "sent")
            body = reply.get_body(preferencelist=("plain",)).get_content()
            self.assertIn(row["document_number"], body)
            self.assertIn(row["files"][0]["sha256"], body)
        self.assertEqual(replies_to("bob@member.test"), [], "Reply-To wins over From")

    def test_replies_carry_the_headers_of_an_automatic_answer(self):
        original = self.sent["Alice Example <alice@member.test>"]
        reply = replies_to("alice@member.test")[0]
        self.assertEqual(reply["Auto-Submitted"], "auto-replied")
        self.assertEqual(reply["In-Reply-To"], original["Message-ID"])
        self.assertIn(original["Message-ID"], reply["References"])
        self.assertTrue(reply["Message-ID"])
        self.assertNotEqual(reply["Message-ID"], original["Message-ID"])
        self.assertIn(SECRETARIAT, reply["From"])
        self.assertEqual(reply["To"].addresses[0].addr_spec, "alice@member.test")

    def test_message_without_attachment_is_left_unread_and_unanswered(self):
        imap = harness.Imap()
        try:
            inbox = imap.flags_in("INBOX")
            registered = imap.flags_in("Registered")
        finally:
            imap.close()
        dave = self.sent["dave@member.test"]["Message-ID"]
        self.assertEqual(list(inbox), [dave])
        self.assertNotIn("\\Seen", inbox[dave])
        self.assertNotIn(dave, registered)
        self.assertEqual(replies_to("dave@member.test"), [])
        self.assertEqual(self.by_register_count(), 3)

    def by_register_count(self):
        return len(self.register)

    def test_registered_messages_sit_in_the_processed_folder(self):
        imap = harness.Imap()
        try:
            registered = imap.flags_in("Registered")
        finally:
            imap.close()
        expected = {self.sent[key]["Message-ID"] for key in
                    ["Alice Example <alice@member.test>", "bob@member.test", "carol@member.test"]}
        self.assertEqual(set(registered), expected)

    def test_processed_folder_is_placed_where_the_server_allows(self):
        # Cyrus keeps personal folders below "INBOX." (NAMESPACE); Dovecot takes the name.
        imap = harness.Imap()
        try:
            _, listing = imap.conn.list()
        finally:
            imap.close()
        names = {harness.folder_name(line) for line in listing}
        self.assertIn(mailenv.mailbox("Registered"), names)
        placed = 'processed_folder "Registered" is "INBOX.Registered" on this server'
        if mailenv.SERVER == "cyrus":
            self.assertNotIn("Registered", names)
            self.assertIn(placed, self.first_run.stderr)
        else:
            self.assertNotIn(placed, self.first_run.stderr)

    def test_z_second_run_changes_nothing(self):
        mailenv.wait_for_messages("carol@member.test", 1, timeout=30)
        again = self.contribd.run_once()
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(self.contribd.register(), self.register)
        mailenv.wait_for_queue_empty()  # a second reply would be delivered by now
        for address in ["alice@member.test", "frank@member.test", "carol@member.test"]:
            self.assertEqual(len(mailenv.maildir_messages(address)), 1, address)
        self.assertEqual(mailenv.maildir_messages("dave@member.test"), [])

    def test_show_prints_one_contribution_and_fails_for_unknown_numbers(self):
        shown = self.contribd.run("show", "--config", self.contribd.config_path, "QIT4N-I-001")
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("QIT4N-I-001", shown.stdout)
        missing = self.contribd.run("show", "--config", self.contribd.config_path, "QIT4N-I-999")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("QIT4N-I-999", missing.stderr)


class StartupProblemsEndInOneClearLine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()

    def run_with(self, **imap_overrides):
        contribd = Contribd(deadline=int(time.time()), imap_overrides=imap_overrides)
        try:
            return contribd.run_once()
        finally:
            contribd.remove()

    def assert_one_line_failure(self, result, *fragments):
        self.assertNotEqual(result.returncode, 0)
        lines = [line for line in result.stderr.splitlines() if line.startswith("contribd:")]
        self.assertEqual(len(lines), 1, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        self.assertNotIn("terminate called", result.stderr)

    def test_wrong_password(self):
        wrong = os.path.join(mailenv.DIR, "wrong.password")
        with open(wrong, "w") as f:
            f.write("not-the-password")
        result = self.run_with(password_file=wrong)
        self.assert_one_line_failure(result, "127.0.0.1", "tsbfgqit4n@itu.test")
        self.assertNotIn("not-the-password", result.stderr)

    def test_wrong_ca(self):
        result = self.run_with(ca_file=mailenv.WRONG_CA)
        self.assert_one_line_failure(result, f"127.0.0.1:{mailenv.IMAPS_PORT}", "certificate")

    def test_closed_port(self):
        result = self.run_with(port=1)
        self.assert_one_line_failure(result, "127.0.0.1:1")

    def test_unknown_config_key_is_a_config_error(self):
        contribd = Contribd(deadline=int(time.time()), imap_overrides={"colour": "blue"})
        try:
            result = contribd.run("check-config", "--config", contribd.config_path)
            self.assertEqual(result.returncode, 2)
            self.assertIn("imap.colour: unknown key", result.stderr)
            valid = Contribd(deadline=int(time.time()))
            checked = valid.run("check-config", "--config", valid.config_path)
            valid.remove()
            self.assertEqual(checked.returncode, 0, checked.stderr)
        finally:
            contribd.remove()

    @unittest.skipUnless(mailenv.SERVER == "cyrus", "Dovecot lets the user create any folder")
    def test_refused_folder_says_what_to_write(self):
        # Another user's folder: Cyrus refuses the CREATE (NO Permission denied).
        result = self.run_with(processed_folder="user.someone.Registered")
        self.assert_one_line_failure(result, 'CREATE "user.someone.Registered" failed',
                                     "imap.processed_folder")

    def test_check_config_says_where_plain_folder_names_go(self):
        contribd = Contribd(deadline=int(time.time()))
        try:
            checked = contribd.run("check-config", "--config", contribd.config_path)
        finally:
            contribd.remove()
        self.assertEqual(checked.returncode, 0, checked.stderr)
        lines = [line for line in checked.stdout.splitlines() if "personal namespace" in line]
        self.assertEqual(len(lines), 1, checked.stdout)
        self.assertIn('processed_folder = "INBOX.Registered"', lines[0])

    def test_missing_password_file_is_a_config_error(self):
        result = self.run_with(password_file="/nonexistent/imap-password")
        self.assertEqual(result.returncode, 2)
        self.assertIn("imap.password_file", result.stderr)
        self.assertIn("/nonexistent/imap-password", result.stderr)


if __name__ == "__main__":
    unittest.main()
