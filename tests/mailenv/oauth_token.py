#!/usr/bin/env python3
"""OAuth 2.0 access tokens the mail sandbox accepts, and a token endpoint that hands them out.

The sandbox's Dovecot (and Postfix, which asks Dovecot) validates HS256 JWTs signed with
$MAILENV_OAUTH_KEY (tests/mailenv/start creates it): the "email" claim is the login name.

  oauth_token.py mint ADDRESS [--lifetime S] [--expired] [--key-file F] [--json]
      prints a token; --json prints {"access_token": ..., "expires_in": S} instead
  oauth_token.py serve --port P --client-id ID --client-secret S [--refresh-token R]
                       [--user ADDRESS] [--lifetime S]
      an HTTPS token endpoint at https://127.0.0.1:P/token (the sandbox's certificate)
      answering the client_credentials and refresh_token grants as Microsoft and Google do

Only the standard library: tests import mint() and TokenEndpoint directly.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse

MAILENV_DIR = os.environ.get("CONTRIBD_MAILENV_DIR", "/tmp/contribd-mailenv")
DEFAULT_KEY = os.environ.get(
    "MAILENV_OAUTH_KEY", os.path.join(MAILENV_DIR, "oauth", "keys", "default", "HS256", "default"))


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def read_key(key_file=None):
    """The signing key: the base64 text Dovecot reads, decoded."""
    with open(key_file or DEFAULT_KEY, "rb") as f:
        return base64.b64decode(f.read().strip())


def mint(address, lifetime=3600, key=None, now=None):
    """A JWT for `address`, valid from now for `lifetime` seconds (negative: already expired)."""
    now = int(time.time() if now is None else now)
    key = read_key() if key is None else key
    header = {"alg": "HS256", "typ": "JWT"}
    issued = min(now, now + lifetime - 60)
    claims = {"sub": address, "email": address, "iat": issued, "exp": now + lifetime}
    signing_input = (_b64url(json.dumps(header).encode()) + "." +
                     _b64url(json.dumps(claims).encode()))
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + _b64url(signature)


class TokenEndpoint:
    """An HTTPS token endpoint on 127.0.0.1 in a background thread.

    Grants: client_credentials (client_id + client_secret + scope) and refresh_token
    (client_id + client_secret + refresh_token). A wrong client or secret gets 401
    invalid_client, a wrong refresh token 400 invalid_grant, as the providers answer.
    `requests` lists the form fields of every request received (tests read it).
    """

    def __init__(self, certfile, keyfile, client_id, client_secret, user, refresh_token=None,
                 lifetime=3600, port=0, signing_key=None):
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.user = user
        self.lifetime = lifetime
        self.signing_key = signing_key
        self.requests = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                endpoint.requests.append({"path": self.path, **form})
                status, answer = endpoint.answer(self.path, form)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path, form):
        if path != "/token":
            return 404, {"error": "not_found"}
        if form.get("client_id") != self.client_id or \
                form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client",
                         "error_description": "Client authentication failed: unknown client "
                                              "or wrong secret."}
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if not form.get("scope"):
                return 400, {"error": "invalid_scope", "error_description": "scope is required"}
        elif grant == "refresh_token":
            if self.refresh_token is None or form.get("refresh_token") != self.refresh_token:
                return 400, {"error": "invalid_grant",
                             "error_description": "Token has been expired or revoked."}
        else:
            return 400, {"error": "unsupported_grant_type"}
        token = mint(self.user, self.lifetime, key=self.signing_key)
        return 200, {"access_token": token, "token_type": "Bearer",
                     "expires_in": self.lifetime}

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    mint_cmd = commands.add_parser("mint", help="print an access token")
    mint_cmd.add_argument("address")
    mint_cmd.add_argument("--lifetime", type=int, default=3600)
    mint_cmd.add_argument("--expired", action="store_true", help="expired an hour ago")
    mint_cmd.add_argument("--key-file", help="sign with this base64 key instead")
    mint_cmd.add_argument("--json", action="store_true")
    serve_cmd = commands.add_parser("serve", help="run a token endpoint until interrupted")
    serve_cmd.add_argument("--port", type=int, required=True)
    serve_cmd.add_argument("--client-id", required=True)
    serve_cmd.add_argument("--client-secret", required=True)
    serve_cmd.add_argument("--refresh-token")
    serve_cmd.add_argument("--user", default="tsbfgqit4n@itu.test")
    serve_cmd.add_argument("--lifetime", type=int, default=3600)
    args = parser.parse_args(argv)
    if args.command == "mint":
        lifetime = -3600 if args.expired else args.lifetime
        token = mint(args.address, lifetime, key=read_key(args.key_file))
        print(json.dumps({"access_token": token, "expires_in": lifetime}) if args.json else token)
        return 0
    tls = os.path.join(MAILENV_DIR, "tls")
    endpoint = TokenEndpoint(os.path.join(tls, "server.pem"), os.path.join(tls, "server.key"),
                             args.client_id, args.client_secret, args.user, args.refresh_token,
                             args.lifetime, args.port)
    print(f"token endpoint {endpoint.url}", flush=True)
    try:
        endpoint.server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
