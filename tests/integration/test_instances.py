"""Two groups side by side, as `systemctl enable --now contribd@qit4n contribd@fg-ai4h` runs
them: each instance reads its own secretariat mailbox of the sandbox (tsbfgqit4n@itu.test and
tsbfgai4h@itu.test), registers only that mailbox's contributions in its own register under its own
state folder, answers from its own address and tags its journal lines with its own name; stopping
one (SIGTERM) leaves the other registering, and what arrived for the stopped one waits in its
mailbox.

The test machines have no systemd as PID 1, so the instances run as `contribd run --config FILE`
with what systemd/contribd@.service gives each: the configuration file of ExecStart=, the state
folder of StateDirectory= and the credentials of LoadCredential=, with %i expanded, laid out under
a scratch root folder (the unit itself is checked by tests/systemd/check-unit)."""

import os
import shutil
import signal
import tempfile
import time
import unittest

import harness
import mailenv
from harness import Contribd, contribution, send
from harness import RunningDaemon, reset_sandbox

UNIT = os.path.join(os.environ.get("CONTRIBD_SOURCE_DIR",
                                   os.path.join(os.path.dirname(__file__), "..", "..")),
                    "systemd", "contribd@.service")
PDF = "application/pdf"


def service_settings(path):
    """The [Service] settings of a unit file: {key: [values, in order]}."""
    settings, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]" and "=" in line:
                key, value = line.split("=", 1)
                settings.setdefault(key, []).append(value)
    return settings


class Instance:
    """What contribd@NAME.service gives its contribd, from the template with %i = NAME, under
    ROOT: the configuration file (ExecStart= --config), the state folder (StateDirectory=), the
    credentials systemd copies into /run/credentials/contribd@NAME.service/ (LoadCredential=) and
    the journal identifier (SyslogIdentifier=)."""

    def __init__(self, root, name, secretariat, meeting_id, document_prefix):
        self.root, self.name, self.secretariat = root, name, secretariat
        settings = {key: [value.replace("%i", name) for value in values]
                    for key, values in service_settings(UNIT).items()}
        exec_start = settings["ExecStart"][0].split()
        self.config = exec_start[exec_start.index("--config") + 1]
        self.state_dir = "/var/lib/" + settings["StateDirectory"][0]
        self.identifier = settings["SyslogIdentifier"][0]
        self.credentials_dir = f"/run/credentials/contribd@{name}.service"
        self.credentials = dict(value.split(":", 1) for value in settings["LoadCredential"])
        # The operator's part: the passwords where LoadCredential= reads them...
        for source in self.credentials.values():
            os.makedirs(os.path.dirname(self.path(source)), exist_ok=True)
            shutil.copyfile(mailenv.password_file(secretariat), self.path(source))
        # ...and systemd's part at start: a copy of each under the credentials folder.
        os.makedirs(self.path(self.credentials_dir), exist_ok=True)
        for credential, source in self.credentials.items():
            shutil.copyfile(self.path(source), self.path(f"{self.credentials_dir}/{credential}"))
        os.makedirs(self.path(self.state_dir), exist_ok=True)
        os.makedirs(os.path.dirname(self.path(self.config)), exist_ok=True)
        self.contribd = Contribd(
            deadline=int(time.time()) + 30 * 86400, max_per_hour=1000, secretariat=secretariat,
            meeting_id=meeting_id, document_prefix=document_prefix,
            config_path=self.path(self.config),
            password_files={"imap": self.path(f"{self.credentials_dir}/imap-password"),
                            "smtp": self.path(f"{self.credentials_dir}/smtp-password")},
            storage_dir=self.path(self.state_dir))
        self.daemon = None

    def path(self, absolute):
        return os.path.join(self.root, absolute.lstrip("/"))

    def start(self):
        self.daemon = RunningDaemon(self.contribd)
        if not self.daemon.wait_for_log("connected to", 30):
            raise AssertionError(f"contribd@{self.name} did not connect:\n{self.daemon.log()}")

    def registered(self):
        return {row["message_id"]: row for row in self.contribd.register()}


def new_contribution(sender, to, subject):
    return contribution(sender, subject, [(f"{subject}.pdf", os.urandom(3000), PDF)], to=to)


class TwoGroupsSideBySide(unittest.TestCase):
    """Both instances run for the whole story; the tests run in the order of their names."""

    @classmethod
    def setUpClass(cls):
        mailenv.start()
        reset_sandbox()
        cls.root = tempfile.mkdtemp(prefix="contribd-instances-")
        cls.qit4n = Instance(cls.root, "qit4n", mailenv.SECRETARIAT, "QIT4N-05", "QIT4N-I-")
        cls.ai4h = Instance(cls.root, "fg-ai4h", mailenv.SECOND_SECRETARIAT, "AI4H-05",
                            "AI4H-I-")
        cls.qit4n.start()
        cls.ai4h.start()
        cls.sent = {"qit4n": [], "fg-ai4h": []}

    @classmethod
    def tearDownClass(cls):
        for instance in (cls.qit4n, cls.ai4h):
            if instance.daemon:
                instance.daemon.stop(signal.SIGKILL)
            instance.contribd.remove()
        shutil.rmtree(cls.root, ignore_errors=True)
        reset_sandbox()

    def send_to(self, instance, sender, subject):
        msg = new_contribution(sender, instance.secretariat, subject)
        send(msg)
        self.sent[instance.name].append(msg["Message-ID"])
        return msg["Message-ID"]

    def wait_registered(self, instance, message_ids, timeout=30):
        registered = harness.wait_until(
            lambda: set(message_ids) <= set(instance.registered()), timeout, interval=0.1)
        self.assertTrue(registered, f"contribd@{instance.name} did not register "
                                    f"{message_ids}:\n{instance.daemon.log()}")

    def test_1_the_unit_gives_each_instance_its_own_files(self):
        self.assertEqual(self.qit4n.config, "/etc/contribd/qit4n.toml")
        self.assertEqual(self.ai4h.config, "/etc/contribd/fg-ai4h.toml")
        self.assertEqual(self.qit4n.state_dir, "/var/lib/contribd/qit4n")
        self.assertEqual(self.ai4h.state_dir, "/var/lib/contribd/fg-ai4h")
        self.assertEqual(set(self.ai4h.credentials), {"imap-password", "smtp-password"})
        self.assertEqual(self.ai4h.credentials["imap-password"],
                         "/etc/contribd/fg-ai4h/imap-password")

    def test_2_each_instance_tags_its_journal_lines_with_its_name(self):
        for instance in (self.qit4n, self.ai4h):
            result = instance.contribd.run("check-config", "--config", instance.contribd.config_path)
            self.assertEqual(result.returncode, 0, result.stderr)
            # The daemon's own journal lines and the unit's SyslogIdentifier= agree.
            self.assertEqual(instance.identifier, f"contribd-{instance.name}")
            self.assertIn(f"journal  lines tagged {instance.identifier} ", result.stdout)

    def test_3_each_instance_registers_only_its_own_mailbox(self):
        qit4n_ids = [self.send_to(self.qit4n, "alice@member.test", "QKD network use cases"),
                     self.send_to(self.qit4n, "carol@member.test", "Quantum-safe key relay")]
        ai4h_ids = [self.send_to(self.ai4h, "bob@member.test", "Clinical evaluation of AI"),
                    self.send_to(self.ai4h, "dave@member.test", "Data sets for dermatology")]
        self.wait_registered(self.qit4n, qit4n_ids)
        self.wait_registered(self.ai4h, ai4h_ids)

        for instance, ids, prefix in ((self.qit4n, qit4n_ids, "QIT4N-I-"),
                                      (self.ai4h, ai4h_ids, "AI4H-I-")):
            rows = instance.registered()
            self.assertEqual(set(rows), set(ids), f"contribd@{instance.name}'s register")
            self.assertEqual(sorted(row["document_number"] for row in rows.values()),
                             [f"{prefix}001", f"{prefix}002"])
            state = instance.path(instance.state_dir)
            for row in rows.values():
                for stored in row["files"]:
                    self.assertTrue(stored["path"].startswith(state + os.sep), stored["path"])
        self.assertTrue(os.path.exists(self.qit4n.path("/var/lib/contribd/qit4n/contribd.sqlite")))
        self.assertTrue(os.path.exists(self.ai4h.path("/var/lib/contribd/fg-ai4h/contribd.sqlite")))

        # Each group's participants hear from their own secretariat.
        for sender, secretariat in (("alice@member.test", mailenv.SECRETARIAT),
                                    ("bob@member.test", mailenv.SECOND_SECRETARIAT)):
            replies = mailenv.wait_for_messages(sender, 1, timeout=30)
            reply = harness.replies_to(sender)[0]
            self.assertEqual(len(replies), 1)
            self.assertIn(secretariat, str(reply["From"]))

    def test_4_one_stops_alone_and_the_other_goes_on(self):
        code, seconds = self.ai4h.daemon.stop(signal.SIGTERM)
        print(f"\ncontribd@fg-ai4h stopped {seconds:.2f} s after SIGTERM")
        self.assertEqual(code, 0, self.ai4h.daemon.log())
        self.assertLess(seconds, 10)
        self.assertTrue(self.qit4n.daemon.running())

        waiting = self.send_to(self.ai4h, "erin@member.test", "Benchmarking AI for health")
        later = self.send_to(self.qit4n, "frank@member.test", "Entanglement distribution")
        self.wait_registered(self.qit4n, [later])
        self.assertEqual(self.qit4n.registered()[later]["document_number"], "QIT4N-I-003")
        self.assertNotIn(waiting, self.qit4n.registered())

        # The stopped group's contribution waits, unregistered, in its own mailbox...
        self.assertNotIn(waiting, self.ai4h.registered())
        imap = harness.Imap(mailenv.SECOND_SECRETARIAT)
        try:
            self.assertTrue(harness.wait_until(lambda: waiting in imap.flags_in("INBOX"), 30))
        finally:
            imap.close()
        # ...until that instance runs again.
        result = self.ai4h.contribd.run_once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.ai4h.registered()[waiting]["document_number"], "AI4H-I-003")
        self.assertEqual(len(self.qit4n.registered()), 3)
        self.assertTrue(self.qit4n.daemon.running())


if __name__ == "__main__":
    unittest.main()
