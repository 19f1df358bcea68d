"""The demo's story: five participants write to the secretariat around the deadline."""

import email.policy
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))

import harness  # noqa: E402
import mailenv  # noqa: E402
from documents import DOCX, plain_document, template_document  # noqa: E402
from harness import SECRETARIAT, Contribd, contribution, send  # noqa: E402

TEMPLATE_URL = "https://www.itu.int/en/ITU-T/focusgroups/qit4n/Pages/default.aspx"


def docx(seed):
    # A Word document without the base template's cover table.
    return plain_document(f"Sample contribution {seed}")


def main():
    harness.reset_mailboxes()
    print("Sending contributions before the deadline ...")
    send(contribution("Alice Example <alice@member.test>",
                      "Draft requirements for QKD network management",
                      [("QIT4N-05-requirements.docx",
                        template_document("Requirements for QKD network management",
                                          "Alice Labs", "first draft"), DOCX)]))
    send(contribution("Bob <bob@member.test>", "Use cases",
                      [("use-cases.docx", docx("bob"), DOCX),
                       ("figures.pdf", docx("bob-fig"), "application/pdf")]))
    send(contribution("Олег <carol@member.test>", "Предложение по терминологии",
                      [("Терминология.docx", docx("carol"), DOCX)]))
    send(contribution("dave@member.test", "When is the registration deadline?", []))
    mailenv.wait_for_messages(SECRETARIAT, 4, timeout=30)
    deadline = int(time.time())
    time.sleep(2.2)
    print("... and after it.")
    send(contribution("Erin <erin@member.test>", "Late comments on the draft",
                      [("erin-comments.docx", docx("erin"), DOCX)]))
    send(contribution("Vacation <frank@member.test>", "Out of office: contribution",
                      [("frank.docx", docx("frank"), DOCX)],
                      headers={"Auto-Submitted": "auto-replied"}))
    mailenv.wait_for_messages(SECRETARIAT, 6, timeout=30)

    contribd = Contribd(deadline=deadline,
                        extra_meetings=f'\n[publish]\nbase_template_url = "{TEMPLATE_URL}"\n')
    print(f"\nState, config and register: {contribd.state}")
    print(f"$ contribd run --config {contribd.config_path} --once")
    result = contribd.run_once()
    sys.stdout.write(result.stderr)
    print(f"(exit {result.returncode})\n")
    print(f"$ contribd list --config {contribd.config_path}")
    print(contribd.run("list", "--config", contribd.config_path).stdout)
    print("The out-of-office message carried a file: it is held for a person, not numbered.")
    print("Alice's title and source come from her document's cover table; the others did not")
    print("use the base template, so their titles are their subjects.")
    print(f"$ contribd review --config {contribd.config_path}")
    print(contribd.run("review", "--config", contribd.config_path).stdout)

    ack = mailenv.wait_for_messages("alice@member.test", 1, timeout=30)[-1]
    ack = email.message_from_bytes(ack, policy=email.policy.default)
    print("Alice answers her acknowledgement with a corrected document: a revision.")
    send(contribution("Alice Example <alice@member.test>", "Re: " + ack["Subject"],
                      [("QIT4N-05-requirements-v2.docx",
                        template_document("Requirements for QKD network management",
                                          "Alice Labs", "second draft"), DOCX)],
                      headers={"In-Reply-To": ack["Message-ID"]}))
    mailenv.wait_for_messages(SECRETARIAT, 1, timeout=30)
    harness.wait_for_inbox(1)
    print(f"$ contribd run --config {contribd.config_path} --once")
    second = contribd.run_once()
    sys.stdout.write(second.stderr)
    number = contribd.register()[0]["document_number"]
    print(f"$ contribd show --config {contribd.config_path} {number}")
    print(contribd.run("show", "--config", contribd.config_path, number).stdout)

    print("Replies in the participants' mailboxes:")
    mailenv.wait_for_messages("alice@member.test", 2, timeout=30)
    for address in ["alice@member.test", "bob@member.test", "carol@member.test",
                    "dave@member.test", "erin@member.test", "frank@member.test"]:
        replies = harness.replies_to(address)
        if not replies:
            print(f"\n== {address}: no reply")
            continue
        for reply in replies:
            print(f"\n== {address}: {reply['Subject']}")
            body = reply.get_body(preferencelist=("plain",)).get_content()
            print("   " + "\n   ".join(body.strip().splitlines()[:16]))
    print("\nThe mail sandbox is still running; stop it with tests/mailenv/stop.")
    return 0 if result.returncode == 0 and second.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
