#include "daemon/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/auth/oauth_grant.h"
#include "daemon/policy/deadline.h"

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

  fs::path readable_file(std::string_view key, bool required) const {
    fs::path value = path(key, required);
    if (value.empty() || checks_ == FileChecks::skip) return value;
    std::ifstream probe(value, std::ios::binary);
    if (!probe) fail(key, fmt::format("cannot read {}: {}", value.string(), std::strerror(errno)));
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

ImapConfig read_imap(const TableReader& reader) {
  reader.reject_unknown({"host", "port", "security", "ca_file", "username", "password_file", "auth",
                         "oauth", "folder", "processed_folder", "idle", "poll_interval_seconds",
                         "timeout_seconds", "idle_refresh_seconds"});
  ImapConfig imap;
  imap.endpoint = read_endpoint(reader, 993, "tls");
  imap.username = reader.string("username");
  imap.auth = read_auth(reader, imap.password_file);
  imap.folder = reader.string("folder", "INBOX");
  imap.processed_folder = reader.string("processed_folder", "Registered");
  if (imap.processed_folder == imap.folder) {
    reader.fail("processed_folder", "must differ from folder");
  }
  imap.idle = reader.boolean("idle", true);
  imap.poll_interval_seconds =
      static_cast<int>(reader.integer("poll_interval_seconds", 60, 1, 86400));
  imap.idle_refresh_seconds =
      static_cast<int>(reader.integer("idle_refresh_seconds", 300, 5, 1740));
  return imap;
}

SmtpConfig read_smtp(const TableReader& reader) {
  reader.reject_unknown({"host", "port", "security", "ca_file", "username", "password_file", "auth",
                         "oauth", "from", "from_name", "envelope_from", "timeout_seconds"});
  SmtpConfig smtp;
  smtp.endpoint = read_endpoint(reader, 587, "starttls");
  smtp.username = reader.string("username");
  smtp.auth = read_auth(reader, smtp.password_file);
  smtp.from = reader.string("from");
  if (smtp.from.find('@') == std::string::npos) reader.fail("from", "must be an e-mail address");
  smtp.from_name = reader.string("from_name", "");
  smtp.envelope_from = reader.string("envelope_from", "");
  return smtp;
}

StorageConfig read_storage(const TableReader& reader) {
  reader.reject_unknown({"database", "files_dir"});
  return StorageConfig{reader.path("database", true), reader.path("files_dir", true)};
}

RepliesConfig read_replies(const TableReader& reader) {
  reader.reject_unknown({"ack_template", "late_template", "max_per_sender_per_hour"});
  RepliesConfig replies;
  replies.ack_template = reader.readable_file("ack_template", false);
  replies.late_template = reader.readable_file("late_template", false);
  replies.max_per_sender_per_hour =
      static_cast<int>(reader.integer("max_per_sender_per_hour", 10, 0, 1000000));
  return replies;
}

LimitsConfig read_limits(const TableReader& reader) {
  reader.reject_unknown({"max_message_bytes", "max_parts", "max_depth"});
  LimitsConfig limits;
  limits.max_message_bytes = static_cast<std::uint64_t>(
      reader.integer("max_message_bytes", static_cast<std::int64_t>(limits.max_message_bytes), 1024,
                     std::int64_t{1} << 40));
  limits.max_parts = static_cast<int>(reader.integer("max_parts", limits.max_parts, 1, 1000000));
  limits.max_depth = static_cast<int>(reader.integer("max_depth", limits.max_depth, 1, 1000));
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
  top.reject_unknown({"imap", "smtp", "storage", "replies", "limits", "meeting"});
  config.imap = read_imap(section("imap", required_table(source, root, "imap")));
  config.smtp = read_smtp(section("smtp", required_table(source, root, "smtp")));
  config.storage = read_storage(section("storage", required_table(source, root, "storage")));
  static const toml::table empty;
  const auto* replies = root.get_as<toml::table>("replies");
  config.replies = read_replies(section("replies", replies ? *replies : empty));
  const auto* limits = root.get_as<toml::table>("limits");
  config.limits = read_limits(section("limits", limits ? *limits : empty));
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

std::string describe(const Config& config) {
  std::ostringstream out;
  const auto endpoint = [](const net::Endpoint& e) {
    return fmt::format("{}:{} ({}{})", e.host, e.port, security_name(e.security),
                       e.ca_file.empty() ? "" : ", extra CA " + e.ca_file);
  };
  out << fmt::format("config {}\n", config.source.string());
  out << fmt::format(
      "imap     {} as {}, folder {} -> {}, {}\n", endpoint(config.imap.endpoint),
      config.imap.username, config.imap.folder, config.imap.processed_folder,
      config.imap.idle
          ? fmt::format("IDLE when offered, renewed every {} s", config.imap.idle_refresh_seconds)
          : fmt::format("poll every {} s", config.imap.poll_interval_seconds));
  if (config.imap.auth.method != auth::Method::password) {
    out << fmt::format("         signs in with {}\n", describe_auth(config.imap.auth));
  }
  out << fmt::format("smtp     {} as {}, replies from {}\n", endpoint(config.smtp.endpoint),
                     config.smtp.username, config.smtp.from);
  if (config.smtp.auth.method != auth::Method::password) {
    out << fmt::format("         signs in with {}\n", describe_auth(config.smtp.auth));
  }
  out << fmt::format("storage  database {}, files {}\n", config.storage.database.string(),
                     config.storage.files_dir.string());
  out << fmt::format(
      "replies  ack {}, late {}, at most {} per sender per hour\n",
      config.replies.ack_template.empty() ? "built-in" : config.replies.ack_template.string(),
      config.replies.late_template.empty() ? "built-in" : config.replies.late_template.string(),
      config.replies.max_per_sender_per_hour);
  out << fmt::format("limits   message {} bytes, {} parts, depth {}\n",
                     config.limits.max_message_bytes, config.limits.max_parts,
                     config.limits.max_depth);
  for (const Meeting& meeting : config.meetings) {
    out << fmt::format("meeting  {} ({}): deadline {}, closes {}, numbers {}{:03}+\n", meeting.id,
                       meeting.title, policy::rfc3339(meeting.deadline),
                       policy::rfc3339(meeting.closes), meeting.document_prefix,
                       meeting.first_number);
  }
  return out.str();
}

}  // namespace contribd
