#include "daemon/imap/imap_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <optional>

#include "daemon/auth/sasl.h"
#include "daemon/auth/token_source.h"
#include "parsers/base64.h"
#include "parsers/imap_arguments.h"
#include "parsers/imap_date.h"
#include "parsers/printable.h"

namespace contribd::imap {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

constexpr std::size_t kMaxLine = 1 << 20;
constexpr std::size_t kMaxExcerpt = 120;

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Server bytes as they may appear in an error message: printable, bounded.
std::string excerpt(std::string_view bytes) {
  return printable(bytes, kMaxExcerpt);
}

std::optional<std::uint32_t> as_uint32(const Value* value) {
  if (!value || value->kind != Value::Kind::number || value->number > UINT32_MAX) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value->number);
}

std::optional<std::uint32_t> code_number(const Response& response, std::string_view code) {
  if (!response.code || response.code->name != code || response.code->values.empty()) {
    return std::nullopt;
  }
  return as_uint32(&response.code->values.front());
}

bool has_flag(const Value& flags, std::string_view flag) {
  if (flags.kind != Value::Kind::list) return false;
  for (const Value& item : flags.items) {
    if (item.is_atom(flag)) return true;
  }
  return false;
}

// True when the line announcing a literal ends with "BODY[] {n}": the message itself.
bool announces_body(std::string_view line) {
  const std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return false;
  std::string_view before = line.substr(0, open);
  while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
  constexpr std::string_view kBody = "BODY[]";
  if (before.size() < kBody.size()) return false;
  const std::string_view tail = before.substr(before.size() - kBody.size());
  return std::equal(tail.begin(), tail.end(), kBody.begin(), [](char a, char b) {
    return (a >= 'a' && a <= 'z' ? static_cast<char>(a - 32) : a) == b;
  });
}

// Sorted, distinct UIDs as an IMAP sequence set with ranges: "3:5,9,12:13".
std::string uid_set(const std::vector<std::uint32_t>& uids) {
  std::string set;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t last = i;
    while (last + 1 < uids.size() && uids[last + 1] == uids[last] + 1) ++last;
    if (!set.empty()) set += ',';
    set += last == i ? fmt::format("{}", uids[i]) : fmt::format("{}:{}", uids[i], uids[last]);
    i = last + 1;
  }
  return set;
}

}  // namespace

struct Session::IdleState {
  IdleState(asio::any_io_executor executor, std::chrono::steady_clock::duration read_wait)
      : timer(std::move(executor)), read_wait(read_wait) {}
  asio::steady_timer timer;  // fires at max_wait: time to send DONE
  std::chrono::steady_clock::duration read_wait;
  bool done_sent = false;
  bool arrived = false;
};

Session::Session(std::unique_ptr<net::Connection> connection)
    : connection_(std::move(connection)) {}

Session::~Session() = default;

std::string Session::peer() const {
  return connection_->peer();
}

const net::Endpoint& Session::endpoint() const {
  return connection_->endpoint();
}

bool Session::has_capability(std::string_view name) const {
  return capabilities_.contains(to_upper(name));
}

std::string Session::next_tag() {
  return fmt::format("A{}", ++tag_counter_);
}

void Session::fail(std::string_view what, const Response& status) const {
  throw ImapError(fmt::format("{}: {} failed: {}", peer(), what, status_text(status)),
                  condition_of(status));
}

std::string Session::folder_wire(std::string_view folder) const {
  FolderArgument argument = folder_argument(folder);
  if (!argument.error.empty()) throw ImapError(fmt::format("{}: {}", peer(), argument.error));
  return argument.wire;
}

// --- transport: every NetError becomes an ImapError with the same text -------------------

asio::awaitable<std::string> Session::read_line(std::chrono::steady_clock::duration wait) {
  try {
    co_return co_await connection_->read_line_within(wait, kMaxLine);
  } catch (const net::NetError& e) {
    throw ImapError(e.what());
  }
}

asio::awaitable<void> Session::send(std::string_view bytes) {
  try {
    co_await connection_->write(bytes);
  } catch (const net::NetError& e) {
    throw ImapError(e.what());
  }
}

// Reads a line, and while it announces a literal, the literal and the next line; then
// parses the whole. An untagged response that cannot be parsed is skipped with a warning
// (a server extension contribd does not know); anything else unreadable is an error.
asio::awaitable<Response> Session::read_response(std::chrono::steady_clock::duration wait) {
  co_return co_await read_response_spooling(wait, nullptr, nullptr);
}

asio::awaitable<Response> Session::read_response_spooling(
    std::chrono::steady_clock::duration wait, storage::SpoolFile* spool,
    std::optional<storage::SpoolRange>* body) {
  for (;;) {
    if (body) body->reset();
    std::string bytes = co_await read_line(wait);
    std::size_t line_start = 0;
    while (auto length = announced_literal(std::string_view(bytes).substr(line_start))) {
      if (*length > kMaxLiteralBytes) {
        throw ImapError(fmt::format(
            "{}: server announced a literal of {} bytes, more than the {} bytes accepted", peer(),
            *length, kMaxLiteralBytes));
      }
      const bool to_spool =
          spool && !*body && announces_body(std::string_view(bytes).substr(line_start));
      try {
        if (to_spool) {
          *body = storage::SpoolRange{spool->size(), *length};
          co_await connection_->read_exact_to(static_cast<std::size_t>(*length), *spool);
          // The parser sees an empty literal where the body was.
          bytes.replace(bytes.rfind('{'), std::string::npos, "{0}");
          bytes += "\r\n";
        } else {
          if (bytes.size() + *length > kMaxLiteralBytes + kMaxLine) {
            throw ImapError(
                fmt::format("{}: response with literals over {} bytes", peer(), kMaxLiteralBytes));
          }
          bytes += "\r\n";
          co_await connection_->read_exact(static_cast<std::size_t>(*length), bytes);
        }
      } catch (const net::NetError& e) {
        throw ImapError(e.what());
      }
      line_start = bytes.size();
      bytes += co_await read_line(endpoint().timeout);
    }
    ParseResult parsed = parse_response(bytes);
    if (parsed.response) co_return std::move(*parsed.response);
    if (bytes.starts_with("* ")) {
      spdlog::warn("IMAP {}: ignored an unreadable untagged response ({}): {}", peer(),
                   parsed.error, excerpt(bytes));
      continue;
    }
    throw ImapError(fmt::format("{}: unreadable response from the server ({}): {}", peer(),
                                parsed.error, excerpt(bytes)));
  }
}

asio::awaitable<Response> Session::read_response() {
  co_return co_await read_response(endpoint().timeout);
}

// What every untagged response may change, whichever command it came with.
void Session::observe(const Response& untagged, std::string_view during) {
  if (untagged.status == Status::bye) {
    throw ImapError(fmt::format("{}: server ended the session during {}: {}", peer(), during,
                                status_text(untagged)),
                    condition_of(untagged));
  }
  if (auto names = capabilities(untagged)) capabilities_ = {names->begin(), names->end()};
  if (untagged.name == "EXISTS" && untagged.number) {
    exists_ = *untagged.number;
    mail_arrived_ = true;
  } else if (untagged.name == "EXPUNGE" && exists_ > 0) {
    --exists_;
  }
}

bool Session::answers(const Response& response, std::string_view tag, std::string_view what) const {
  if (response.kind == Response::Kind::continuation) {
    throw ImapError(fmt::format("{}: unexpected continuation request during {}", peer(), what));
  }
  if (response.kind != Response::Kind::tagged) return false;
  if (response.tag != tag) {
    throw ImapError(fmt::format("{}: answer for unknown tag {} during {} (tag {})", peer(),
                                excerpt(response.tag), what, tag));
  }
  return true;
}

// The untagged responses up to the tagged answer for `tag`.
asio::awaitable<Session::Reply> Session::collect(std::string_view tag, std::string_view what) {
  Reply reply;
  for (;;) {
    Response response = co_await read_response();
    if (answers(response, tag, what)) {
      if (auto names = capabilities(response)) capabilities_ = {names->begin(), names->end()};
      spdlog::debug("IMAP {}: S: {} {} {}", peer(), tag, response.name, status_text(response));
      reply.status = std::move(response);
      co_return reply;
    }
    observe(response, what);
    reply.data.push_back(std::move(response));
  }
}

asio::awaitable<Session::Reply> Session::exchange(std::string_view command, std::string_view what,
                                                  std::string_view shown) {
  const std::string tag = next_tag();
  spdlog::debug("IMAP {}: C: {} {}", peer(), tag, shown.empty() ? command : shown);
  co_await send(fmt::format("{} {}\r\n", tag, command));
  co_return co_await collect(tag, what);
}

asio::awaitable<Session::Reply> Session::run(std::string_view command, std::string_view what) {
  Reply reply = co_await exchange(command, what);
  if (reply.status.status != Status::ok) fail(what, reply.status);
  co_return reply;
}

// --- connecting and logging in -------------------------------------------------------------

asio::awaitable<std::unique_ptr<Session>> Session::connect(asio::any_io_executor executor,
                                                           net::Endpoint endpoint,
                                                           Credentials credentials) {
  std::unique_ptr<net::Connection> connection;
  try {
    connection = co_await net::Connection::open(std::move(executor), endpoint);
  } catch (const net::NetError& e) {
    throw ImapError(e.what());
  }
  std::unique_ptr<Session> session(new Session(std::move(connection)));
  const bool preauthenticated = co_await session->greet();
  if (endpoint.security == net::Security::starttls) {
    if (preauthenticated) {
      throw ImapError(
          fmt::format("{}: server greeted with PREAUTH before TLS; refusing an "
                      "unencrypted session",
                      session->peer()));
    }
    co_await session->upgrade_to_tls();
  }
  if (!preauthenticated) co_await session->authenticate(credentials);
  co_return session;
}

// The greeting: OK (log in next), PREAUTH (already logged in) or BYE (go away).
asio::awaitable<bool> Session::greet() {
  Response greeting = co_await read_response();
  if (greeting.kind != Response::Kind::untagged || !greeting.status) {
    throw ImapError(fmt::format("{}: expected a greeting, got: {} {}", peer(), greeting.name,
                                status_text(greeting)));
  }
  if (*greeting.status == Status::bye || *greeting.status == Status::no ||
      *greeting.status == Status::bad) {
    throw ImapError(
        fmt::format("{}: server refused the connection: {}", peer(), status_text(greeting)),
        condition_of(greeting));
  }
  if (auto names = capabilities(greeting)) capabilities_ = {names->begin(), names->end()};
  co_return *greeting.status == Status::preauth;
}

asio::awaitable<void> Session::refresh_capabilities() {
  Reply reply = co_await run("CAPABILITY", "CAPABILITY");
  if (capabilities_.empty()) {
    throw ImapError(fmt::format("{}: CAPABILITY returned no capabilities", peer()));
  }
}

asio::awaitable<void> Session::upgrade_to_tls() {
  if (capabilities_.empty()) co_await refresh_capabilities();
  if (!has_capability("STARTTLS")) {
    throw ImapError(
        fmt::format("{}: server does not offer STARTTLS; refusing to log in without TLS", peer()));
  }
  co_await run("STARTTLS", "STARTTLS");
  try {
    co_await connection_->start_tls();
  } catch (const net::NetError& e) {
    throw ImapError(e.what());
  }
  // What the server said in plaintext may have been forged (RFC 3501 section 6.2.1).
  capabilities_.clear();
  co_await refresh_capabilities();
}

// g++ 12 at -O2 pairs the coroutine frame's aligned allocation with the frame's sized delete
// in these functions and reports a mismatch that is not there (both go through Asio's
// thread_info_base, which uses aligned_alloc and free).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

asio::awaitable<void> Session::authenticate(const Credentials& credentials) {
  if (!connection_->is_tls()) {
    throw ImapError(fmt::format("{}: refusing to send credentials without TLS", peer()));
  }
  if (capabilities_.empty()) co_await refresh_capabilities();
  const std::string user = excerpt(credentials.username);
  Response status;
  if (credentials.uses_token()) {
    status = co_await authenticate_token(credentials);
  } else if (has_capability("AUTH=PLAIN")) {
    status = co_await authenticate_plain(credentials);
  } else if (has_capability("LOGINDISABLED")) {
    throw ImapError(fmt::format(
        "{}: server offers neither AUTH=PLAIN nor LOGIN; cannot log in as {}", peer(), user));
  } else {
    status = co_await login(credentials);
  }
  const Condition condition = condition_of(status);
  // Throttled or unavailable is the server's state, not a verdict on the credentials.
  if (status.status == Status::no && !is_temporary(condition.code)) {
    throw AuthError(fmt::format("{}: login as {} refused: {}", peer(), user, status_text(status)),
                    condition);
  }
  if (status.status != Status::ok) {
    throw ImapError(fmt::format("{}: login as {} failed: {}", peer(), user, status_text(status)),
                    condition);
  }
  spdlog::debug("IMAP {}: logged in as {}", peer(), user);
  // Capabilities change after login (RFC 3501 section 6.2.3); the OK may have listed them.
  if (!capabilities(status)) {
    capabilities_.clear();
    co_await refresh_capabilities();
  }
}

asio::awaitable<Response> Session::authenticate_plain(const Credentials& credentials) {
  std::string message;
  message += '\0';
  message += credentials.username;
  message += '\0';
  message += credentials.password;
  const std::string payload = encode_base64(message);
  const std::string tag = next_tag();
  if (has_capability("SASL-IR")) {
    spdlog::debug("IMAP {}: C: {} AUTHENTICATE PLAIN (credentials not shown)", peer(), tag);
    co_await send(fmt::format("{} AUTHENTICATE PLAIN {}\r\n", tag, payload));
  } else {
    spdlog::debug("IMAP {}: C: {} AUTHENTICATE PLAIN", peer(), tag);
    co_await send(fmt::format("{} AUTHENTICATE PLAIN\r\n", tag));
    for (;;) {
      Response response = co_await read_response();
      if (response.kind == Response::Kind::continuation) break;
      if (response.kind == Response::Kind::tagged && response.tag == tag) co_return response;
      observe(response, "AUTHENTICATE PLAIN");
    }
    co_await send(payload + "\r\n");
  }
  co_return (co_await collect(tag, "AUTHENTICATE PLAIN")).status;
}

// A refused token is tried once more, freshly fetched: the cached one may have been revoked or
// may have expired before the provider said it would. A second refusal is final.
asio::awaitable<Response> Session::authenticate_token(const Credentials& credentials) {
  const std::string mechanism(auth::sasl_name(credentials.method));
  const std::string user = excerpt(credentials.username);
  if (!has_capability("AUTH=" + mechanism)) {
    throw ImapError(fmt::format("{}: server does not offer AUTH={}; cannot sign in as {}", peer(),
                                mechanism, user));
  }
  TokenAttempt attempt;
  for (int round = 0; round < 2; ++round) {
    std::string token;
    try {
      token = co_await credentials.tokens->access_token(round > 0);
    } catch (const auth::TokenError& e) {
      throw ImapError(fmt::format("{}: {}", peer(), e.what()));
    }
    const net::Endpoint& where = endpoint();
    std::string initial = auth::initial_response(credentials.method, credentials.username, token,
                                                 where.host, where.port);
    attempt = co_await authenticate_token_once(credentials.method, std::move(initial));
    if (attempt.status.status != Status::no) co_return attempt.status;
    if (round == 0) {
      spdlog::info(
          "IMAP {}: {} sign-in as {} refused ({}); trying once more with a fresh token", peer(),
          mechanism, user,
          attempt.server_error.empty() ? status_text(attempt.status) : attempt.server_error);
    }
  }
  throw AuthError(fmt::format("{}: {} sign-in as {} refused, also with a fresh token: {}{}{}{}",
                              peer(), mechanism, user, status_text(attempt.status),
                              attempt.server_error.empty() ? "" : " (", attempt.server_error,
                              attempt.server_error.empty() ? "" : ")"));
}

// AUTHENTICATE with the initial response on the command line when SASL-IR is offered, else
// after the first continuation. A later continuation is the server's error challenge: it is
// answered as the mechanism wants so that the server can send its tagged NO.
asio::awaitable<Session::TokenAttempt> Session::authenticate_token_once(auth::Method method,
                                                                        std::string initial) {
  const std::string mechanism(auth::sasl_name(method));
  const std::string what = "AUTHENTICATE " + mechanism;
  const std::string tag = next_tag();
  bool initial_sent = has_capability("SASL-IR");
  spdlog::debug("IMAP {}: C: {} {} (token not shown)", peer(), tag, what);
  // Named, not a conditional temporary: g++ 12 destroys those twice inside co_await.
  const std::string command = initial_sent ? fmt::format("{} {} {}\r\n", tag, what, initial)
                                           : fmt::format("{} {}\r\n", tag, what);
  co_await send(command);
  TokenAttempt attempt;
  bool challenge_answered = false;
  for (;;) {
    Response response = co_await read_response();
    if (response.kind == Response::Kind::continuation) {
      if (!initial_sent) {
        initial_sent = true;
        co_await send(initial + "\r\n");
      } else if (!challenge_answered) {
        challenge_answered = true;
        attempt.server_error = auth::describe(auth::parse_server_error(response.text));
        co_await send(auth::error_challenge_reply(method) + "\r\n");
      } else {
        co_await send("*\r\n");  // a second challenge: cancel (RFC 3501 section 6.2.2)
      }
      continue;
    }
    if (response.kind == Response::Kind::tagged) {
      if (response.tag != tag) {
        throw ImapError(fmt::format("{}: answer for unknown tag {} during {} (tag {})", peer(),
                                    excerpt(response.tag), what, tag));
      }
      spdlog::debug("IMAP {}: S: {} {} {}", peer(), tag, response.name, status_text(response));
      if (auto names = capabilities(response)) capabilities_ = {names->begin(), names->end()};
      attempt.status = std::move(response);
      co_return attempt;
    }
    observe(response, what);
  }
}

#pragma GCC diagnostic pop

// LOGIN with quoted strings, or literals for values a quoted string cannot carry.
asio::awaitable<Response> Session::login(const Credentials& credentials) {
  const std::string tag = next_tag();
  spdlog::debug("IMAP {}: C: {} LOGIN {} (password not shown)", peer(), tag,
                excerpt(credentials.username));
  const bool non_synchronizing = has_capability("LITERAL+");
  std::string pending = tag + " LOGIN";
  for (const std::string* value : {&credentials.username, &credentials.password}) {
    pending += ' ';
    if (auto quoted = quoted_string(*value)) {
      pending += *quoted;
      continue;
    }
    if (non_synchronizing) {
      pending += fmt::format("{{{}+}}\r\n{}", value->size(), *value);
      continue;
    }
    pending += fmt::format("{{{}}}\r\n", value->size());
    co_await send(pending);
    for (;;) {
      Response response = co_await read_response();
      if (response.kind == Response::Kind::continuation) break;
      if (response.kind == Response::Kind::tagged && response.tag == tag) co_return response;
      observe(response, "LOGIN");
    }
    pending = *value;
  }
  co_await send(pending + "\r\n");
  co_return (co_await collect(tag, "LOGIN")).status;
}

// --- mailbox commands ----------------------------------------------------------------------

asio::awaitable<MailboxState> Session::select(std::string folder) {
  const std::string what = "SELECT " + folder_wire(folder);
  const bool condstore = has_capability("CONDSTORE");
  // Named, not a conditional temporary: g++ 12 destroys those twice inside co_await.
  const std::string command = condstore ? what + " (CONDSTORE)" : what;
  Reply reply = co_await run(command, what);
  MailboxState state;
  bool exists_seen = false;
  for (const Response& response : reply.data) {
    if (response.name == "EXISTS" && response.number) {
      state.exists = *response.number;
      exists_seen = true;
    }
    if (auto uidvalidity = code_number(response, "UIDVALIDITY")) state.uidvalidity = *uidvalidity;
    if (auto uidnext = code_number(response, "UIDNEXT")) state.uidnext = *uidnext;
    if (condstore && response.code && response.code->name == "HIGHESTMODSEQ" &&
        !response.code->values.empty() &&
        response.code->values.front().kind == Value::Kind::number) {
      state.highestmodseq = response.code->values.front().number;
    }
  }
  if (state.uidvalidity == 0 || !exists_seen) {
    throw ImapError(fmt::format("{}: {} gave no {}", peer(), what,
                                state.uidvalidity == 0 ? "UIDVALIDITY" : "EXISTS count"));
  }
  exists_ = state.exists;
  mail_arrived_ = false;  // the caller lists what SELECT just counted
  co_return state;
}

asio::awaitable<std::vector<MessageSummary>> Session::list_messages(std::uint32_t from_uid) {
  mail_arrived_ = false;
  from_uid = std::max<std::uint32_t>(from_uid, 1);
  if (exists_ == 0) co_return std::vector<MessageSummary>{};
  const std::string command =
      fmt::format("UID FETCH {}:* (UID RFC822.SIZE INTERNALDATE)", from_uid);
  Reply reply = co_await exchange(command, command);
  if (reply.status.status != Status::ok) {
    // Messages expunged meanwhile may have emptied the folder: then the refusal means "none".
    if (exists_ != 0) fail(command, reply.status);
    spdlog::debug("IMAP {}: {} refused on an empty folder ({}): nothing to list", peer(), command,
                  status_text(reply.status));
    co_return std::vector<MessageSummary>{};
  }
  std::map<std::uint32_t, MessageSummary> by_uid;
  for (const Response& response : reply.data) {
    const auto uid = as_uint32(fetch_attribute(response, "UID"));
    // "n:*" names the last message even when its UID is below n (RFC 3501 section 6.4.8).
    if (uid && *uid < from_uid) continue;
    const Value* size = fetch_attribute(response, "RFC822.SIZE");
    const Value* date = fetch_attribute(response, "INTERNALDATE");
    if (!uid || !size || !date) continue;  // e.g. an unsolicited FLAGS update
    const auto date_text = date->as_text();
    const auto received = date_text ? parse_internal_date(*date_text) : std::nullopt;
    if (!received || size->kind != Value::Kind::number) {
      spdlog::warn("IMAP {}: UID {} left out: unreadable INTERNALDATE \"{}\" or RFC822.SIZE",
                   peer(), *uid, excerpt(date_text.value_or("NIL")));
      continue;
    }
    by_uid[*uid] = MessageSummary{*uid, size->number, *received};
  }
  std::vector<MessageSummary> messages;
  messages.reserve(by_uid.size());
  for (auto& [uid, summary] : by_uid) messages.push_back(summary);
  co_return messages;
}

asio::awaitable<std::optional<Namespaces>> Session::namespaces() {
  if (!has_capability("NAMESPACE")) co_return std::nullopt;
  Reply reply = co_await exchange("NAMESPACE", "NAMESPACE");
  if (reply.status.status != Status::ok) {
    spdlog::warn("IMAP {}: NAMESPACE refused ({}); folder names are used as configured", peer(),
                 status_text(reply.status));
    co_return std::nullopt;
  }
  for (const Response& response : reply.data) {
    if (auto spaces = parse_namespaces(response)) {
      for (const std::string& defect : spaces->defects) {
        spdlog::warn("IMAP {}: NAMESPACE: {}; left out", peer(), defect);
      }
      co_return spaces;
    }
  }
  spdlog::warn(
      "IMAP {}: NAMESPACE answered without namespaces; folder names are used as "
      "configured",
      peer());
  co_return std::nullopt;
}

asio::awaitable<bool> Session::folder_listed(std::string_view wire) {
  Reply listing = co_await run(fmt::format("LIST \"\" {}", wire), fmt::format("LIST {}", wire));
  const std::string_view wanted = wire.substr(1, wire.size() - 2);  // as the server writes it
  for (const Response& response : listing.data) {
    if (response.name != "LIST" || response.values.size() < 3) continue;
    const auto name = response.values[2].as_text();
    const bool same =
        name && (*name == wanted || (to_upper(*name) == "INBOX" && to_upper(wanted) == "INBOX"));
    if (same && !has_flag(response.values[0], "\\NONEXISTENT")) co_return true;
  }
  co_return false;
}

asio::awaitable<void> Session::ensure_folder(std::string folder) {
  const std::string wire = folder_wire(folder);
  if (co_await folder_listed(wire)) co_return;
  Reply created = co_await exchange("CREATE " + wire, "CREATE " + wire);
  if (created.status.status == Status::ok) {
    spdlog::info("IMAP {}: created folder {}", peer(), wire);
    co_return;
  }
  // Another client created it meanwhile. Dovecot says so with [ALREADYEXISTS]; Cyrus only in
  // words ("NO Mailbox already exists"), so a refusal is checked against the folder list.
  if (created.status.code && created.status.code->name == "ALREADYEXISTS") co_return;
  if (co_await folder_listed(wire)) co_return;
  throw CreateRefused(
      fmt::format("{}: CREATE {} failed: {}", peer(), wire, status_text(created.status)));
}

asio::awaitable<SpooledBatch> Session::fetch_batch(std::vector<std::uint32_t> uids,
                                                   std::filesystem::path spool_folder,
                                                   std::uint64_t expected_bytes) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  SpooledBatch batch;
  if (uids.empty()) co_return batch;
  batch.file = storage::SpoolFile::create(spool_folder, expected_bytes);
  const std::string set = uid_set(uids);
  const std::string what = fmt::format("UID FETCH {}", excerpt(set));
  const std::string tag = next_tag();
  spdlog::debug("IMAP {}: C: {} UID FETCH {} (BODY.PEEK[] INTERNALDATE)", peer(), tag,
                excerpt(set));
  co_await send(fmt::format("{} UID FETCH {} (BODY.PEEK[] INTERNALDATE)\r\n", tag, set));

  std::map<std::uint32_t, SpooledMessage> by_uid;
  for (;;) {
    std::optional<storage::SpoolRange> body;
    Response response = co_await read_response_spooling(endpoint().timeout, &batch.file, &body);
    if (answers(response, tag, what)) {
      if (response.status != Status::ok) fail(what, response);
      break;
    }
    observe(response, what);
    const auto uid = as_uint32(fetch_attribute(response, "UID"));
    if (!body || !uid || !std::binary_search(uids.begin(), uids.end(), *uid)) continue;
    const Value* date = fetch_attribute(response, "INTERNALDATE");
    const auto date_text = date ? date->as_text() : std::nullopt;
    const auto received = date_text ? parse_internal_date(*date_text) : std::nullopt;
    if (!received) {
      throw ImapError(fmt::format("{}: {}: UID {}: unreadable INTERNALDATE \"{}\"", peer(), what,
                                  *uid, excerpt(date_text.value_or("NIL"))));
    }
    by_uid.insert_or_assign(*uid, SpooledMessage{*uid, *received, *body});
  }
  batch.messages.reserve(by_uid.size());
  for (auto& [uid, message] : by_uid) batch.messages.push_back(message);
  co_return batch;
}

asio::awaitable<void> Session::move_batch(std::vector<std::uint32_t> uids, std::string folder) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  if (uids.empty()) co_return;
  const std::string wire = folder_wire(folder);
  const std::string set = uid_set(uids);
  if (has_capability("MOVE")) {
    co_await run(fmt::format("UID MOVE {} {}", set, wire),
                 fmt::format("UID MOVE {} to {}", excerpt(set), wire));
    co_return;
  }
  co_await run(fmt::format("UID COPY {} {}", set, wire),
               fmt::format("UID COPY {} to {}", excerpt(set), wire));
  const std::string store = fmt::format("UID STORE {} +FLAGS.SILENT (\\Deleted)", set);
  co_await run(store, excerpt(store));
  if (has_capability("UIDPLUS")) {
    const std::string expunge = fmt::format("UID EXPUNGE {}", set);
    co_await run(expunge, excerpt(expunge));
  } else if (!said_flag_only_) {
    said_flag_only_ = true;
    spdlog::warn(
        "IMAP {}: the server offers neither MOVE nor UIDPLUS: registered messages are copied to "
        "{} and flagged \\Deleted but never expunged (a plain EXPUNGE would also remove "
        "messages that people flagged \\Deleted); they stay in the watched folder until "
        "someone expunges it, and contribd does not take them up again",
        peer(), wire);
  }
}

asio::awaitable<void> Session::noop() {
  co_await run("NOOP", "NOOP");
}

// --- IDLE ----------------------------------------------------------------------------------

asio::awaitable<std::vector<std::uint32_t>> Session::search_header(std::string name,
                                                                   std::string value) {
  const auto quoted_name = quoted_string(name);
  const auto quoted_value = quoted_string(value);
  if (!quoted_name || !quoted_value) co_return std::vector<std::uint32_t>{};
  if (exists_ == 0) co_return std::vector<std::uint32_t>{};
  const std::string command = "UID SEARCH HEADER " + *quoted_name + " " + *quoted_value;
  const std::string what = "UID SEARCH HEADER " + *quoted_name;
  Reply reply = co_await exchange(command, what);
  std::vector<std::uint32_t> uids;
  if (reply.status.status != Status::ok) {
    if (exists_ != 0) fail(what, reply.status);
    co_return uids;  // the folder emptied meanwhile: nothing found
  }
  for (const Response& response : reply.data) {
    if (response.name != "SEARCH") continue;
    for (const Value& value : response.values) {
      if (value.kind == Value::Kind::number && value.number > 0 && value.number <= 0xFFFFFFFFu) {
        uids.push_back(static_cast<std::uint32_t>(value.number));
      }
    }
  }
  co_return uids;
}

asio::awaitable<bool> Session::idle(std::chrono::seconds max_wait,
                                    std::function<bool()> end_early) {
  if (mail_arrived_) co_return true;
  if (!has_capability("IDLE")) {
    throw ImapError(fmt::format("{}: server does not offer IDLE", peer()));
  }
  const std::string tag = next_tag();
  spdlog::debug("IMAP {}: C: {} IDLE", peer(), tag);
  co_await send(tag + " IDLE\r\n");
  for (;;) {
    Response response = co_await read_response();
    if (response.kind == Response::Kind::continuation) break;
    if (response.kind == Response::Kind::tagged) fail("IDLE", response);
    observe(response, "IDLE");
  }
  IdleState state(co_await asio::this_coro::executor, max_wait + endpoint().timeout);
  if (mail_arrived_) {
    state.arrived = true;
    co_await send_done(state);
  }
  // The reader runs until the tagged answer; the timer sends DONE at max_wait unless an
  // EXISTS made the reader send it first. Neither read nor write is ever cancelled midway.
  co_await (idle_reader(state, tag) && idle_timer(state, max_wait, std::move(end_early)));
  co_return state.arrived;
}

asio::awaitable<void> Session::idle_reader(IdleState& state, std::string tag) {
  for (;;) {
    Response response = co_await read_response(state.read_wait);
    if (response.kind == Response::Kind::tagged) {
      state.timer.cancel();
      if (response.tag != tag) {
        throw ImapError(fmt::format("{}: answer for unknown tag {} during IDLE", peer(),
                                    excerpt(response.tag)));
      }
      if (response.status != Status::ok) fail("IDLE", response);
      co_return;
    }
    if (response.kind == Response::Kind::continuation) continue;  // a repeated "+ idling"
    observe(response, "IDLE");
    if (response.name == "EXISTS") {
      state.arrived = true;
      co_await send_done(state);
    }
  }
}

asio::awaitable<void> Session::idle_timer(IdleState& state, std::chrono::seconds max_wait,
                                          std::function<bool()> end_early) {
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  constexpr std::chrono::seconds kAskEvery{1};
  for (;;) {
    // The reader sent DONE (an EXISTS) and cancels the timer once the IDLE is answered.
    if (state.done_sent) co_return;
    const auto next =
        end_early ? std::min(deadline, std::chrono::steady_clock::now() + kAskEvery) : deadline;
    state.timer.expires_at(next);
    const auto [ec] = co_await state.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    if (std::chrono::steady_clock::now() >= deadline || (end_early && end_early())) {
      co_await send_done(state);
      co_return;
    }
  }
}

asio::awaitable<void> Session::send_done(IdleState& state) {
  if (state.done_sent) co_return;
  state.done_sent = true;
  spdlog::debug("IMAP {}: C: DONE", peer());
  co_await send("DONE\r\n");
}

asio::awaitable<void> Session::logout() {
  try {
    const std::string tag = next_tag();
    co_await send(tag + " LOGOUT\r\n");
    for (;;) {  // "* BYE" first, then the tagged OK
      Response response = co_await read_response();
      if (response.kind == Response::Kind::tagged) break;
    }
  } catch (const std::exception& e) {
    spdlog::debug("IMAP {}: LOGOUT: {}", peer(), e.what());
  }
  co_await connection_->close();
}

}  // namespace contribd::imap
