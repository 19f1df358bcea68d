"""Revisions and cover sheets on real Dovecot and Postfix (SPEC steps 8 to 10): a participant
sends a document in the group's template, answers contribd's acknowledgement with a corrected
file (Rev.1, stored under rev1/, the reply names Rev.1), sends the same file again (a duplicate),
writes the number in a new subject (Rev.2); another participant answering the same
acknowledgement, or naming the number, gets a new number; a revision of a withdrawn
contribution is held; a .docx without the template gets the one paragraph asking for it."""

import email.policy
import hashlib
import os
import time
import unittest

import harness
import mailenv
from documents import DOCX, plain_document, template_document
from harness import SECRETARIAT, Contribd, contribution, send

TEMPLATE_URL = "https://www.itu.int/en/ITU-T/focusgroups/qit4n/Pages/default.aspx"
ALICE = "alice@member.test"
BOB = "bob@member.test"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class RevisionsAndCoverSheets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()
        harness.reset_mailboxes()
        cls.contribd = Contribd(deadline=int(time.time()) + 86400,
                                extra_meetings=f'\n[publish]\nbase_template_url = "{TEMPLATE_URL}"\n')

    @classmethod
    def tearDownClass(cls):
        cls.contribd.remove()

    # --- helpers ---

    def deliver_and_run(self, msg):
        send(msg)
        mailenv.wait_for_messages(SECRETARIAT, 1, timeout=30)
        harness.wait_for_inbox(1)
        result = self.contribd.run_once()
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def newest_reply(self, address, count):
        raws = mailenv.wait_for_messages(address, count, timeout=30)
        return email.message_from_bytes(raws[-1], policy=email.policy.default)

    def row(self, number):
        rows = [row for row in self.contribd.register() if row["document_number"] == number]
        self.assertEqual(len(rows), 1, rows)
        return rows[0]

    # --- the story: each step builds on the one before, so they run in order in one test ---

    def test_the_story_of_one_contribution_and_its_revisions(self):
        steps = sorted(name for name in dir(self) if name.startswith("step_"))
        self.assertEqual(len(steps), 8)
        for step in steps:
            with self.subTest(step=step):
                getattr(self, step)()


    def step_1_template_document_is_registered_with_its_cover_sheet(self):
        self.v1 = template_document("Key relay in QKD networks", "Alice Labs", "v1")
        self.deliver_and_run(contribution(ALICE, "Key relay", [("key-relay.docx", self.v1, DOCX)]))
        row = self.row("QIT4N-I-001")
        self.assertEqual(row["title"], "Key relay in QKD networks")
        self.assertEqual(row["source"], "Alice Labs")
        self.assertEqual(row["purpose"], "Discussion")
        self.assertEqual(row["keywords"], "QKD; key relay")
        self.assertEqual(row["template"], "itu")
        self.assertEqual(len(row["contacts"]), 1)
        self.assertEqual(row["contacts"][0]["email"], ALICE)
        self.assertEqual(row["contacts"][0]["name"], "Alice Example")
        self.assertEqual(row["revisions"], [])
        ack = self.newest_reply(ALICE, 1)
        self.assertEqual(ack["Subject"], "Received: Key relay [QIT4N-I-001]")
        body = ack.get_content()
        self.assertIn("Title:    Key relay in QKD networks", body)
        self.assertIn("Source:   Alice Labs", body)
        self.assertNotIn("base document template", body)
        self.ack = ack

    def step_2_answer_to_the_acknowledgement_is_revision_one(self):
        self.v2 = template_document("Key relay in QKD networks", "Alice Labs", "v2")
        answer = contribution(ALICE, "Re: " + self.ack["Subject"],
                              [("key-relay-corrected.docx", self.v2, DOCX)],
                              headers={"In-Reply-To": self.ack["Message-ID"],
                                       "References": self.ack["Message-ID"]})
        self.deliver_and_run(answer)
        row = self.row("QIT4N-I-001")
        self.assertEqual(len(row["revisions"]), 1, row)
        revision = row["revisions"][0]
        self.assertEqual(revision["revision"], 1)
        self.assertEqual(revision["status"], "on_time")
        self.assertEqual(revision["message_id"], answer["Message-ID"])
        stored = revision["files"][0]
        self.assertEqual(stored["sha256"], sha256(self.v2))
        self.assertEqual(os.path.basename(os.path.dirname(stored["path"])), "rev1")
        self.assertEqual(os.path.basename(os.path.dirname(os.path.dirname(stored["path"]))),
                         "QIT4N-I-001")
        with open(stored["path"], "rb") as f:
            self.assertEqual(f.read(), self.v2)
        # The original stays what it was.
        self.assertEqual(row["files"][0]["sha256"], sha256(self.v1))
        self.assertEqual(revision["reply"]["kind"], "ack")
        self.assertEqual(len(self.contribd.register()), 1, "no new number")
        reply = self.newest_reply(ALICE, 2)
        self.assertEqual(reply["Subject"], "Received: Key relay [QIT4N-I-001 Rev.1]")
        self.assertIn("QIT4N-I-001 Rev.1", reply.get_content())
        self.rev1_reply = reply

    def step_3_the_same_file_again_is_a_duplicate_of_the_latest_revision(self):
        again = contribution(ALICE, "Re: " + self.rev1_reply["Subject"],
                             [("key-relay-corrected.docx", self.v2, DOCX)],
                             headers={"In-Reply-To": self.rev1_reply["Message-ID"]})
        self.deliver_and_run(again)
        row = self.row("QIT4N-I-001")
        self.assertEqual(len(row["revisions"]), 1, "not registered twice")
        self.assertEqual(len(self.contribd.register()), 1)
        reply = self.newest_reply(ALICE, 3)
        self.assertIn("registered then under QIT4N-I-001", reply.get_content())

    def step_4_another_sender_answering_the_same_acknowledgement_gets_a_new_number(self):
        document = template_document("Comments on key relay", "Bob Inc", "bob")
        answer = contribution(BOB, "Re: " + self.ack["Subject"], [("bob.docx", document, DOCX)],
                              headers={"In-Reply-To": self.ack["Message-ID"]})
        self.deliver_and_run(answer)
        self.assertEqual(self.row("QIT4N-I-002")["sender"], BOB)
        self.assertEqual(len(self.row("QIT4N-I-001")["revisions"]), 1)

    def step_5_a_subject_tag_makes_revision_two(self):
        self.v3 = template_document("Key relay in QKD networks, revised", "Alice Labs",
                                              "v3")
        self.deliver_and_run(contribution(ALICE, "Updated text [QIT4N-I-001]",
                                          [("key-relay-v3.docx", self.v3, DOCX)]))
        row = self.row("QIT4N-I-001")
        self.assertEqual([r["revision"] for r in row["revisions"]], [1, 2])
        self.assertEqual(os.path.basename(os.path.dirname(row["revisions"][1]["files"][0]["path"])),
                         "rev2")
        # The meeting sees the latest cover sheet.
        self.assertEqual(row["title"], "Key relay in QKD networks, revised")
        reply = self.newest_reply(ALICE, 4)
        self.assertEqual(reply["Subject"], "Received: Updated text [QIT4N-I-001 Rev.2]")

    def step_6_a_subject_tag_from_another_sender_is_a_new_contribution(self):
        self.deliver_and_run(contribution(BOB, "My view on [QIT4N-I-001]",
                                          [("bob-view.docx", plain_document("view"), DOCX)]))
        self.assertEqual(self.row("QIT4N-I-003")["sender"], BOB)
        self.assertEqual(len(self.row("QIT4N-I-001")["revisions"]), 2)

    def step_7_a_docx_without_the_template_is_asked_for_it(self):
        plain = plain_document("No cover table here")
        self.deliver_and_run(contribution("carol@member.test", "Plain document",
                                          [("plain.docx", plain, DOCX)]))
        row = self.row("QIT4N-I-004")
        self.assertEqual(row["template"], "none")
        self.assertEqual(row["title"], "Plain document")
        body = self.newest_reply("carol@member.test", 1).get_content()
        self.assertIn("base document template", body)
        self.assertIn(TEMPLATE_URL, body)

    def step_8_a_revision_of_a_withdrawn_contribution_is_held(self):
        result = self.contribd.command("withdraw", "QIT4N-I-001", "--reason", "superseded")
        self.assertEqual(result.returncode, 0, result.stderr)
        v4 = template_document("Key relay in QKD networks", "Alice Labs", "v4")
        msg = contribution(ALICE, "Once more [QIT4N-I-001]", [("v4.docx", v4, DOCX)])
        self.deliver_and_run(msg)
        self.assertEqual(len(self.row("QIT4N-I-001")["revisions"]), 2)
        held = [m for m in self.contribd.review() if m["message_id"] == msg["Message-ID"]]
        self.assertEqual(len(held), 1, self.contribd.review())
        self.assertEqual(held[0]["cause"], "withdrawn")
        self.assertIn("QIT4N-I-001", held[0]["reason"])


if __name__ == "__main__":
    unittest.main()
