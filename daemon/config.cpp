#include "daemon/config.h"

#include <fmt/format.h>
#include <netdb.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/auth/oauth_grant.h"
#include "daemon/imap/gmail_folders.h"
#include "daemon/policy/deadline.h"
#include "daemon/policy/reply_decision.h"
#include "daemon/smtp/smtp_wire.h"
#include "daemon/terminal_text.h"
#include "parsers/ascii_text.h"
#include "parsers/imap_arguments.h"
#include "storage/document_number.h"
#include "storage/utc_text.h"

namespace contribd {
namespace {

namespace fs = std::filesystem;

// Reads one table of the file; every error names the file and the dotted key.
class TableReader {
 public:
  TableReader(const fs::path& file, std::string prefix, const toml::table& table, FileChecks checks)
      : file_(file), prefix_(std::move(prefix)), table_(table), checks_(checks) {}

  [[noreturn]] void fail(std::string_view key, std::string_view reason) const {
    throw ConfigError(fmt::format("{}: {}: {}", file_.string(), dotted(key), reason));
  }

  std::string dotted(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : fmt::format("{}.{}", prefix_, key);
  }

  // Keys not in `known` are errors: a typo must not silently fall back to a default.
  void reject_unknown(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : table_) {
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        fail(key.str(), "unknown key");
      }
    }
  }

  bool has(std::string_view key) const { return table_.contains(key); }

  std::string string(std::string_view key, std::optional<std::string> fallback = {}) const {
    const toml::node* node = table_.get(key);
    if (!node) {
      if (fallback) return *fallback;
      fail(key, "missing (required)");
    }
    const auto* value = node->as_string();
    if (!value) fail(key, "must be a string");
    return value->get();
  }

  std::int64_t integer(std::string_view key, std::optional<std::int64_t> fallback, std::int64_t min,
                       std::int64_t max) const {
    const toml::node* node = table_.get(key);
    if (!node) {
      if (fallback) return *fallback;
      fail(key, "missing (required)");
    }
    const auto* value = node->as_integer();
    if (!value) fail(key, "must be an integer");
    const std::int64_t number = value->get();
    if (number < min || number > max) fail(key, fmt::format("must be between {} and {}", min, max));
    return number;
  }

  bool boolean(std::string_view key, bool fallback) const {
    const toml::node* node = table_.get(key);
    if (!node) return fallback;
    const auto* value = node->as_boolean();
    if (!value) fail(key, "must be true or false");
    return value->get();
  }

  // Relative paths are relative to the config file's folder.
  fs::path path(std::string_view key, bool required) const {
    if (!required && !has(key)) return {};
    const std::string text = string(key);
    if (text.empty()) fail(key, "must not be empty");
    fs::path value(text);
    if (value.is_relative()) value = file_.parent_path() / value;
    return value.lexically_normal();
  }

  // A directory opens for reading like a file and only fails at the first read, at run time:
  // it is refused here, as is anything else that is not a regular file (after symlinks).
  fs::path readable_file(std::string_view key, bool required) const {
    fs::path value = path(key, required);
    if (value.empty() || checks_ == FileChecks::skip) return value;
    std::ifstream probe(value, std::ios::binary);
    if (!probe) fail(key, fmt::format("cannot read {}: {}", value.string(), std::strerror(errno)));
    std::error_code error;
    if (!fs::is_regular_file(value, error)) {
      fail(key, fmt::format("{} is not a regular file", value.string()));
    }
    return value;
  }

  FileChecks checks() const { return checks_; }

  // A non-empty array of non-empty strings (a command's argv).
  std::vector<std::string> string_list(std::string_view key) const {
    const auto* array = table_.get_as<toml::array>(key);
    if (!array) fail(key, "must be an array of strings, e.g. [\"/usr/bin/get-token\"]");
    if (array->empty()) fail(key, "must not be empty");
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
      const auto* text = item.as_string();
      if (!text || text->get().empty()) fail(key, "every element must be a non-empty string");
      values.push_back(text->get());
    }
    return values;
  }

  // A [section.name] table inside this one, or nullptr when absent.
  const toml::table* subtable(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (!node) return nullptr;
    if (!node->as_table()) fail(key, "must be a table");
    return node->as_table();
  }

  TableReader nested(std::string_view key, const toml::table& table) const {
    return TableReader(file_, dotted(key), table, checks_);
  }

 private:
  const fs::path& file_;
  std::string prefix_;
  const toml::table& table_;
  FileChecks checks_;
};

const toml::table& required_table(const fs::path& file, const toml::table& root,
                                  std::string_view name) {
  const toml::node* node = root.get(name);
  if (!node) throw ConfigError(fmt::format("{}: [{}]: missing section", file.string(), name));
  const auto* table = node->as_table();
  if (!table) throw ConfigError(fmt::format("{}: {}: must be a section", file.string(), name));
  return *table;
}

// An optional [name] section: nullptr when absent.
const toml::table* optional_table(const fs::path& file, const toml::table& root,
                                  std::string_view name) {
  const toml::node* node = root.get(name);
  if (!node) return nullptr;
  const auto* table = node->as_table();
  if (!table) throw ConfigError(fmt::format("{}: {}: must be a section", file.string(), name));
  return table;
}

net::Endpoint read_endpoint(const TableReader& reader, std::int64_t default_port,
                            std::string_view default_security) {
  net::Endpoint endpoint;
  endpoint.host = reader.string("host");
  if (endpoint.host.empty()) reader.fail("host", "must not be empty");
  endpoint.port = static_cast<std::uint16_t>(reader.integer("port", default_port, 1, 65535));
  const std::string security = reader.string("security", std::string(default_security));
  if (security == "tls") {
    endpoint.security = net::Security::tls;
  } else if (security == "starttls") {
    endpoint.security = net::Security::starttls;
  } else {
    reader.fail("security", fmt::format("\"{}\" is not allowed: use \"tls\" or \"starttls\" "
                                        "(plaintext is refused)",
                                        security));
  }
  endpoint.ca_file = reader.readable_file("ca_file", false).string();
  endpoint.timeout = std::chrono::seconds(reader.integer("timeout_seconds", 60, 1, 3600));
  return endpoint;
}

// RFC 5321's limits: 64 bytes of local part, 254 of address in a path.
constexpr std::size_t kMaxLocalPart = 64;
constexpr std::size_t kMaxAddress = 254;

// The address goes as it is into From: and MAIL FROM:<...>; "Name <x@y>" or a stray space
// would make every reply fail at run time, so the file is refused instead.
void require_bare_address(const TableReader& reader, std::string_view key,
                          std::string_view address) {
  const auto at = address.find('@');
  const bool plain = policy::is_plain_address(address) && address.size() <= kMaxAddress &&
                     at <= kMaxLocalPart && address.back() != '.' && address[at + 1] != '.';
  if (!plain) {
    reader.fail(key, fmt::format("\"{}\" is not a bare address: write local@domain, without a "
                                 "name, spaces or angle brackets (the name goes in from_name)",
                                 escape_for_terminal(address)));
  }
}

// A host name or a similar dotted token (RFC 8601's authserv-id is usually the MTA's name):
// letters, digits and hyphens in labels of 1 to 63 characters, separated by dots.
bool is_host_name_like(std::string_view text) {
  constexpr std::size_t kMaxHostName = 253;
  constexpr std::size_t kMaxLabel = 63;
  if (text.empty() || text.size() > kMaxHostName) return false;
  std::size_t label_start = 0;
  while (label_start <= text.size()) {
    const auto dot = std::min(text.find('.', label_start), text.size());
    const std::string_view label = text.substr(label_start, dot - label_start);
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') {
      return false;
    }
    const bool letters_digits_hyphens = std::all_of(label.begin(), label.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
    });
    if (!letters_digits_hyphens) return false;
    label_start = dot + 1;
  }
  return true;
}

// Empty when `url` is an http or https URL with a host that can be put into a link and a
// line of text as it is; else why not.
std::string web_url_problem(std::string_view url) {
  constexpr std::size_t kMaxUrl = 2000;
  if (url.size() > kMaxUrl) return fmt::format("is longer than {} characters", kMaxUrl);
  const auto scheme_end = url.find("://");
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    return "must start with https:// or http://";
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#') {
    return "has no host";
  }
  // Printable ASCII without the characters that RFC 3986 never allows unescaped.
  static constexpr std::string_view kNeverInUrl = "\"<>\\^`{|}";
  const bool plain = std::all_of(url.begin(), url.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && kNeverInUrl.find(c) == std::string_view::npos;
  });
  if (!plain) return "must be printable ASCII without spaces; percent-encode the rest";
  return {};
}

// IMAP folder names as the session will send them: what it cannot send is refused now.
// A folder name the wire can carry; on Gmail, one that means what contribd needs
// (gmail_folders.h): an error refuses the file, a note goes to `notes`.
std::string read_folder(const TableReader& reader, std::string_view key, std::string fallback,
                        std::vector<std::string>& notes) {
  std::string name = reader.string(key, std::move(fallback));
  const imap::FolderArgument argument = imap::folder_argument(name);
  if (!argument.error.empty()) reader.fail(key, argument.error);
  if (auto advice = imap::gmail_folder_advice(key, name)) {
    if (advice->level == imap::FolderAdvice::Level::error) reader.fail(key, advice->text);
    notes.push_back(fmt::format("{}: {}", key, advice->text));
  }
  return name;
}

// token_command = [...], or grant = "client_credentials" (token_url or tenant) or
// "refresh_token"; each shape accepts only its own keys.
OAuthConfig read_oauth(const TableReader& reader) {
  OAuthConfig oauth;
  const bool command = reader.has("token_command");
  if (command == reader.has("grant")) {
    reader.fail(command ? "grant" : "token_command",
                "set either token_command or grant (\"client_credentials\" or \"refresh_token\")");
  }
  oauth.timeout = std::chrono::seconds(reader.integer("timeout_seconds", 30, 1, 600));
  oauth.reuse = std::chrono::seconds(reader.integer("reuse_seconds", 300, 1, 86400));
  if (command) {
    reader.reject_unknown({"token_command", "timeout_seconds", "reuse_seconds"});
    oauth.source = OAuthConfig::Source::command;
    oauth.token_command = reader.string_list("token_command");
    return oauth;
  }
  const std::string grant = reader.string("grant");
  if (grant == "client_credentials") {
    reader.reject_unknown({"grant", "token_url", "tenant", "client_id", "client_secret_file",
                           "scope", "ca_file", "timeout_seconds", "reuse_seconds"});
    oauth.source = OAuthConfig::Source::client_credentials;
    if (reader.has("tenant") == reader.has("token_url")) {
      reader.fail("token_url", "set either token_url or tenant (Microsoft 365)");
    }
    if (reader.has("tenant")) {
      const std::string tenant = reader.string("tenant");
      if (tenant.empty()) reader.fail("tenant", "must not be empty");
      oauth.token_url = auth::microsoft_token_url(tenant);
    }
    oauth.client_secret_file = reader.readable_file("client_secret_file", true);
    oauth.scope = reader.string("scope");
  } else if (grant == "refresh_token") {
    reader.reject_unknown({"grant", "token_url", "client_id", "client_secret_file",
                           "refresh_token_file", "scope", "ca_file", "timeout_seconds",
                           "reuse_seconds"});
    oauth.source = OAuthConfig::Source::refresh_token;
    oauth.client_secret_file = reader.readable_file("client_secret_file", false);
    oauth.refresh_token_file = reader.readable_file("refresh_token_file", true);
    oauth.scope = reader.string("scope", "");
  } else {
    reader.fail("grant", fmt::format("\"{}\" is not known: use \"client_credentials\" or "
                                     "\"refresh_token\"",
                                     grant));
  }
  if (oauth.token_url.empty()) oauth.token_url = reader.string("token_url");
  const auto url = auth::parse_https_url(oauth.token_url);
  if (const auto* why = std::get_if<std::string>(&url)) {
    reader.fail("token_url", *why);
  }
  oauth.client_id = reader.string("client_id");
  if (oauth.client_id.empty()) reader.fail("client_id", "must not be empty");
  oauth.ca_file = reader.readable_file("ca_file", false).string();
  return oauth;
}

// auth = "password" needs password_file; the token methods need the [.oauth] table instead.
AuthConfig read_auth(const TableReader& reader, std::filesystem::path& password_file) {
  AuthConfig config;
  const std::string method = reader.string("auth", "password");
  if (method == "xoauth2") {
    config.method = auth::Method::xoauth2;
  } else if (method == "oauthbearer") {
    config.method = auth::Method::oauthbearer;
  } else if (method != "password") {
    reader.fail("auth", fmt::format("\"{}\" is not known: use \"password\", \"xoauth2\" or "
                                    "\"oauthbearer\"",
                                    method));
  }
  const toml::table* oauth = reader.subtable("oauth");
  if (config.method == auth::Method::password) {
    if (oauth) reader.fail("oauth", "is used only with auth = \"xoauth2\" or \"oauthbearer\"");
    password_file = reader.readable_file("password_file", true);
    return config;
  }
  if (reader.has("password_file")) {
    reader.fail("password_file", fmt::format("is not used with auth = \"{}\"; remove it", method));
  }
  if (!oauth) {
    reader.fail("oauth", fmt::format("missing: auth = \"{}\" needs a [{}] table saying where "
                                     "access tokens come from",
                                     method, reader.dotted("oauth")));
  }
  config.oauth = read_oauth(reader.nested("oauth", *oauth));
  return config;
}

// A NOOP more often than this would keep the server busy for nothing: the pass that follows
// takes longer than that.
constexpr int kShortestNoopIntervalMs = 50;

ImapConfig read_imap(const TableReader& reader) {
  reader.reject_unknown({"host", "port", "security", "ca_file", "username", "password_file", "auth",
                         "oauth", "folder", "processed_folder", "review_folder", "idle",
                         "poll_interval_seconds", "timeout_seconds", "idle_refresh_seconds",
                         "noop_interval_ms"});
  ImapConfig imap;
  imap.endpoint = read_endpoint(reader, 993, "tls");
  imap.username = reader.string("username");
  imap.auth = read_auth(reader, imap.password_file);
  imap.folder = read_folder(reader, "folder", imap.folder, imap.folder_notes);
  imap.processed_folder =
      read_folder(reader, "processed_folder", imap.processed_folder, imap.folder_notes);
  if (imap.processed_folder == imap.folder) {
    reader.fail("processed_folder", "must differ from folder");
  }
  // Held messages moved into the watched folder would be examined again; into the processed
  // folder, they would pass for registered ones.
  imap.review_folder = read_folder(reader, "review_folder", imap.review_folder, imap.folder_notes);
  if (imap.review_folder == imap.folder) reader.fail("review_folder", "must differ from folder");
  if (imap.review_folder == imap.processed_folder) {
    reader.fail("review_folder", "must differ from processed_folder");
  }
  imap.idle = reader.boolean("idle", true);
  imap.poll_interval_seconds =
      static_cast<int>(reader.integer("poll_interval_seconds", 60, 1, 86400));
  imap.idle_refresh_seconds =
      static_cast<int>(reader.integer("idle_refresh_seconds", 300, 5, 1740));
  imap.noop_interval_ms = static_cast<int>(reader.integer("noop_interval_ms", 0, 0, 60000));
  if (imap.noop_interval_ms > 0 && imap.noop_interval_ms < kShortestNoopIntervalMs) {
    reader.fail("noop_interval_ms",
                fmt::format("must be 0 (IDLE or polling) or at least {}", kShortestNoopIntervalMs));
  }
  return imap;
}

// This host's fully qualified name as the resolver knows it, else its plain name, else
// "localhost": the EHLO name when [smtp] helo is not given.
std::string this_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  addrinfo* found = nullptr;
  std::string fqdn = name;
  if (::getaddrinfo(name, nullptr, &hints, &found) == 0) {
    if (found != nullptr && found->ai_canonname != nullptr) fqdn = found->ai_canonname;
    ::freeaddrinfo(found);
  }
  return smtp::is_valid_helo_name(fqdn) ? fqdn : "localhost";
}

SmtpConfig read_smtp(const TableReader& reader) {
  reader.reject_unknown({"host", "port", "security", "ca_file", "username", "password_file", "auth",
                         "oauth", "from", "from_name", "envelope_from", "null_sender",
                         "timeout_seconds", "helo", "pipelining", "keep_open_seconds"});
  SmtpConfig smtp;
  smtp.endpoint = read_endpoint(reader, 587, "starttls");
  smtp.username = reader.string("username");
  smtp.auth = read_auth(reader, smtp.password_file);
  smtp.from = reader.string("from");
  require_bare_address(reader, "from", smtp.from);
  smtp.from_name = reader.string("from_name", "");
  if (reader.boolean("null_sender", false)) {
    if (reader.has("envelope_from")) {
      reader.fail("envelope_from", "give either envelope_from or null_sender = true, not both");
    }
    smtp.envelope_from.clear();
  } else {
    smtp.envelope_from = reader.string("envelope_from", smtp.from);
    if (smtp.envelope_from.empty() || smtp.envelope_from == "<>") {
      reader.fail("envelope_from", "for the null sender <> write null_sender = true");
    }
    require_bare_address(reader, "envelope_from", smtp.envelope_from);
  }
  smtp.pipelining = reader.boolean("pipelining", smtp.pipelining);
  smtp.keep_open_seconds =
      static_cast<int>(reader.integer("keep_open_seconds", smtp.keep_open_seconds, 0, 3600));
  smtp.helo = reader.string("helo", this_host_name());
  if (!smtp::is_valid_helo_name(smtp.helo)) {
    reader.fail("helo", fmt::format("\"{}\" is not a host name or address literal", smtp.helo));
  }
  return smtp;
}

StorageConfig read_storage(const TableReader& reader) {
  reader.reject_unknown({"database", "files_dir"});
  return StorageConfig{reader.path("database", true), reader.path("files_dir", true)};
}

RepliesConfig read_replies(const TableReader& reader) {
  reader.reject_unknown({"ack_template", "late_template", "max_per_sender_per_hour", "max_per_hour",
                         "max_backoff_seconds"});
  RepliesConfig replies;
  replies.ack_template = reader.readable_file("ack_template", false);
  replies.late_template = reader.readable_file("late_template", false);
  replies.max_per_sender_per_hour = static_cast<int>(
      reader.integer("max_per_sender_per_hour", replies.max_per_sender_per_hour, 0, 1000000));
  replies.max_per_hour =
      static_cast<int>(reader.integer("max_per_hour", replies.max_per_hour, 0, 1000000));
  replies.max_backoff_seconds = static_cast<int>(
      reader.integer("max_backoff_seconds", replies.max_backoff_seconds, 1, 86400));
  return replies;
}

// A [trust] table switches authentication on, so it must say whose results to believe.
TrustConfig read_trust(const TableReader& reader) {
  reader.reject_unknown({"authserv_id", "unauthenticated"});
  TrustConfig trust;
  trust.authserv_id = reader.string("authserv_id");
  if (!is_host_name_like(trust.authserv_id)) {
    reader.fail("authserv_id",
                "must be the host name that the receiving server writes in its "
                "Authentication-Results fields, e.g. \"mx.example.org\"");
  }
  const std::string unauthenticated = reader.string("unauthenticated", "withhold");
  if (unauthenticated == "withhold") {
    trust.unauthenticated = TrustConfig::Unauthenticated::withhold;
  } else if (unauthenticated == "reply") {
    trust.unauthenticated = TrustConfig::Unauthenticated::reply;
  } else {
    reader.fail("unauthenticated", fmt::format("\"{}\" is not known: use \"withhold\" or \"reply\"",
                                               escape_for_terminal(unauthenticated)));
  }
  return trust;
}

PublishConfig read_publish(const TableReader& reader) {
  reader.reject_unknown({"dir", "base_template_url"});
  PublishConfig publish;
  publish.dir = reader.path("dir", false);
  publish.base_template_url = reader.string("base_template_url", "");
  if (!publish.base_template_url.empty()) {
    const std::string problem = web_url_problem(publish.base_template_url);
    if (!problem.empty()) reader.fail("base_template_url", problem);
  }
  return publish;
}

LimitsConfig read_limits(const TableReader& reader) {
  reader.reject_unknown({"max_message_bytes", "max_parts", "max_depth", "max_header_bytes",
                         "max_header_field_bytes", "max_header_lines", "max_file_bytes",
                         "message_seconds", "parser_memory_bytes"});
  constexpr std::int64_t kKiB = 1024;
  constexpr std::int64_t kMiB = kKiB << 10;
  constexpr std::int64_t kTiB = kMiB << 20;
  const auto bytes = [&](std::string_view key, std::uint64_t fallback, std::int64_t min,
                         std::int64_t max) {
    return static_cast<std::uint64_t>(
        reader.integer(key, static_cast<std::int64_t>(fallback), min, max));
  };
  const auto count = [&](std::string_view key, int fallback, int min, int max) {
    return static_cast<int>(reader.integer(key, fallback, min, max));
  };
  LimitsConfig limits;
  limits.max_message_bytes = bytes("max_message_bytes", limits.max_message_bytes, kKiB, kTiB);
  limits.max_parts = count("max_parts", limits.max_parts, 1, 1000000);
  limits.max_depth = count("max_depth", limits.max_depth, 1, 1000);
  // RFC 5322 lines may be 998 bytes: a limit below one line would hold ordinary mail.
  limits.max_header_bytes = bytes("max_header_bytes", limits.max_header_bytes, kKiB, 1 << 30);
  limits.max_header_field_bytes =
      bytes("max_header_field_bytes", limits.max_header_field_bytes, kKiB, 1 << 30);
  if (limits.max_header_field_bytes > limits.max_header_bytes) {
    reader.fail("max_header_field_bytes", "must not exceed max_header_bytes");
  }
  limits.max_header_lines = count("max_header_lines", limits.max_header_lines, 10, 10000000);
  limits.max_file_bytes = bytes("max_file_bytes", limits.max_file_bytes, kKiB, kTiB);
  limits.message_seconds = count("message_seconds", limits.message_seconds, 1, 3600);
  // The extraction process maps its program, its libraries and their data before it reads a
  // byte of mail: below 128 MiB of address space it could not start.
  limits.parser_memory_bytes =
      bytes("parser_memory_bytes", limits.parser_memory_bytes, 128 * kMiB, kTiB);
  return limits;
}

UtcTime read_meeting_time(const TableReader& reader, std::string_view key,
                          const std::string& timezone) {
  try {
    return policy::parse_meeting_time(reader.string(key), timezone);
  } catch (const std::exception& error) {
    reader.fail(key, error.what());
  }
}

Meeting read_meeting(const TableReader& reader) {
  reader.reject_unknown(
      {"id", "title", "deadline", "closes", "timezone", "document_prefix", "first_number"});
  Meeting meeting;
  meeting.id = reader.string("id");
  if (meeting.id.empty()) reader.fail("id", "must not be empty");
  meeting.title = reader.string("title", meeting.id);
  meeting.timezone = reader.string("timezone", "");
  meeting.deadline = read_meeting_time(reader, "deadline", meeting.timezone);
  meeting.closes = read_meeting_time(reader, "closes", meeting.timezone);
  if (meeting.closes < meeting.deadline) reader.fail("closes", "is before the deadline");
  meeting.document_prefix = reader.string("document_prefix");
  if (meeting.document_prefix.empty()) reader.fail("document_prefix", "must not be empty");
  meeting.first_number = reader.integer("first_number", 1, 0, 999999999);
  try {
    storage::DocumentNumber::from_parts(meeting.document_prefix, meeting.first_number);
  } catch (const std::invalid_argument& error) {
    // A prefix that ends in many digits: refused now, not at the first registration.
    reader.fail("first_number", error.what());
  }
  return meeting;
}

std::vector<Meeting> read_meetings(const fs::path& file, const toml::table& root,
                                   FileChecks checks) {
  const toml::node* node = root.get("meeting");
  const toml::array* sections = node ? node->as_array() : nullptr;
  if (!sections || sections->empty()) {
    throw ConfigError(
        fmt::format("{}: [[meeting]]: at least one meeting is required", file.string()));
  }
  std::vector<Meeting> meetings;
  std::set<std::string> ids;
  for (std::size_t index = 0; index < sections->size(); ++index) {
    const auto* table = (*sections)[index].as_table();
    const std::string prefix = fmt::format("meeting[{}]", index);
    if (!table) throw ConfigError(fmt::format("{}: {}: must be a section", file.string(), prefix));
    TableReader reader(file, prefix, *table, checks);
    meetings.push_back(read_meeting(reader));
    if (!ids.insert(meetings.back().id).second) reader.fail("id", "used by another meeting");
  }
  std::stable_sort(meetings.begin(), meetings.end(),
                   [](const Meeting& a, const Meeting& b) { return a.closes < b.closes; });
  return meetings;
}

std::string describe_auth(const AuthConfig& config) {
  const OAuthConfig& oauth = config.oauth;
  switch (oauth.source) {
    case OAuthConfig::Source::command:
      return fmt::format("{}, token from command {}", auth::method_name(config.method),
                         oauth.token_command.front());
    case OAuthConfig::Source::client_credentials:
      return fmt::format("{}, client-credentials grant at {} for client {}, scope {}",
                         auth::method_name(config.method), oauth.token_url, oauth.client_id,
                         oauth.scope);
    case OAuthConfig::Source::refresh_token:
      return fmt::format("{}, refresh-token grant at {} for client {}",
                         auth::method_name(config.method), oauth.token_url, oauth.client_id);
  }
  return std::string(auth::method_name(config.method));
}

std::string describe_trust(const TrustConfig& trust) {
  if (trust.authserv_id.empty()) {
    return "trust    none: replies go to unverified addresses (the From or Reply-To of whoever "
           "writes); [trust] authserv_id checks them\n";
  }
  const bool withhold = trust.unauthenticated == TrustConfig::Unauthenticated::withhold;
  return fmt::format(
      "trust    senders authenticated by Authentication-Results of {}; replies to others are {}\n",
      trust.authserv_id, withhold ? "withheld" : "sent anyway");
}

std::string describe_publish(const PublishConfig& publish) {
  return fmt::format(
      "publish  {}, base template {}\n",
      publish.dir.empty() ? "no document lists" : "document lists in " + publish.dir.string(),
      publish.base_template_url.empty() ? "not linked" : publish.base_template_url);
}

std::string describe_limits(const LimitsConfig& limits) {
  return fmt::format(
      "limits   message {} bytes, {} parts, depth {}, files {} bytes\n"
      "         header {} bytes, {} lines, field {} bytes\n"
      "         taken apart within {} s in at most {} bytes of memory\n",
      limits.max_message_bytes, limits.max_parts, limits.max_depth, limits.max_file_bytes,
      limits.max_header_bytes, limits.max_header_lines, limits.max_header_field_bytes,
      limits.message_seconds, limits.parser_memory_bytes);
}

std::string security_name(net::Security security) {
  return security == net::Security::tls ? "tls" : "starttls";
}

}  // namespace

Config load_config(const fs::path& file, FileChecks checks) {
  Config config;
  config.source = fs::absolute(file).lexically_normal();
  toml::table root;
  try {
    root = toml::parse_file(config.source.string());
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw ConfigError(fmt::format("{}:{}:{}: {}", config.source.string(), where.line, where.column,
                                  error.description()));
  }
  const fs::path& source = config.source;
  const auto section = [&](std::string_view name, const toml::table& table) {
    return TableReader(source, std::string(name), table, checks);
  };
  TableReader top(source, "", root, checks);
  top.reject_unknown(
      {"imap", "smtp", "storage", "replies", "limits", "trust", "publish", "meeting"});
  config.imap = read_imap(section("imap", required_table(source, root, "imap")));
  config.smtp = read_smtp(section("smtp", required_table(source, root, "smtp")));
  config.storage = read_storage(section("storage", required_table(source, root, "storage")));
  static const toml::table empty;
  const auto* replies = optional_table(source, root, "replies");
  config.replies = read_replies(section("replies", replies ? *replies : empty));
  const auto* limits = optional_table(source, root, "limits");
  config.limits = read_limits(section("limits", limits ? *limits : empty));
  if (const auto* trust = optional_table(source, root, "trust")) {
    config.trust = read_trust(section("trust", *trust));
  }
  if (const auto* publish = optional_table(source, root, "publish")) {
    config.publish = read_publish(section("publish", *publish));
  }
  config.meetings = read_meetings(source, root, checks);
  return config;
}

std::string read_secret(const fs::path& file, const std::string& key) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ConfigError(
        fmt::format("{}: cannot read {}: {}", key, file.string(), std::strerror(errno)));
  }
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) throw ConfigError(fmt::format("{}: {} is empty", key, file.string()));
  return secret;
}

MailWait mail_wait(const ImapConfig& imap, bool idle_offered) {
  if (imap.noop_interval_ms > 0) return MailWait::noop;
  return imap.idle && idle_offered ? MailWait::idle : MailWait::poll;
}

std::string describe_waiting(const ImapConfig& imap, std::optional<bool> idle_offered) {
  switch (mail_wait(imap, idle_offered.value_or(true))) {
    case MailWait::noop:
      return fmt::format("NOOP every {} ms instead of IDLE", imap.noop_interval_ms);
    case MailWait::idle:
      return fmt::format("IDLE{}, renewed every {} s", idle_offered ? "" : " when offered",
                         imap.idle_refresh_seconds);
    case MailWait::poll:
      break;
  }
  return fmt::format("polling every {} s", imap.poll_interval_seconds);
}

std::string describe(const Config& config) {
  std::ostringstream out;
  const auto endpoint = [](const net::Endpoint& e) {
    return fmt::format("{}:{} ({}{})", e.host, e.port, security_name(e.security),
                       e.ca_file.empty() ? "" : ", extra CA " + e.ca_file);
  };
  out << fmt::format("config {}\n", config.source.string());
  out << fmt::format("imap     {} as {}, folder {} -> {}, held -> {}, {}\n",
                     endpoint(config.imap.endpoint), config.imap.username, config.imap.folder,
                     config.imap.processed_folder, config.imap.review_folder,
                     describe_waiting(config.imap));
  if (config.imap.auth.method != auth::Method::password) {
    out << fmt::format("         signs in with {}\n", describe_auth(config.imap.auth));
  }
  if (!ascii::starts_with_ignoring_case(config.imap.processed_folder, "INBOX")) {
    // Said before the server is asked: it may keep folders below a prefix (folder_placement.h).
    out << fmt::format(
        "         folders without a prefix go below the server's personal namespace when it "
        "has one (Cyrus: INBOX.{}); to choose, write the full name, e.g. processed_folder = "
        "\"INBOX.{}\"\n",
        config.imap.processed_folder, config.imap.processed_folder);
  }
  for (const std::string& note : config.imap.folder_notes) {
    out << fmt::format("         note: {}\n", note);
  }
  out << fmt::format(
      "smtp     {} as {}, replies from {}, envelope from <{}>, EHLO {}, pipelining {}, session "
      "kept open {} s\n",
      endpoint(config.smtp.endpoint), config.smtp.username, config.smtp.from,
      config.smtp.envelope_from, config.smtp.helo, config.smtp.pipelining ? "when offered" : "off",
      config.smtp.keep_open_seconds);
  if (config.smtp.auth.method != auth::Method::password) {
    out << fmt::format("         signs in with {}\n", describe_auth(config.smtp.auth));
  }
  out << fmt::format("storage  database {}, files {}\n", config.storage.database.string(),
                     config.storage.files_dir.string());
  out << fmt::format(
      "replies  ack {}, late {}, at most {} per sender and {} in all per hour, retried at "
      "most {} s apart\n",
      config.replies.ack_template.empty() ? "built-in" : config.replies.ack_template.string(),
      config.replies.late_template.empty() ? "built-in" : config.replies.late_template.string(),
      config.replies.max_per_sender_per_hour, config.replies.max_per_hour,
      config.replies.max_backoff_seconds);
  out << describe_trust(config.trust);
  out << describe_publish(config.publish);
  out << describe_limits(config.limits);
  for (const Meeting& meeting : config.meetings) {
    out << fmt::format(
        "meeting  {} ({}): deadline {}, closes {}, numbers {}+\n", meeting.id, meeting.title,
        storage::format_utc(meeting.deadline), storage::format_utc(meeting.closes),
        storage::DocumentNumber::from_parts(meeting.document_prefix, meeting.first_number).text());
  }
  return out.str();
}

}  // namespace contribd
