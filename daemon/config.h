// The configuration file (TOML), validated: unknown keys, missing required keys and unreadable
// password, CA or template files are errors that name the file and the key.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/auth/credentials.h"
#include "daemon/net/connection.h"
#include "daemon/policy/meeting.h"

namespace contribd {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where OAuth 2.0 access tokens come from: [imap.oauth] or [smtp.oauth].
struct OAuthConfig {
  enum class Source { command, client_credentials, refresh_token };
  Source source = Source::command;
  std::vector<std::string> token_command;  // argv, run without a shell
  std::string token_url;                   // https; from `tenant` for Microsoft
  std::string client_id;
  std::filesystem::path client_secret_file;
  std::filesystem::path refresh_token_file;  // Source::refresh_token
  std::string scope;
  std::string ca_file;  // extra CA for the token endpoint; the system store is always trusted
  std::chrono::seconds timeout{30};  // the command, or each HTTPS step
  std::chrono::seconds reuse{300};   // how long a token without expires_in is reused
};

// How a session signs in: `auth` and, for the token methods, the [.oauth] table.
struct AuthConfig {
  auth::Method method = auth::Method::password;
  OAuthConfig oauth;  // the token methods only
};

struct ImapConfig {
  net::Endpoint endpoint;
  std::string username;
  std::filesystem::path password_file;  // auth = "password" only
  AuthConfig auth;
  std::string folder = "INBOX";
  std::string processed_folder = "Registered";
  std::string review_folder = "Review";  // held messages (SPEC step 7)
  bool idle = true;
  int poll_interval_seconds = 60;
  // When not 0: instead of IDLE, a NOOP this often asks whether mail arrived, and a pass starts
  // as soon as one reports it. For a server of one's own whose IDLE announces new mail late
  // (Dovecot waits 0.5 s after the delivery); each NOOP is a round trip and a look at the
  // folder on the server, so not for someone else's server.
  int noop_interval_ms = 0;
  // IDLE is ended and issued again this often: NAT boxes and firewalls drop silent TCP
  // connections long before RFC 2177's 29 minutes, which is the largest value accepted (a
  // server may end an IDLE of 30 minutes with BYE).
  int idle_refresh_seconds = 300;
  // What check-config and the start-up say about the folder names on Gmail (gmail_folders.h):
  // "processed_folder: on Gmail, moving to ..."; the errors among them refuse the file.
  std::vector<std::string> folder_notes;
};

struct SmtpConfig {
  net::Endpoint endpoint;
  std::string username;
  std::filesystem::path password_file;  // auth = "password" only
  AuthConfig auth;
  std::string from;  // the secretariat's address
  std::string from_name;
  // MAIL FROM: [smtp] envelope_from, by default `from` (Microsoft 365 accepts only the
  // signed-in mailbox or one it may send as: docs/smtp-servers.md); empty means the null
  // sender <> (RFC 3834 section 3.3), chosen with [smtp] null_sender = true.
  std::string envelope_from;
  // RFC 2920, when the server offers it: [smtp] pipelining.
  bool pipelining = true;
  // How long the outbox's session stays open unused: [smtp] keep_open_seconds; 0 closes it
  // after every round.
  int keep_open_seconds = 60;
  // The EHLO name: [smtp] helo, else this host's fully qualified name (servers that check
  // it, as Microsoft 365 and many spam filters do, refuse "localhost").
  std::string helo = "localhost";
};

struct StorageConfig {
  std::filesystem::path database;
  std::filesystem::path files_dir;
};

struct RepliesConfig {
  std::filesystem::path ack_template;  // empty: the built-in English text
  std::filesystem::path late_template;
  int max_per_sender_per_hour = 10;  // "+tags" of one address count as that address
  int max_per_hour = 200;            // all replies together
  int max_backoff_seconds = 60;      // retries of a reply at most this far apart
};

// Who may receive a reply (SPEC step 4). Without an authserv_id, replies go to whatever
// address the message names, unverified.
struct TrustConfig {
  std::string authserv_id;  // empty: no [trust] table
  enum class Unauthenticated { withhold, reply };
  Unauthenticated unauthenticated = Unauthenticated::withhold;
};

// The published document lists (SPEC step 11); empty dir: nothing is published.
struct PublishConfig {
  std::filesystem::path dir;
  std::string base_template_url;
};

// [limits]: over any of them a message is held for a person (SPEC step 7).
struct LimitsConfig {
  std::uint64_t max_message_bytes = 100ull << 20;
  int max_parts = 1000;  // MIME parts, TNEF inner files included
  int max_depth = 32;
  std::uint64_t max_header_bytes = 1 << 20;         // one header block
  std::uint64_t max_header_field_bytes = 64 << 10;  // one header field
  int max_header_lines = 5000;                      // lines of one header block
  std::uint64_t max_file_bytes = 256ull << 20;      // decoded bytes of one message's files
  int message_seconds = 60;                         // time budget to take one message apart
  std::uint64_t parser_memory_bytes = 1ull << 30;   // address space of the extraction process
};

struct Config {
  std::filesystem::path source;  // the file it was read from
  ImapConfig imap;
  SmtpConfig smtp;
  StorageConfig storage;
  RepliesConfig replies;
  LimitsConfig limits;
  TrustConfig trust;
  PublishConfig publish;
  std::vector<Meeting> meetings;  // sorted by closes
};

// Whether password, CA and template files must be readable now. Reading the register (`list`,
// `show`) needs none of them, and they may exist only while the service runs
// (/run/credentials/...).
enum class FileChecks { readable, skip };

// Reads and validates; throws ConfigError("FILE: key: reason").
Config load_config(const std::filesystem::path& file, FileChecks checks = FileChecks::readable);

// Reads a secret file, without a trailing newline; throws ConfigError naming the file.
std::string read_secret(const std::filesystem::path& file, const std::string& key);

// A human-readable summary of what was understood (no secrets).
std::string describe(const Config& config);
// How the daemon waits for new mail: a NOOP every noop_interval_ms when that is set, else IDLE
// when the key allows it and the server offers it, else polling.
enum class MailWait { noop, idle, poll };
MailWait mail_wait(const ImapConfig& imap, bool idle_offered);
// The same in words, for the start-up line and, before any server is asked (`idle_offered`
// unknown), for check-config.
std::string describe_waiting(const ImapConfig& imap,
                             std::optional<bool> idle_offered = std::nullopt);

}  // namespace contribd
