# shellcheck shell=sh
# Sourceable: the addresses of the contribd mail sandbox (tests/mailenv/start).
# Every value can be overridden by exporting it before sourcing; the defaults keep
# the sandbox on 127.0.0.1 and off the well-known ports of a real mail server.
export CONTRIBD_MAILENV_DIR="${CONTRIBD_MAILENV_DIR:-/tmp/contribd-mailenv}"
export MAILENV_HOST="${MAILENV_HOST:-127.0.0.1}"
export MAILENV_IMAPS_PORT="${MAILENV_IMAPS_PORT:-10993}"           # IMAP, implicit TLS
export MAILENV_IMAP_PORT="${MAILENV_IMAP_PORT:-10143}"             # IMAP, STARTTLS before login
export MAILENV_SUBMISSION_PORT="${MAILENV_SUBMISSION_PORT:-10587}" # SMTP submission, STARTTLS + AUTH
export MAILENV_SMTPS_PORT="${MAILENV_SMTPS_PORT:-10465}"           # SMTP submission, implicit TLS + AUTH
export MAILENV_INBOUND_PORT="${MAILENV_INBOUND_PORT:-10025}"       # SMTP from "the internet", no AUTH
# The second IMAP server, Cyrus (tests/mailenv/README.md). MAILENV_CYRUS=0 leaves it out.
export MAILENV_CYRUS="${MAILENV_CYRUS:-1}"
export MAILENV_CYRUS_IMAPS_PORT="${MAILENV_CYRUS_IMAPS_PORT:-10994}" # Cyrus IMAP, implicit TLS
export MAILENV_CYRUS_IMAP_PORT="${MAILENV_CYRUS_IMAP_PORT:-10144}"   # Cyrus IMAP, STARTTLS
# Which IMAP server holds the secretariats' mailboxes (domain itu.test): dovecot or cyrus.
# start routes Postfix's delivery there; the participants' mailboxes stay with Dovecot.
export MAILENV_SERVER="${MAILENV_SERVER:-dovecot}"
export MAILENV_CA="${MAILENV_CA:-$CONTRIBD_MAILENV_DIR/tls/ca.pem}"
