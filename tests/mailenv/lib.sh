# shellcheck shell=bash
# Shared by start, stop and ctl: how the mail sandbox is laid out, configured,
# started and stopped. Sourced, never run. Everything lives under
# $CONTRIBD_MAILENV_DIR; the system's own Dovecot and Postfix (/etc/dovecot,
# /etc/postfix, /run/dovecot, /var/spool/postfix) are never touched.

MAILENV_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
source "$MAILENV_SCRIPTS/env.sh"

DIR="$CONTRIBD_MAILENV_DIR"
TLS_DIR="$DIR/tls"
SECRETS_DIR="$DIR/secrets"
MAIL_DIR="$DIR/mail"
LOG_DIR="$DIR/log"
DOVECOT_DIR="$DIR/dovecot"
DOVECOT_CONF="$DOVECOT_DIR/dovecot.conf"
DOVECOT_RUN="$DOVECOT_DIR/run"
OAUTH_KEYS_DIR="$DIR/oauth/keys"
# The key that signs the sandbox's OAuth 2.0 access tokens (HS256 JWTs), base64: Dovecot looks
# it up as <azp>/<alg>/<kid>, "default" standing in for a missing azp or kid.
OAUTH_KEY="$OAUTH_KEYS_DIR/default/HS256/default"
CYRUS_DIR="$DIR/cyrus"
CYRUS_CONF="$CYRUS_DIR/imapd.conf"
CYRUS_MASTER_CONF="$CYRUS_DIR/cyrus.conf"
CYRUS_PID_FILE="$CYRUS_DIR/run/master.pid"
# Cyrus's own tools come from cyrus-common; its imapd was unpacked by scripts/install-deps.
CYRUS_BIN=/usr/lib/cyrus/bin
CYRUS_IMAPD_ROOT=/usr/local/lib/contribd-mailenv/cyrus-imapd
CYRUS_IMAPD="$CYRUS_IMAPD_ROOT/usr/lib/cyrus/bin/imapd"
CYRUS_IDLED="$CYRUS_IMAPD_ROOT/usr/lib/cyrus/bin/idled"
POSTFIX_DIR="$DIR/postfix"
POSTFIX_CONF_DIR="$POSTFIX_DIR/etc"
POSTFIX_QUEUE="$POSTFIX_DIR/queue"
# Postfix writes the master's pid here, padded with spaces.
POSTFIX_PID_FILE="$POSTFIX_QUEUE/pid/master.pid"

SECRETARIAT="tsbfgqit4n@itu.test"
# A second group's secretariat mailbox: two contribd instances, one per group, side by side.
SECOND_SECRETARIAT="tsbfgai4h@itu.test"
PARTICIPANTS=(alice bob carol dave erin frank)
# Secretariat mailboxes whose IMAP sessions lack what Dovecot offers, for contribd's runs
# against servers without MOVE, UIDPLUS, IDLE or CONDSTORE: lacks-<what>@itu.test. Each gets
# Dovecot's own post-login CAPABILITY list (2.3.19) without the words named here, through a
# userdb field (userdb_imap_capability). A passwd-file field cannot hold spaces, so the list
# travels in an environment variable of the Dovecot master, MAILENV_CAPS_<WHAT>, that the field
# names as %{env:...}; import_environment hands it to the auth process.
# Without UIDPLUS there is no MOVE either (every server that lacks one lacks both), so that
# mailbox shows the copy-and-flag path; lacks-move keeps UIDPLUS (copy, flag, UID EXPUNGE).
LIMITED=(move uidplus idle condstore)
DOVECOT_CAPABILITIES="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY \
THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT \
CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES \
WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE \
SAVEDATE LITERAL+ NOTIFY"
MAIL_DOMAINS="itu.test member.test"
MAIL_USER=vmail
READY_TIMEOUT="${MAILENV_READY_TIMEOUT:-30}"

# An unexpected failure names the command, so that nobody has to rerun with -x.
trap 'log "failed (exit $?) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR

log() { printf 'mailenv: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# start, stop and ctl of one sandbox run one at a time. The lock sits beside
# the directory (stop removes the directory); daemons are started with the
# lock's descriptor closed so that they never hold it.
serialize() {
  exec 9>"$DIR.lock"
  flock 9
}

all_addresses() {
  echo "$SECRETARIAT"
  echo "$SECOND_SECRETARIAT"
  local p
  for p in "${LIMITED[@]}"; do echo "lacks-$p@itu.test"; done
  for p in "${PARTICIPANTS[@]}"; do echo "$p@member.test"; done
}

cyrus_enabled() { [[ $MAILENV_CYRUS == 1 ]]; }

# The capabilities that removing WHAT (move, uidplus, idle, condstore) leaves.
limited_capabilities() {
  local drop word out=""
  case "$1" in
    move) drop=" MOVE " ;;
    uidplus) drop=" MOVE UIDPLUS " ;;
    idle) drop=" IDLE " ;;
    condstore) drop=" CONDSTORE QRESYNC " ;;  # QRESYNC implies CONDSTORE (RFC 7162)
    *) die "no limited mailbox lacks $1" ;;
  esac
  for word in $DOVECOT_CAPABILITIES; do
    [[ $drop == *" $word "* ]] || out+="${out:+ }$word"
  done
  echo "$out"
}

# MAILENV_CAPS_<WHAT>=... for every limited mailbox: the Dovecot master's environment.
limited_environment() {
  local what
  for what in "${LIMITED[@]}"; do
    printf 'MAILENV_CAPS_%s=%s\n' "${what^^}" "$(limited_capabilities "$what")"
  done
}

ensure_packages() {
  local p missing=0 packages=(dovecot-core dovecot-imapd dovecot-lmtpd postfix openssl procps
    iproute2 python3)
  cyrus_enabled && packages+=(cyrus-common sasl2-bin)
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing=1
  done
  cyrus_enabled && [[ ! -x $CYRUS_IMAPD ]] && missing=1
  if ((missing)); then
    log "installing the mail server packages (scripts/install-deps)"
    "$MAILENV_SCRIPTS/../../scripts/install-deps"
  fi
}

# Dovecot refuses to deliver mail as root; mailboxes belong to a dedicated user.
ensure_mail_user() {
  if ! id -u "$MAIL_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$MAIL_USER"
  fi
}

make_dirs() {
  mkdir -p "$DIR" "$TLS_DIR" "$SECRETS_DIR" "$MAIL_DIR" "$LOG_DIR" \
    "$DOVECOT_DIR" "$DOVECOT_RUN" "$DOVECOT_DIR/state" "$POSTFIX_CONF_DIR" \
    "$POSTFIX_QUEUE" "$POSTFIX_DIR/data"
  # The servers' unprivileged users must reach their sockets and mailboxes.
  chmod 0755 "$DIR" "$MAIL_DIR" "$DOVECOT_DIR" "$POSTFIX_DIR" "$LOG_DIR"
  chmod 0755 "$SECRETS_DIR"
  chmod 0711 "$TLS_DIR"
  chown postfix: "$POSTFIX_DIR/data"
}

# A private CA, a server certificate it signs for localhost and 127.0.0.1, and an
# unrelated CA that clients can use to watch certificate verification fail.
# Kept across restarts so that a client holding the CA keeps trusting the server.
make_tls() {
  [[ -s $TLS_DIR/ca.pem && -s $TLS_DIR/server.pem && -s $TLS_DIR/wrong-ca.pem ]] && return 0
  local subj_ca="/O=contribd mail sandbox/CN=contribd test CA"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 -subj "$subj_ca" \
    -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/O=contribd mail sandbox/CN=localhost" \
    -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" 2>/dev/null
  cat >"$TLS_DIR/server.ext" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EXT
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$TLS_DIR/server.ext" \
    -out "$TLS_DIR/server.pem" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/O=somebody else/CN=unrelated test CA" \
    -keyout "$TLS_DIR/wrong-ca.key" -out "$TLS_DIR/wrong-ca.pem" 2>/dev/null
  rm -f "$TLS_DIR/server.csr" "$TLS_DIR/server.ext"
  chmod 0600 "$TLS_DIR"/*.key
  chmod 0644 "$TLS_DIR"/*.pem
}

# One password per user, generated once: tests read it from secrets/<localpart>.password.
make_passwords() {
  local address localpart file
  for address in $(all_addresses); do
    localpart="${address%@*}"
    file="$SECRETS_DIR/$localpart.password"
    [[ -s $file ]] && continue
    printf 'pw-%s-%s' "$localpart" "$(openssl rand -hex 8)" >"$file.tmp"
    chmod 0644 "$file.tmp"
    mv "$file.tmp" "$file"
  done
}

password_of() { cat "$SECRETS_DIR/${1%@*}.password"; }

# Besides passwords, Dovecot (and Postfix through it) accepts OAuth 2.0 bearer tokens: JWTs
# signed with this key, validated locally. Generated once, kept across restarts like the CA.
make_oauth_key() {
  [[ -s $OAUTH_KEY ]] && return 0
  mkdir -p "$(dirname "$OAUTH_KEY")"
  chmod 0755 "$DIR/oauth" "$OAUTH_KEYS_DIR" "$OAUTH_KEYS_DIR/default" "$(dirname "$OAUTH_KEY")"
  openssl rand -base64 32 | tr -d '\n' >"$OAUTH_KEY.tmp"
  chmod 0644 "$OAUTH_KEY.tmp"
  mv "$OAUTH_KEY.tmp" "$OAUTH_KEY"
}

# The oauth2 passdb: tokens are JWTs checked against the key above (signature, exp, iat, nbf);
# the user is the token's "email" claim, which must be the login name.
write_dovecot_oauth_conf() {
  cat >"$DOVECOT_DIR/oauth2.conf.ext" <<CONF
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$OAUTH_KEYS_DIR/
username_attribute = email
CONF
  chmod 0644 "$DOVECOT_DIR/oauth2.conf.ext"
}

# Mailboxes exist before the first delivery so that tests can watch them at once.
make_maildirs() {
  local address box
  for address in $(all_addresses); do
    box="$MAIL_DIR/${address#*@}/${address%@*}/Maildir"
    mkdir -p "$box/new" "$box/cur" "$box/tmp"
  done
  chown -R "$MAIL_USER:$MAIL_USER" "$MAIL_DIR"
  chmod 0755 "$MAIL_DIR"
}

write_dovecot_users() {
  local uid gid address users="$DOVECOT_DIR/users"
  uid="$(id -u "$MAIL_USER")"
  gid="$(id -g "$MAIL_USER")"
  : >"$users.tmp"
  local extra localpart what
  for address in $(all_addresses); do
    localpart="${address%@*}"
    extra=""
    if [[ $localpart == lacks-* ]]; then
      what="${localpart#lacks-}"
      extra="userdb_imap_capability=%{env:MAILENV_CAPS_${what^^}}"
    fi
    printf '%s:{PLAIN}%s:%s:%s::%s::%s\n' "$address" "$(password_of "$address")" "$uid" "$gid" \
      "$MAIL_DIR/${address#*@}/$localpart" "$extra" >>"$users.tmp"
  done
  chgrp dovecot "$users.tmp"
  chmod 0640 "$users.tmp"
  mv "$users.tmp" "$users"
  # Users listed here are refused an IMAP login without TLS (see the deny passdb).
  mkdir -p "$DOVECOT_DIR/deny"
  all_addresses | sed 's/$/:::/' >"$DOVECOT_DIR/deny/imap.secured"
  chmod 0644 "$DOVECOT_DIR/deny/imap.secured"
}

write_dovecot_conf() {
  local uid dh=""
  uid="$(id -u "$MAIL_USER")"
  [[ -r /usr/share/dovecot/dh.pem ]] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
  cat >"$DOVECOT_CONF" <<CONF
# contribd mail sandbox: IMAP and LMTP for the test domains, loopback only.
# Generated by tests/mailenv/start; edits are overwritten.
# Also marks every process of this Dovecot (see dovecot_owns).
instance_name = contribd-mailenv
base_dir = $DOVECOT_RUN
state_dir = $DOVECOT_DIR/state
log_path = $LOG_DIR/dovecot.log
protocols = imap lmtp
listen = $MAILENV_HOST
shutdown_clients = yes
# The capability lists of the lacks-* mailboxes (see LIMITED in lib.sh).
import_environment = TZ CORE_OUTOFMEM CORE_ERROR LISTEN_PID LISTEN_FDS NOTIFY_SOCKET \
  $(limited_environment | cut -d= -f1 | tr '\n' ' ')

ssl = required
ssl_cert = <$TLS_DIR/server.pem
ssl_key = <$TLS_DIR/server.key
ssl_min_protocol = TLSv1.2
$dh
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
auth_verbose = yes

first_valid_uid = $uid
last_valid_uid = $uid
mail_location = maildir:$MAIL_DIR/%d/%n/Maildir
mail_privileged_group =
namespace inbox {
  inbox = yes
  separator = /
}

# Dovecot counts every loopback connection as secure and would take an IMAP
# password in clear on the STARTTLS port. A real server would not (the client
# comes from elsewhere), so the sandbox refuses it: this passdb denies every
# user when the IMAP login has no TLS (%{secured} is "secured" for loopback,
# "TLS" after STARTTLS; for Postfix's submission checks it is never "imap").
passdb {
  driver = passwd-file
  deny = yes
  args = username_format=%u $DOVECOT_DIR/deny/%s.%{secured}
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $DOVECOT_DIR/users
}
# OAuth 2.0 bearer tokens (XOAUTH2, OAUTHBEARER), for IMAP and for Postfix's submission.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DOVECOT_DIR/oauth2.conf.ext
}
userdb {
  driver = passwd-file
  args = username_format=%u $DOVECOT_DIR/users
}

service imap-login {
  inet_listener imap {
    address = $MAILENV_HOST
    port = $MAILENV_IMAP_PORT
  }
  inet_listener imaps {
    address = $MAILENV_HOST
    port = $MAILENV_IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service auth {
  # Postfix asks Dovecot to check submission passwords (smtpd_sasl_type = dovecot).
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
protocol lmtp {
  postmaster_address = postmaster@itu.test
}
CONF
}

write_postfix_conf() {
  local address vmailbox="$POSTFIX_CONF_DIR/vmailbox"
  : >"$vmailbox"
  for address in $(all_addresses); do
    printf '%s %s/%s/\n' "$address" "${address#*@}" "${address%@*}" >>"$vmailbox"
  done
  if [[ $MAILENV_SERVER == cyrus ]]; then
    echo "itu.test lmtp:unix:$CYRUS_DIR/socket/lmtp" >"$POSTFIX_CONF_DIR/transport"
  else
    : >"$POSTFIX_CONF_DIR/transport"
  fi
  cat >"$POSTFIX_CONF_DIR/main.cf" <<CONF
# contribd mail sandbox: SMTP for the test domains, loopback only, relays nothing.
# Generated by tests/mailenv/start; edits are overwritten.
compatibility_level = 3.6
queue_directory = $POSTFIX_QUEUE
data_directory = $POSTFIX_DIR/data
maillog_file = $LOG_DIR/postfix.log
maillog_file_prefixes = $LOG_DIR
myhostname = mail.itu.test
mydomain = itu.test
myorigin = itu.test
inet_interfaces = $MAILENV_HOST
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
biff = no

# Only the test domains exist; their mailboxes are Dovecot's, reached over LMTP.
mydestination =
local_recipient_maps =
local_transport = error:no local delivery in the mail sandbox
alias_maps =
alias_database =
virtual_mailbox_domains = $MAIL_DOMAINS
virtual_mailbox_maps = texthash:$vmailbox
virtual_transport = lmtp:unix:$DOVECOT_RUN/lmtp
# The secretariats' domain goes to the IMAP server under test (\$MAILENV_SERVER).
transport_maps = texthash:$POSTFIX_CONF_DIR/transport
# Nothing leaves the sandbox, whoever asks.
relay_domains =
default_transport = error:the mail sandbox relays nothing
relay_transport = error:the mail sandbox relays nothing
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination

# Deliver at once: tests wait for mail in seconds, not minutes.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
transport_retry_time = 1s
smtpd_error_sleep_time = 0
in_flow_delay = 0

smtpd_tls_cert_file = $TLS_DIR/server.pem
smtpd_tls_key_file = $TLS_DIR/server.key
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DOVECOT_RUN/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
smtpd_tls_auth_only = yes
CONF
  # Chroot is off everywhere: the queue lives in a scratch directory, not /var/spool.
  local submission_opts="-o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=reject_unauth_destination,permit_sasl_authenticated,reject"
  cat >"$POSTFIX_CONF_DIR/master.cf" <<CONF
# service type  private unpriv  chroot  wakeup  maxproc command + args
# Mail from the internet: no authentication, only for the test domains.
$MAILENV_HOST:$MAILENV_INBOUND_PORT inet n - n - - smtpd
  -o syslog_name=postfix/inbound
# Submission with STARTTLS required, then SASL authentication.
$MAILENV_HOST:$MAILENV_SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  $submission_opts
# Submission over implicit TLS.
$MAILENV_HOST:$MAILENV_SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
  $submission_opts
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
}

# --- Cyrus -----------------------------------------------------------------
# A private Cyrus IMAP with the same users and passwords as Dovecot, configured as Debian
# ships it (/etc/imapd.conf: altnamespace and unixhierarchysep off, so personal folders are
# INBOX.<name> with "." as separator), plus virtual domains (the login is the full address).
# Its master runs as root, binds the ports and runs the services as the cyrus user;
# Postfix delivers to it over LMTP when $MAILENV_SERVER is cyrus.

make_cyrus_dirs() {
  local d
  for d in "$CYRUS_DIR" "$CYRUS_DIR/config" "$CYRUS_DIR/config/socket" "$CYRUS_DIR/spool" \
    "$CYRUS_DIR/sieve" "$CYRUS_DIR/socket" "$CYRUS_DIR/proc" "$CYRUS_DIR/lock" "$CYRUS_DIR/run" \
    "$CYRUS_DIR/tls"; do
    mkdir -p "$d"
  done
  chown -R cyrus:mail "$CYRUS_DIR"
  chmod 0750 "$CYRUS_DIR"/{config,spool,sieve,proc,lock,run,tls}
  # Postfix's LMTP client (user postfix) reaches the socket.
  chmod 0755 "$CYRUS_DIR" "$CYRUS_DIR/socket"
  install -o cyrus -g mail -m 0644 "$TLS_DIR/server.pem" "$CYRUS_DIR/tls/server.pem"
  install -o cyrus -g mail -m 0600 "$TLS_DIR/server.key" "$CYRUS_DIR/tls/server.key"
}

# The users of Dovecot's passwd-file, in a SASL database of Cyrus's own.
write_cyrus_users() {
  local address db="$CYRUS_DIR/sasldb2"
  rm -f "$db.tmp"
  for address in $(all_addresses); do
    password_of "$address" |
      saslpasswd2 -p -c -f "$db.tmp" -u "${address#*@}" "${address%@*}"
  done
  chown cyrus:mail "$db.tmp"
  chmod 0640 "$db.tmp"
  mv "$db.tmp" "$db"
}

write_cyrus_conf() {
  cat >"$CYRUS_CONF" <<CONF
# contribd mail sandbox: Cyrus IMAP for the test domains, loopback only.
# Generated by tests/mailenv/start; edits are overwritten.
configdirectory: $CYRUS_DIR/config
defaultpartition: default
partition-default: $CYRUS_DIR/spool
sievedir: $CYRUS_DIR/sieve
proc_path: $CYRUS_DIR/proc
mboxname_lockpath: $CYRUS_DIR/lock
lmtpsocket: $CYRUS_DIR/socket/lmtp
# imapd binds its end of the IDLE conversation as {configdirectory}/socket/idle.<pid>,
# whatever idlesocket says; without that folder IDLE falls back to polling once a minute.
idlesocket: $CYRUS_DIR/config/socket/idle
notifysocket: $CYRUS_DIR/config/socket/notify
syslog_prefix: contribd-mailenv-cyrus
# As Debian's /etc/imapd.conf: personal folders under INBOX., "." as separator.
altnamespace: no
unixhierarchysep: no
lmtp_downcase_rcpt: yes
virtdomains: userid
# Every user's INBOX exists from the first login or delivery on.
autocreate_quota: 0
autocreate_post: 1
# Expunged messages and deleted folders go at once, as on Dovecot, not at cyr_expire's next run.
expunge_mode: immediate
delete_mode: immediate
umask: 077
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $CYRUS_DIR/sasldb2
sasl_mech_list: PLAIN LOGIN
# Passwords only over TLS (implicit, or after STARTTLS).
allowplaintext: no
tls_server_cert: $CYRUS_DIR/tls/server.pem
tls_server_key: $CYRUS_DIR/tls/server.key
tls_versions: tls1_2 tls1_3
CONF
  cat >"$CYRUS_MASTER_CONF" <<CONF
# contribd mail sandbox: the services of Cyrus's master. Generated by tests/mailenv/start.
START {
  recover cmd="$CYRUS_BIN/ctl_cyrusdb -C $CYRUS_CONF -r"
}
SERVICES {
  imap cmd="$CYRUS_IMAPD -C $CYRUS_CONF" listen="$MAILENV_HOST:$MAILENV_CYRUS_IMAP_PORT" prefork=0
  imaps cmd="$CYRUS_IMAPD -s -C $CYRUS_CONF" listen="$MAILENV_HOST:$MAILENV_CYRUS_IMAPS_PORT" prefork=0
  lmtpunix cmd="$CYRUS_BIN/lmtpd -C $CYRUS_CONF" listen="$CYRUS_DIR/socket/lmtp" prefork=0
}
EVENTS {
  checkpoint cmd="$CYRUS_BIN/ctl_cyrusdb -C $CYRUS_CONF -c" period=30
}
DAEMON {
  # IDLE answers at once only with idled; without it imapd polls (imapidlepoll, 60 s).
  idled cmd="$CYRUS_IDLED -C $CYRUS_CONF"
}
CONF
  chmod 0644 "$CYRUS_CONF" "$CYRUS_MASTER_CONF"
}

cyrus_ports() { echo "$MAILENV_CYRUS_IMAP_PORT $MAILENV_CYRUS_IMAPS_PORT"; }
cyrus_pid() { live_pid "$CYRUS_PID_FILE"; }

# Cyrus's processes rewrite their titles; their executable says whose they are.
cyrus_owns() {
  local exe
  exe="$(readlink "/proc/$1/exe" 2>/dev/null)" || return 1
  [[ $exe == "$CYRUS_BIN/"* || $exe == "$CYRUS_IMAPD_ROOT/"* ]]
}

start_cyrus() {
  cyrus_enabled || return 0
  running_server_ready cyrus_pid cyrus-imap cyrus-imaps && return 0
  kill_session "$(tr -dc '0-9' 2>/dev/null <"$CYRUS_PID_FILE")" cyrus_owns
  rm -f "$CYRUS_PID_FILE" "$CYRUS_DIR"/socket/* "$CYRUS_DIR"/config/socket/*
  # shellcheck disable=SC2046
  wait_ports_free $(cyrus_ports)
  "$CYRUS_BIN/master" -C "$CYRUS_CONF" -M "$CYRUS_MASTER_CONF" -p "$CYRUS_PID_FILE" -d \
    -L "$LOG_DIR/cyrus.log" </dev/null >>"$LOG_DIR/cyrus-start.log" 2>&1 9>&- ||
    die "cyrus did not start; see $LOG_DIR/cyrus-start.log and $LOG_DIR/cyrus.log"
  wait_ready cyrus-imap cyrus-imaps
  if postfix_pid >/dev/null; then
    postqueue -c "$POSTFIX_CONF_DIR" -f </dev/null >>"$LOG_DIR/postfix-start.log" 2>&1 9>&- || true
  fi
}

stop_cyrus() {
  local pid deadline=$((SECONDS + READY_TIMEOUT))
  pid="$(tr -dc '0-9' 2>/dev/null <"$CYRUS_PID_FILE")" || true
  if cyrus_pid >/dev/null; then
    kill -TERM "$pid"
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  kill_session "$pid" cyrus_owns
  rm -f "$CYRUS_PID_FILE"
}

# A fingerprint of the generated files a server reads, to reload it only when they changed.
# Files not written yet (a first start) simply count as different.
conf_sum() { { cat "$@" 2>/dev/null || true; } | md5sum; }
cyrus_conf_sum() { conf_sum "$CYRUS_CONF" "$CYRUS_MASTER_CONF"; }
dovecot_conf_sum() {
  conf_sum "$DOVECOT_CONF" "$DOVECOT_DIR/users" "$DOVECOT_DIR"/deny/* "$DOVECOT_DIR/oauth2.conf.ext"
}
postfix_conf_sum() { conf_sum "$POSTFIX_CONF_DIR"/{main.cf,master.cf,vmailbox,transport}; }

# --- processes -------------------------------------------------------------

# True when PID runs. A zombie does not count: this machine's init may be slow
# to reap a killed daemon, and kill -0 would still succeed on it.
pid_alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n $state && ${state:0:1} != [ZX] ]]
}

# Prints the pid in FILE when that process is alive, else fails.
live_pid() {
  local pid
  pid="$(tr -dc '0-9' 2>/dev/null <"$1")" || return 1
  [[ -n $pid ]] && pid_alive "$pid" && echo "$pid"
}

# A server whose master runs is given time to answer; one whose master dies
# meanwhile (a kill -9 just before) is reported as not running, to be restarted.
running_server_ready() {
  local pid_of="$1" deadline=$((SECONDS + READY_TIMEOUT))
  shift
  while "$pid_of" >/dev/null; do
    python3 "$MAILENV_SCRIPTS/probe" --timeout 1 "$@" 2>/dev/null && return 0
    ((SECONDS < deadline)) || wait_ready "$@"
  done
  return 1
}

# Both servers daemonize with setsid, so each one's children share the master's
# session id. After a kill -9 of a master, its orphans are found by that id AND
# by a mark of this sandbox (the predicate OWNED), so that a stale pid file can
# never make us signal a process that is not ours.
kill_session() {
  local sid="$1" owned="$2" pid
  [[ -n $sid ]] || return 0
  for pid in $(ps -e -o pid= -o sid= | awk -v sid="$sid" '$2 == sid { print $1 }'); do
    "$owned" "$pid" && kill -9 "$pid" 2>/dev/null
  done
  return 0
}

# Dovecot names its processes after instance_name; its master after the config.
dovecot_owns() {
  local args
  args="$(ps -o args= -p "$1" 2>/dev/null)" || return 1
  [[ $args == "dovecot-contribd-mailenv/"* || $args == *"dovecot -c $DOVECOT_CONF" ]]
}

# Every Postfix process carries its config directory in MAIL_CONFIG.
postfix_owns() { grep -qzx "MAIL_CONFIG=$POSTFIX_CONF_DIR" "/proc/$1/environ" 2>/dev/null; }

# Waits until nothing listens on any of the given ports of $MAILENV_HOST.
wait_ports_free() {
  local port deadline=$((SECONDS + READY_TIMEOUT))
  for port in "$@"; do
    while ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; do
      ((SECONDS < deadline)) || die "port $port on $MAILENV_HOST is still taken by another process"
      sleep 0.2
    done
  done
}

dovecot_ports() { echo "$MAILENV_IMAP_PORT $MAILENV_IMAPS_PORT"; }
postfix_ports() { echo "$MAILENV_INBOUND_PORT $MAILENV_SUBMISSION_PORT $MAILENV_SMTPS_PORT"; }

dovecot_pid() { live_pid "$DOVECOT_RUN/master.pid"; }

# True when the running Dovecot hands the limited mailboxes their capability lists (a Dovecot
# started by an older version of these scripts lacks the environment, and a reload cannot add
# it). Asked of Dovecot itself: the master rewrites its environment block for its title.
dovecot_env_current() {
  local caps
  caps="$(doveadm -c "$DOVECOT_CONF" user -f imap_capability "lacks-${LIMITED[0]}@itu.test" \
    2>/dev/null 9>&-)" || return 1
  [[ $caps == "$(limited_capabilities "${LIMITED[0]}")" ]]
}
postfix_pid() { live_pid "$POSTFIX_PID_FILE"; }

reload_dovecot() { doveadm -c "$DOVECOT_CONF" reload </dev/null >>"$LOG_DIR/dovecot-start.log" 2>&1 9>&-; }
reload_postfix() { postfix -c "$POSTFIX_CONF_DIR" reload </dev/null >>"$LOG_DIR/postfix-start.log" 2>&1 9>&-; }

start_dovecot() {
  running_server_ready dovecot_pid imap imaps && return 0
  # Left over from a crash: the session's orphans, the pid file, the sockets.
  kill_session "$(tr -dc '0-9' 2>/dev/null <"$DOVECOT_RUN/master.pid")" dovecot_owns
  rm -rf "$DOVECOT_RUN"
  mkdir -p "$DOVECOT_RUN"
  # shellcheck disable=SC2046
  wait_ports_free $(dovecot_ports)
  # The daemons must not keep the caller's stdout/stderr open: a caller reading
  # this script's output through a pipe would wait for them forever.
  local -a environment
  mapfile -t environment < <(limited_environment)
  env "${environment[@]}" dovecot -c "$DOVECOT_CONF" </dev/null >>"$LOG_DIR/dovecot-start.log" 2>&1 9>&- ||
    die "dovecot did not start; see $LOG_DIR/dovecot-start.log and $LOG_DIR/dovecot.log"
  wait_ready imap imaps
  # Mail that Postfix deferred while Dovecot was down goes out now, not at its next retry.
  if postfix_pid >/dev/null; then
    postqueue -c "$POSTFIX_CONF_DIR" -f </dev/null >>"$LOG_DIR/postfix-start.log" 2>&1 9>&- || true
  fi
}

stop_dovecot() {
  local pid deadline=$((SECONDS + READY_TIMEOUT))
  pid="$(tr -dc '0-9' 2>/dev/null <"$DOVECOT_RUN/master.pid")" || true
  if dovecot_pid >/dev/null; then
    kill -TERM "$pid"
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  kill_session "$pid" dovecot_owns
  rm -f "$DOVECOT_RUN/master.pid"
}

start_postfix() {
  running_server_ready postfix_pid inbound submission smtps && return 0
  kill_session "$(tr -dc '0-9' 2>/dev/null <"$POSTFIX_PID_FILE")" postfix_owns
  rm -f "$POSTFIX_PID_FILE"
  # shellcheck disable=SC2046
  wait_ports_free $(postfix_ports)
  # postfix(1) creates and checks the queue directories itself on start.
  postfix -c "$POSTFIX_CONF_DIR" start </dev/null >>"$LOG_DIR/postfix-start.log" 2>&1 9>&- ||
    die "postfix did not start; see $LOG_DIR/postfix-start.log and $LOG_DIR/postfix.log"
  wait_ready inbound submission smtps
}

stop_postfix() {
  local pid deadline=$((SECONDS + READY_TIMEOUT))
  pid="$(tr -dc '0-9' 2>/dev/null <"$POSTFIX_PID_FILE")" || true
  if postfix_pid >/dev/null; then
    postfix -c "$POSTFIX_CONF_DIR" stop </dev/null >>"$LOG_DIR/postfix-start.log" 2>&1 || kill -TERM "$pid"
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  kill_session "$pid" postfix_owns
  rm -f "$POSTFIX_PID_FILE"
}

# Waits until each named service accepts a connection and completes its TLS handshake.
wait_ready() {
  python3 "$MAILENV_SCRIPTS/probe" --timeout "$READY_TIMEOUT" "$@" ||
    die "not ready after ${READY_TIMEOUT}s: $*; see $LOG_DIR/"
}

print_env() {
  cat <<ENV
export CONTRIBD_MAILENV_DIR=$CONTRIBD_MAILENV_DIR
export MAILENV_HOST=$MAILENV_HOST
export MAILENV_IMAPS_PORT=$MAILENV_IMAPS_PORT
export MAILENV_IMAP_PORT=$MAILENV_IMAP_PORT
export MAILENV_SUBMISSION_PORT=$MAILENV_SUBMISSION_PORT
export MAILENV_SMTPS_PORT=$MAILENV_SMTPS_PORT
export MAILENV_INBOUND_PORT=$MAILENV_INBOUND_PORT
export MAILENV_CYRUS=$MAILENV_CYRUS
export MAILENV_CYRUS_IMAPS_PORT=$MAILENV_CYRUS_IMAPS_PORT
export MAILENV_CYRUS_IMAP_PORT=$MAILENV_CYRUS_IMAP_PORT
export MAILENV_SERVER=$MAILENV_SERVER
export MAILENV_CA=$MAILENV_CA
export MAILENV_OAUTH_KEY=$OAUTH_KEY
ENV
}
