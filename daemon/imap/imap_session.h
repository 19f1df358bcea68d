// One logged-in IMAP session over verified TLS: the commands contribd's intake loop needs, each
// a coroutine that sends one command and reads to its tagged answer.
//
// Errors: every failure is an ImapError whose text names "host:port", what was attempted and
// the server's words: a tagged NO or BAD, an untagged BYE, an unreadable response, a timeout,
// a closed connection or a TLS failure (the connection's NetError text). Credentials the
// server refuses give AuthError; a token source that fails gives ImapError with its text. The
// password or token never appears in an error or a log line. After any error the session is
// unusable: log out (or drop it) and connect again.
//
// A session is not thread-safe; run it on one strand (idle() writes DONE while a read waits).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/auth/credentials.h"
#include "daemon/net/connection.h"
#include "parsers/imap_condition.h"
#include "parsers/imap_namespace.h"
#include "parsers/imap_response.h"

namespace contribd::imap {

// A password, or an OAuth 2.0 token source with XOAUTH2 or OAUTHBEARER.
using Credentials = auth::Credentials;

struct MailboxState {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;  // 0 when the server did not say
  std::uint32_t exists = 0;
  // With CONDSTORE (RFC 7162): the folder's highest mod-sequence; nullopt without CONDSTORE
  // or when the folder has no mod-sequences ([NOMODSEQ]).
  std::optional<std::uint64_t> highestmodseq;
};

struct MessageSummary {
  std::uint32_t uid = 0;
  std::uint64_t size = 0;
  std::chrono::sys_seconds internal_date;  // the server's receipt time, UTC
};

// A message fetched by fetch_batch(): its body is in the batch's spool file, not in memory.
struct SpooledMessage {
  std::uint32_t uid = 0;
  std::chrono::sys_seconds internal_date;
  storage::SpoolRange body;  // the whole message, as stored on the server
};

struct SpooledBatch {
  storage::SpoolFile file;               // every body of the batch, back to back
  std::vector<SpooledMessage> messages;  // by UID; a UID that vanished meanwhile is absent
};

// "host:port: what: server text", and what the server's answer asks of the client (its
// response code, as imap_condition.h reads it; `none` for a failure that had no answer: a
// timeout, a closed connection, a TLS failure).
class ImapError : public std::runtime_error {
 public:
  explicit ImapError(const std::string& text, Condition condition = {})
      : std::runtime_error(text), condition_(condition) {}
  const Condition& condition() const { return condition_; }

 private:
  Condition condition_;
};

// "host:port: login as USER refused: [AUTHENTICATIONFAILED] Authentication failed." A refusal
// that says the server is throttled or unavailable is an ImapError instead: it passes.
class AuthError : public ImapError {
 public:
  using ImapError::ImapError;
};

// "host:port: CREATE "Registered" failed: NO Permission denied": the server refused to create a
// folder that does not exist (ensure_folder).
class CreateRefused : public ImapError {
 public:
  using ImapError::ImapError;
};

// The largest literal (message body) accepted from the server; larger ones are refused with
// an ImapError instead of exhausting memory.
inline constexpr std::uint64_t kMaxLiteralBytes = 256ull << 20;

class Session {
 public:
  // Connects, reads the greeting and the capabilities, upgrades with STARTTLS when the
  // endpoint asks for it (refused when the server does not offer it), asks for capabilities
  // again, then logs in: with a password, AUTHENTICATE PLAIN when offered, else LOGIN; with a
  // token, AUTHENTICATE XOAUTH2 or OAUTHBEARER (SASL-IR when offered), once more with a fresh
  // token when the server refuses the first. Credentials are only ever sent over TLS.
  static boost::asio::awaitable<std::unique_ptr<Session>> connect(
      boost::asio::any_io_executor executor, net::Endpoint endpoint, Credentials credentials);

  // SELECT (read-write); SELECT folder (CONDSTORE) when the server offers CONDSTORE, so that
  // it reports HIGHESTMODSEQ. Folder names must be ASCII (see imap_arguments.h).
  boost::asio::awaitable<MailboxState> select(std::string folder);
  // UID FETCH from:* (UID RFC822.SIZE INTERNALDATE) on the selected folder: the messages whose
  // UID is at least `from_uid`, ordered by UID. A message whose INTERNALDATE cannot be read is
  // left out, with a warning in the log. An empty folder (EXISTS 0) is not asked at all, and a
  // NO or BAD to the listing is an empty answer when the folder is empty by then (Exchange and
  // others refuse "1:*" there instead of answering OK with nothing).
  boost::asio::awaitable<std::vector<MessageSummary>> list_messages(std::uint32_t from_uid = 1);
  // UID FETCH set (BODY.PEEK[] INTERNALDATE), leaving \Seen unset: many messages in one
  // command, so that the server streams them back to back instead of waiting for one request
  // each. The bodies go into one new SpoolFile for `expected_bytes` (their RFC822.SIZE) with
  // `spool_folder` as they arrive, never into the daemon's memory. The command is as long as the
  // UID set: callers keep batches to a few hundred UIDs.
  // A refused command or an unreadable response is an ImapError; a spool file that cannot be
  // written is std::system_error.
  boost::asio::awaitable<SpooledBatch> fetch_batch(
      std::vector<std::uint32_t> uids, std::filesystem::path spool_folder,
      std::uint64_t expected_bytes = storage::SpoolFile::kSizeUnknown);
  // UID MOVE of the set when offered; else UID COPY, UID STORE +FLAGS.SILENT (\Deleted), then
  // UID EXPUNGE of the set (UIDPLUS). Without UIDPLUS the copies stay flagged \Deleted in the
  // folder: a plain EXPUNGE would also remove the messages that people flagged \Deleted and did
  // not mean to lose yet. The log says so once per session; the register knows the messages as
  // examined and moved, so later passes leave them alone. Same length rule as fetch_batch().
  boost::asio::awaitable<void> move_batch(std::vector<std::uint32_t> uids, std::string folder);
  // UID SEARCH HEADER name "value" on the selected folder: the UIDs whose header field
  // contains `value` (RFC 3501 substring match), in the server's order. A value that cannot
  // be sent as a quoted string (CR, LF, 8-bit) finds nothing; so does an empty folder, which
  // is not asked (and whose NO or BAD is read as nothing found).
  boost::asio::awaitable<std::vector<std::uint32_t>> search_header(std::string name,
                                                                   std::string value);
  // NAMESPACE (RFC 2342) when the server offers it: where this account's folders go. nullopt
  // when it is not offered, refused, or answered without a NAMESPACE response (said in the
  // log); malformed descriptors are left out with a warning.
  boost::asio::awaitable<std::optional<Namespaces>> namespaces();
  // LIST, then CREATE when the folder does not exist yet; CreateRefused when the server says no.
  boost::asio::awaitable<void> ensure_folder(std::string folder);
  // IDLE until the server reports EXISTS (true) or max_wait passes (false), then DONE. Returns
  // true at once when an EXISTS arrived since the last list_messages(). True means the server
  // answered just now, so the caller need not prove the connection with a NOOP. ImapError when
  // the server does not offer IDLE.
  // `end_early`, when given, is asked about once a second: true ends the IDLE as max_wait does.
  boost::asio::awaitable<bool> idle(std::chrono::seconds max_wait,
                                    std::function<bool()> end_early = {});
  boost::asio::awaitable<void> noop();
  // LOGOUT and close; never throws.
  boost::asio::awaitable<void> logout();

  bool has_capability(std::string_view name) const;  // case-insensitive: "IDLE", "AUTH=PLAIN"
  // Whether the server reported EXISTS (during any command, NOOP included) since the last
  // list_messages() or SELECT.
  bool mail_arrived() const { return mail_arrived_; }
  // The selected folder's message count: from SELECT, then kept by EXISTS and EXPUNGE.
  std::uint32_t exists() const { return exists_; }
  const net::Endpoint& endpoint() const;

  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  struct Reply {
    Response status;             // the tagged OK, NO or BAD
    std::vector<Response> data;  // the untagged responses that came before it
  };
  struct IdleState;
  struct TokenAttempt {
    Response status;           // the tagged answer
    std::string server_error;  // the decoded error challenge, when the server sent one
  };

  explicit Session(std::unique_ptr<net::Connection> connection);

  std::string peer() const;
  std::string next_tag();
  [[noreturn]] void fail(std::string_view what, const Response& status) const;
  std::string folder_wire(std::string_view folder) const;
  // LIST "" name: true when the server lists the folder (and not as \NonExistent).
  boost::asio::awaitable<bool> folder_listed(std::string_view wire);

  boost::asio::awaitable<std::string> read_line(std::chrono::steady_clock::duration wait);
  boost::asio::awaitable<void> send(std::string_view bytes);
  boost::asio::awaitable<Response> read_response(std::chrono::steady_clock::duration wait);
  boost::asio::awaitable<Response> read_response();
  // As read_response(), but with `spool` given, a BODY[] literal is appended to it (`body` says
  // where) and the parsed response carries an empty string in its place.
  boost::asio::awaitable<Response> read_response_spooling(std::chrono::steady_clock::duration wait,
                                                          storage::SpoolFile* spool,
                                                          std::optional<storage::SpoolRange>* body);
  void observe(const Response& untagged, std::string_view during);
  // True for the tagged answer to `tag`, false for an untagged response; an ImapError for a
  // continuation request or an answer to another tag.
  bool answers(const Response& response, std::string_view tag, std::string_view what) const;
  boost::asio::awaitable<Reply> collect(std::string_view tag, std::string_view what);
  // Sends "TAG command", returns the reply; the log shows `shown` instead of the command.
  boost::asio::awaitable<Reply> exchange(std::string_view command, std::string_view what,
                                         std::string_view shown = {});
  // As exchange(), throwing ImapError unless the answer is OK.
  boost::asio::awaitable<Reply> run(std::string_view command, std::string_view what);

  boost::asio::awaitable<bool> greet();
  boost::asio::awaitable<void> refresh_capabilities();
  boost::asio::awaitable<void> upgrade_to_tls();
  boost::asio::awaitable<void> authenticate(const Credentials& credentials);
  boost::asio::awaitable<Response> authenticate_plain(const Credentials& credentials);
  boost::asio::awaitable<Response> login(const Credentials& credentials);
  boost::asio::awaitable<Response> authenticate_token(const Credentials& credentials);
  boost::asio::awaitable<TokenAttempt> authenticate_token_once(auth::Method method,
                                                               std::string initial);
  boost::asio::awaitable<void> idle_reader(IdleState& state, std::string tag);
  boost::asio::awaitable<void> idle_timer(IdleState& state, std::chrono::seconds max_wait,
                                          std::function<bool()> end_early);
  boost::asio::awaitable<void> send_done(IdleState& state);

  std::unique_ptr<net::Connection> connection_;
  std::set<std::string, std::less<>> capabilities_;  // upper-case
  unsigned tag_counter_ = 0;
  std::uint32_t exists_ = 0;
  bool mail_arrived_ = false;    // an EXISTS came since the last list_messages()
  bool said_flag_only_ = false;  // the "no UIDPLUS: copy and flag only" line was logged
};

}  // namespace contribd::imap
