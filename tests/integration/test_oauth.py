"""Signing in the way Microsoft 365 and Gmail require: contribd gets OAuth 2.0 access tokens
from a command or from a token endpoint, signs in to the sandbox's Dovecot (IMAP) and Postfix
(SMTP, through Dovecot) with XOAUTH2 or OAUTHBEARER, registers a contribution and sends its
reply; an expired token is replaced and the run goes on; a token the server cannot verify ends
the run with one clear error line."""

import base64
import os
import re
import sys
import tempfile
import time
import unittest

import harness
import mailenv
from harness import SECRETARIAT, Contribd, contribution, send, toml_value

sys.path.insert(0, str(mailenv.SCRIPTS))
import oauth_token  # noqa: E402  (tests/mailenv/oauth_token.py)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MINT = [sys.executable, str(mailenv.SCRIPTS / "oauth_token.py"), "mint"]


def setUpModule():
    mailenv.start()
    oauth_token.DEFAULT_KEY = os.environ["MAILENV_OAUTH_KEY"]


def log_text(name):
    with open(os.path.join(mailenv.DIR, "log", name), errors="replace") as f:
        return f.read()


def counting_command(folder, name, first, then):
    """A token command that runs `first` (argv) on its first call and `then` afterwards, and
    counts its calls in FOLDER/NAME.count."""
    counter = os.path.join(folder, name + ".count")
    script = os.path.join(folder, name + ".py")
    with open(script, "w") as f:
        f.write(f"""import os, subprocess, sys
counter = {counter!r}
calls = int(open(counter).read()) if os.path.exists(counter) else 0
open(counter, "w").write(str(calls + 1))
sys.exit(subprocess.call({first!r} if calls == 0 else {then!r}))
""")
    return [sys.executable, script], counter


def calls(counter):
    with open(counter) as f:
        return int(f.read())


class OAuthContribd(Contribd):
    """A contribd whose [imap] and [smtp] sign in as `imap_auth` and `smtp_auth` say: None for
    the password, else (method, {oauth table})."""

    def __init__(self, imap_auth, smtp_auth, smtp_port=None):
        self.imap_auth, self.smtp_auth = imap_auth, smtp_auth
        self.smtp_port = smtp_port or mailenv.SUBMISSION_PORT
        super().__init__(deadline=int(time.time()) + 86400)

    def write_config(self, deadline, closes, *unused):
        super().write_config(deadline, closes, "", {}, 10, "")
        with open(self.config_path) as f:
            text = f.read()
        imap, rest = text.split("[smtp]\n", 1)
        smtp, rest = rest.split("[storage]\n", 1)
        smtp = smtp.replace(f"port = {mailenv.SUBMISSION_PORT}", f"port = {self.smtp_port}")
        if self.smtp_port == mailenv.SMTPS_PORT:
            smtp = smtp.replace('security = "starttls"', 'security = "tls"')
        with open(self.config_path, "w") as f:
            f.write(self.sign_in(imap, "imap", self.imap_auth) + "[smtp]\n" +
                    self.sign_in(smtp, "smtp", self.smtp_auth) + "[storage]\n" + rest)

    @staticmethod
    def sign_in(section, name, auth):
        if auth is None:
            return section
        method, oauth = auth
        lines = [line for line in section.splitlines() if not line.startswith("password_file")]
        lines.append(f'auth = "{method}"')
        lines += ["", f"[{name}.oauth]"]
        for key, value in oauth.items():
            if isinstance(value, list):
                lines.append(f"{key} = [{', '.join(toml_value(v) for v in value)}]")
            else:
                lines.append(f"{key} = {toml_value(value)}")
        return "\n".join(lines) + "\n\n"


class Story(unittest.TestCase):
    """One contribution from Alice, one run: registered, answered, moved."""

    def run_story(self, contribd, senders=("alice@member.test",)):
        harness.reset_mailboxes()
        self.addCleanup(contribd.remove)
        for sender in senders:
            send(contribution(sender, f"Contribution from {sender}",
                              [(f"{sender.split('@')[0]}.docx", os.urandom(5000), DOCX)]))
        mailenv.wait_for_messages(SECRETARIAT, len(senders), timeout=30)
        result = contribd.run_once()
        return result

    def assert_registered_and_answered(self, contribd, result, senders=("alice@member.test",)):
        self.assertEqual(result.returncode, 0, result.stderr)
        register = contribd.register()
        self.assertEqual(sorted(row["sender"] for row in register), sorted(senders))
        for sender in senders:
            replies = mailenv.wait_for_messages(sender, 1, timeout=30)
            self.assertEqual(len(replies), 1)

    def assert_no_secret_in(self, text, *secrets):
        for secret in secrets:
            self.assertNotIn(secret, text)


class SignsInWithATokenCommand(Story):
    def test_xoauth2_for_imap_and_smtp(self):
        self.sign_in_both("xoauth2", "XOAUTH2")

    def test_oauthbearer_for_imap_and_smtp(self):
        self.sign_in_both("oauthbearer", "OAUTHBEARER")

    def sign_in_both(self, method, mechanism):
        command = {"token_command": MINT + [SECRETARIAT, "--json"]}
        contribd = OAuthContribd((method, command), (method, command))
        dovecot_before, postfix_before = len(log_text("dovecot.log")), len(log_text("postfix.log"))
        result = self.run_story(contribd)
        self.assert_registered_and_answered(contribd, result)
        dovecot = log_text("dovecot.log")[dovecot_before:]
        postfix = log_text("postfix.log")[postfix_before:]
        self.assertIn(f"Login: user=<{SECRETARIAT}>, method={mechanism}", dovecot)
        self.assertRegex(postfix, rf"sasl_method={mechanism}, sasl_username={re.escape(SECRETARIAT)}")

    def test_implicit_tls_submission_port_too(self):
        command = {"token_command": MINT + [SECRETARIAT]}
        contribd = OAuthContribd(None, ("xoauth2", command), smtp_port=mailenv.SMTPS_PORT)
        result = self.run_story(contribd)
        self.assert_registered_and_answered(contribd, result)


class SignsInWithATokenEndpoint(Story):
    """Microsoft 365's client-credentials grant for IMAP, Google's refresh-token grant for SMTP,
    from an HTTPS endpoint whose certificate the sandbox CA signed."""

    def setUp(self):
        tls = os.path.join(mailenv.DIR, "tls")
        self.secrets = tempfile.mkdtemp(prefix="contribd-oauth-")
        self.endpoint = oauth_token.TokenEndpoint(
            os.path.join(tls, "server.pem"), os.path.join(tls, "server.key"),
            client_id="contribd-test", client_secret="s3cret-&-value", user=SECRETARIAT,
            refresh_token="1//refresh-token-value").start()
        self.addCleanup(self.endpoint.stop)
        self.secret_file = self.write_secret("client-secret", "s3cret-&-value\n")
        self.refresh_file = self.write_secret("refresh-token", "1//refresh-token-value")

    def write_secret(self, name, text):
        path = os.path.join(self.secrets, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def grant(self, kind, **extra):
        table = {"grant": kind, "token_url": self.endpoint.url, "client_id": "contribd-test",
                 "client_secret_file": self.secret_file, "ca_file": mailenv.CA}
        if kind == "client_credentials":
            table["scope"] = "https://outlook.office365.com/.default"
        else:
            table["refresh_token_file"] = self.refresh_file
        table.update(extra)
        return table

    def test_client_credentials_for_imap_and_refresh_token_for_smtp(self):
        contribd = OAuthContribd(("xoauth2", self.grant("client_credentials")),
                                 ("oauthbearer", self.grant("refresh_token")))
        result = self.run_story(contribd, senders=("alice@member.test", "bob@member.test"))
        self.assert_registered_and_answered(contribd, result,
                                            senders=("alice@member.test", "bob@member.test"))
        grants = [request["grant_type"] for request in self.endpoint.requests]
        # One token each: the SMTP token is cached across the two deliveries.
        self.assertEqual(sorted(grants), ["client_credentials", "refresh_token"])
        scopes = [r.get("scope") for r in self.endpoint.requests
                  if r["grant_type"] == "client_credentials"]
        self.assertEqual(scopes, ["https://outlook.office365.com/.default"])

    def test_a_refused_grant_is_one_line_with_the_providers_words(self):
        self.secret_file = self.write_secret("wrong-secret", "not-the-secret")
        contribd = OAuthContribd(("xoauth2", self.grant("client_credentials")), None)
        result = self.run_story(contribd)
        self.assertEqual(result.returncode, 1)
        lines = [line for line in result.stderr.splitlines() if line.startswith("contribd:")]
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn(f"no access token for {SECRETARIAT}", lines[0])
        self.assertIn(f"token endpoint {self.endpoint.url} refused the grant: HTTP 401: "
                      "invalid_client: Client authentication failed", lines[0])
        self.assert_no_secret_in(result.stderr, "not-the-secret", "s3cret")
        self.assertEqual(contribd.register(), [])

    def test_an_unreachable_endpoint_names_it(self):
        table = self.grant("refresh_token", token_url="https://127.0.0.1:1/token")
        contribd = OAuthContribd(("oauthbearer", table), None)
        result = self.run_story(contribd)
        self.assertEqual(result.returncode, 1)
        self.assertIn("token endpoint https://127.0.0.1:1/token: unreachable: 127.0.0.1:1: "
                      "cannot connect", result.stderr)

    def test_an_untrusted_endpoint_certificate_is_refused(self):
        table = self.grant("client_credentials", ca_file=mailenv.WRONG_CA)
        contribd = OAuthContribd(("xoauth2", table), None)
        result = self.run_story(contribd)
        self.assertEqual(result.returncode, 1)
        self.assertIn("certificate verify failed", result.stderr)
        self.assertEqual(self.endpoint.requests, [])


class ExpiredTokensAreReplaced(Story):
    def test_a_refused_expired_token_is_fetched_again_and_the_run_goes_on(self):
        folder = tempfile.mkdtemp(prefix="contribd-oauth-")
        # The first token expired an hour ago although the command claims an hour of validity.
        imap_command, imap_calls = counting_command(
            folder, "imap", MINT + [SECRETARIAT, "--expired"], MINT + [SECRETARIAT])
        contribd = OAuthContribd(("xoauth2", {"token_command": imap_command}), None)
        result = self.run_story(contribd)
        self.assert_registered_and_answered(contribd, result)
        self.assertEqual(calls(imap_calls), 2)
        self.assertIn("refused (status 401", result.stderr)
        self.assertIn("trying once more with a fresh token", result.stderr)

    def test_one_smtp_session_carries_a_round_of_replies_on_one_token(self):
        folder = tempfile.mkdtemp(prefix="contribd-oauth-")
        # Replies due together share one SMTP session, so one sign-in and one token serve
        # both, however short the token's life (expiry itself: auth_token_cache_test).
        short = [sys.executable, "-c",
                 "import json, subprocess, sys; token = subprocess.check_output(sys.argv[1:], "
                 "text=True).strip(); print(json.dumps({'access_token': token, 'expires_in': 1}))"]
        smtp_command, smtp_calls = counting_command(folder, "smtp", short + MINT + [SECRETARIAT],
                                                    short + MINT + [SECRETARIAT])
        contribd = OAuthContribd(None, ("oauthbearer", {"token_command": smtp_command}))
        senders = ("alice@member.test", "bob@member.test")
        result = self.run_story(contribd, senders=senders)
        self.assert_registered_and_answered(contribd, result, senders=senders)
        self.assertEqual(calls(smtp_calls), 1)


class AForgedTokenIsRefused(Story):
    def test_a_token_signed_with_the_wrong_key_is_one_clear_error_line(self):
        folder = tempfile.mkdtemp(prefix="contribd-oauth-")
        wrong_key = os.path.join(folder, "wrong.key")
        with open(wrong_key, "w") as f:
            f.write(base64.b64encode(os.urandom(32)).decode())
        command = {"token_command": MINT + [SECRETARIAT, "--key-file", wrong_key]}
        contribd = OAuthContribd(("xoauth2", command), None)
        result = self.run_story(contribd)
        self.assertEqual(result.returncode, 1)
        lines = [line for line in result.stderr.splitlines() if line.startswith("contribd:")]
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertRegex(
            lines[0], rf"^contribd: imap 127\.0\.0\.1:{mailenv.IMAPS_PORT}: XOAUTH2 sign-in as "
                      rf"{re.escape(SECRETARIAT)} refused, also with a fresh token: "
                      r"\[AUTHENTICATIONFAILED\] .* \(status 401, scope mail\)$")
        self.assertNotIn("eyJ", result.stderr)  # no token, not even a part of one
        self.assertEqual(contribd.register(), [])
        self.assertIn("Incorrect JWT signature", log_text("dovecot.log"))


if __name__ == "__main__":
    unittest.main()
