// The IMAP session against a scripted server over real TLS on 127.0.0.1: each test is the
// conversation, server lines and client calls side by side.
#include "daemon/imap/imap_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "parsers/imap_date.h"
#include "tests/unit/daemon/imap_test_tls.h"

namespace contribd::imap {
namespace {

namespace asio = boost::asio;
using contribd::testing_tls::run_pair;
using contribd::testing_tls::ScriptedPeer;
using contribd::testing_tls::TestCa;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPlainAliceSecret = "AGFsaWNlAHNlY3JldA==";  // "\0alice\0secret"

// What the session logs while one of these lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

class ImapSessionTest : public ::testing::Test {
 protected:
  ImapSessionTest() : server_tls_(ca_.server_context("IP:127.0.0.1")), peer_(io_, *server_tls_) {}

  net::Endpoint endpoint(net::Security security = net::Security::tls) const {
    net::Endpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = peer_.port();
    endpoint.security = security;
    endpoint.ca_file = ca_.pem_path();
    endpoint.timeout = std::chrono::seconds(5);
    return endpoint;
  }
  std::string where() const { return "127.0.0.1:" + std::to_string(peer_.port()); }

  asio::awaitable<std::unique_ptr<Session>> connect() {
    co_return co_await Session::connect(io_.get_executor(), endpoint(), {"alice", "secret"});
  }

  // Implicit TLS, SASL-IR login as alice; the OK lists the capabilities after login.
  asio::awaitable<void> serve_login(std::string capabilities = "IMAP4rev1 IDLE MOVE UIDPLUS") {
    co_await peer_.accept_tls();
    co_await peer_.send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
    co_await peer_.expect_line(std::string("A1 AUTHENTICATE PLAIN ") + kPlainAliceSecret);
    co_await peer_.send("A1 OK [CAPABILITY " + capabilities + "] Logged in\r\n");
  }

  // Answers "A<n> SELECT "INBOX"" with EXISTS and UIDNEXT.
  asio::awaitable<void> serve_select(int tag, std::uint32_t exists, std::uint32_t uidnext = 17) {
    co_await peer_.expect_line("A" + std::to_string(tag) + " SELECT \"INBOX\"");
    co_await peer_.send("* " + std::to_string(exists) +
                        " EXISTS\r\n* OK [UIDVALIDITY 1595430000] ok\r\n* OK [UIDNEXT " +
                        std::to_string(uidnext) + "] ok\r\nA" + std::to_string(tag) +
                        " OK [READ-WRITE] Select completed.\r\n");
  }

  // Runs a client step that must throw ImapError (or a subclass); returns its text.
  template <typename Step>
  static asio::awaitable<std::string> error_of(Step step) {
    try {
      co_await step();
    } catch (const ImapError& e) {
      co_return e.what();
    }
    ADD_FAILURE() << "no ImapError";
    co_return "";
  }

  asio::io_context io_;
  TestCa ca_;
  std::unique_ptr<asio::ssl::context> server_tls_;
  ScriptedPeer peer_;
};

TEST_F(ImapSessionTest, LogsInWithSaslIrAndSelects) {
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 SELECT \"INBOX\"");
        co_await peer_.send(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
            "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Flags permitted.\r\n"
            "* 3 EXISTS\r\n* 0 RECENT\r\n"
            "* OK [UIDVALIDITY 1595430000] UIDs valid\r\n* OK [UIDNEXT 17] Predicted next UID\r\n"
            "A2 OK [READ-WRITE] Select completed.\r\n");
        co_await peer_.expect_line("A3 LOGOUT");
        co_await peer_.send("* BYE Logging out\r\nA3 OK Logout completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        EXPECT_TRUE(session->has_capability("idle"));
        EXPECT_TRUE(session->has_capability("MOVE"));
        EXPECT_FALSE(session->has_capability("SASL-IR"));  // replaced by the post-login list
        EXPECT_EQ(session->endpoint().port, peer_.port());
        const MailboxState state = co_await session->select("INBOX");
        EXPECT_EQ(state.uidvalidity, 1595430000u);
        EXPECT_EQ(state.uidnext, 17u);
        EXPECT_EQ(state.exists, 3u);
        co_await session->logout();
      });
}

TEST_F(ImapSessionTest, StartTlsThenAuthenticateWithContinuation) {
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer_.accept();
        co_await peer_.send("* OK Dovecot ready.\r\n");
        co_await peer_.expect_line("A1 CAPABILITY");
        co_await peer_.send(
            "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nA1 OK Capability done\r\n");
        co_await peer_.expect_line("A2 STARTTLS");
        co_await peer_.send("A2 OK Begin TLS negotiation now.\r\n");
        co_await peer_.handshake();
        co_await peer_.expect_line("A3 CAPABILITY");
        co_await peer_.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA3 OK done\r\n");
        co_await peer_.expect_line("A4 AUTHENTICATE PLAIN");
        co_await peer_.send("+ \r\n");
        co_await peer_.expect_line(kPlainAliceSecret);
        co_await peer_.send("A4 OK Logged in\r\n");
        co_await peer_.expect_line("A5 CAPABILITY");
        co_await peer_.send("* CAPABILITY IMAP4rev1 IDLE\r\nA5 OK done\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await Session::connect(
            io_.get_executor(), endpoint(net::Security::starttls), {"alice", "secret"});
        EXPECT_TRUE(session->has_capability("IDLE"));
        EXPECT_FALSE(session->has_capability("STARTTLS"));
      });
}

TEST_F(ImapSessionTest, StartTlsNotOfferedIsRefusedBeforeAnyCredential) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer_.accept();
        co_await peer_.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plaintext only\r\n");
        EXPECT_FALSE(co_await peer_.read_line());  // the client hangs up without a word
      },
      [&]() -> asio::awaitable<void> {
        error = co_await error_of([&]() -> asio::awaitable<void> {
          co_await Session::connect(io_.get_executor(), endpoint(net::Security::starttls),
                                    {"alice", "secret"});
        });
      });
  EXPECT_EQ(error, where() + ": server does not offer STARTTLS; refusing to log in without TLS");
}

TEST_F(ImapSessionTest, PreauthBeforeStartTlsIsRefused) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer_.accept();
        co_await peer_.send("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\r\n");
        EXPECT_FALSE(co_await peer_.read_line());
      },
      [&]() -> asio::awaitable<void> {
        error = co_await error_of([&]() -> asio::awaitable<void> {
          co_await Session::connect(io_.get_executor(), endpoint(net::Security::starttls),
                                    {"alice", "secret"});
        });
      });
  EXPECT_THAT(error, HasSubstr("PREAUTH before TLS"));
}

TEST_F(ImapSessionTest, RefusedLoginIsAnAuthErrorWithoutThePassword) {
  std::string error;
  bool is_auth_error = false;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer_.accept_tls();
        co_await peer_.send("* OK [CAPABILITY IMAP4rev1] no SASL here\r\n");
        co_await peer_.expect_line("A1 LOGIN \"alice\" \"se\\\"cr\\\\et\"");
        co_await peer_.send("A1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        try {
          co_await Session::connect(io_.get_executor(), endpoint(), {"alice", "se\"cr\\et"});
        } catch (const AuthError& e) {
          is_auth_error = true;
          error = e.what();
        }
      });
  EXPECT_TRUE(is_auth_error);
  EXPECT_EQ(error,
            where() + ": login as alice refused: [AUTHENTICATIONFAILED] Authentication failed.");
  EXPECT_THAT(error, Not(HasSubstr("se\"cr")));
}

TEST_F(ImapSessionTest, LoginSendsUnquotablePasswordAsLiteral) {
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer_.accept_tls();
        co_await peer_.send("* OK [CAPABILITY IMAP4rev1] ready\r\n");
        co_await peer_.expect_line("A1 LOGIN \"alice\" {7}");
        co_await peer_.send("+ OK\r\n");
        co_await peer_.expect_line("p\xc3\xa4sswd");
        co_await peer_.send("A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session =
            co_await Session::connect(io_.get_executor(), endpoint(), {"alice", "p\xc3\xa4sswd"});
        EXPECT_TRUE(session->has_capability("IDLE"));
      });
}

TEST_F(ImapSessionTest, ListsMessagesInUidOrderSkippingIncompleteOnes) {
  std::vector<MessageSummary> messages;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await serve_select(2, 4);
        co_await peer_.expect_line("A3 UID FETCH 1:* (UID RFC822.SIZE INTERNALDATE)");
        co_await peer_.send(
            "* 2 FETCH (UID 9 RFC822.SIZE 2048 INTERNALDATE \"23-Jul-2020 00:30:00 +0200\")\r\n"
            "* 1 FETCH (UID 4 RFC822.SIZE 1000 INTERNALDATE \"20-Jul-2020 08:00:00 +0000\")\r\n"
            "* 1 FETCH (FLAGS (\\Seen))\r\n"
            "* 3 FETCH (UID 12 RFC822.SIZE 5 INTERNALDATE \"garbage\")\r\n"
            "* 4 X-UNKNOWN \"unterminated\r\n"
            "A3 OK Fetch completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        co_await session->select("INBOX");
        messages = co_await session->list_messages();
      });
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].uid, 4u);
  EXPECT_EQ(messages[0].size, 1000u);
  EXPECT_EQ(format_internal_date(messages[0].internal_date), "20-Jul-2020 08:00:00 +0000");
  EXPECT_EQ(messages[1].uid, 9u);
  EXPECT_EQ(format_internal_date(messages[1].internal_date), "22-Jul-2020 22:30:00 +0000");
}

TEST_F(ImapSessionTest, EnsureFolderCreatesOnlyWhatIsMissing) {
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 LIST \"\" \"Registered\"");
        co_await peer_.send(
            "* LIST (\\HasNoChildren) \".\" Registered\r\nA2 OK List completed.\r\n");
        co_await peer_.expect_line("A3 LIST \"\" \"Late &- Odd\"");
        co_await peer_.send("A3 OK List completed.\r\n");
        co_await peer_.expect_line("A4 CREATE \"Late &- Odd\"");
        co_await peer_.send("A4 OK Create completed.\r\n");
        co_await peer_.expect_line("A5 LIST \"\" \"Raced\"");
        co_await peer_.send("A5 OK List completed.\r\n");
        co_await peer_.expect_line("A6 CREATE \"Raced\"");
        co_await peer_.send("A6 NO [ALREADYEXISTS] Mailbox already exists\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        co_await session->ensure_folder("Registered");
        co_await session->ensure_folder("Late & Odd");
        co_await session->ensure_folder("Raced");
      });
}

TEST_F(ImapSessionTest, NamespaceIsReadWhenOfferedAndARefusedCreateIsCreateRefused) {
  std::optional<Namespaces> offered;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login("IMAP4rev1 NAMESPACE");
        co_await peer_.expect_line("A2 NAMESPACE");
        co_await peer_.send(
            "* NAMESPACE ((\"INBOX.\" \".\")) ((\"user.\" \".\")) ((\"\" \".\"))\r\n"
            "A2 OK Completed\r\n");
        co_await peer_.expect_line("A3 LIST \"\" \"INBOX.Registered\"");
        co_await peer_.send("A3 OK Completed\r\n");
        co_await peer_.expect_line("A4 CREATE \"INBOX.Registered\"");
        co_await peer_.send("A4 NO Permission denied\r\n");
        co_await peer_.expect_line("A5 LIST \"\" \"INBOX.Registered\"");
        co_await peer_.send("A5 OK Completed\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        offered = co_await session->namespaces();
        std::string refused;
        try {
          co_await session->ensure_folder("INBOX.Registered");
        } catch (const CreateRefused& error) {
          refused = error.what();
        }
        EXPECT_EQ(refused, where() + ": CREATE \"INBOX.Registered\" failed: Permission denied");
      });
  ASSERT_TRUE(offered);
  ASSERT_EQ(offered->personal.size(), 1u);
  EXPECT_EQ(offered->personal[0].prefix, "INBOX.");
}

TEST_F(ImapSessionTest, CreateRacedWithoutAlreadyExistsIsCheckedByList) {
  // Cyrus answers a CREATE of an existing folder with words only, no [ALREADYEXISTS].
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 LIST \"\" \"INBOX.Review\"");
        co_await peer_.send("A2 OK Completed\r\n");
        co_await peer_.expect_line("A3 CREATE \"INBOX.Review\"");
        co_await peer_.send("A3 NO Mailbox already exists\r\n");
        co_await peer_.expect_line("A4 LIST \"\" \"INBOX.Review\"");
        co_await peer_.send("* LIST (\\HasNoChildren) \".\" INBOX.Review\r\nA4 OK Completed\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        co_await session->ensure_folder("INBOX.Review");
      });
}

TEST_F(ImapSessionTest, NamespaceIsNotAskedWhenNotOffered) {
  std::optional<Namespaces> spaces{Namespaces{}};
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login("IMAP4rev1 IDLE");
        co_await peer_.expect_line("A2 LOGOUT");
        co_await peer_.send("A2 OK Logout completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        spaces = co_await session->namespaces();
        co_await session->logout();
      });
  EXPECT_FALSE(spaces);
}

TEST_F(ImapSessionTest, EnsureFolderQuotesTheListPatternToo) {
  // LIST takes the name as a pattern; "&" must be encoded there as well.
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 LIST \"\" \"A&-B\"");
        co_await peer_.send("* LIST () \".\" \"A&-B\"\r\nA2 OK List completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        co_await session->ensure_folder("A&B");
      });
}

TEST_F(ImapSessionTest, NonAsciiFolderIsRefusedBeforeSending) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        EXPECT_FALSE(co_await peer_.read_line());
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        error = co_await error_of(
            [&]() -> asio::awaitable<void> { co_await session->select("Eing\xc3\xa4nge"); });
      });
  EXPECT_THAT(error, HasSubstr("is not ASCII; only ASCII names are supported"));
  EXPECT_EQ(error.rfind(where() + ": folder name", 0), 0u);
}

TEST_F(ImapSessionTest, RefusedCommandNamesCommandAndServerText) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 SELECT \"Nowhere\"");
        co_await peer_.send("A2 NO [NONEXISTENT] Mailbox doesn't exist: Nowhere\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        error = co_await error_of(
            [&]() -> asio::awaitable<void> { co_await session->select("Nowhere"); });
      });
  EXPECT_EQ(error,
            where() + ": SELECT \"Nowhere\" failed: [NONEXISTENT] Mailbox doesn't exist: Nowhere");
}

TEST_F(ImapSessionTest, ByeInTheMiddleOfACommandIsAnError) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 NOOP");
        co_await peer_.send("* BYE Server shutting down.\r\n");
        peer_.close();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        error = co_await error_of([&]() -> asio::awaitable<void> { co_await session->noop(); });
        co_await session->logout();  // must not throw on a dead connection
      });
  EXPECT_EQ(error, where() + ": server ended the session during NOOP: Server shutting down.");
}

TEST_F(ImapSessionTest, EndOfStreamIsAnImapError) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 NOOP");
        peer_.close();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        error = co_await error_of([&]() -> asio::awaitable<void> { co_await session->noop(); });
      });
  EXPECT_EQ(error, where() + ": read failed: connection closed by server");
}

TEST_F(ImapSessionTest, IdleReturnsTrueOnExists) {
  bool arrived = false;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 IDLE");
        co_await peer_.send("+ idling\r\n* OK Still here\r\n* 4 EXISTS\r\n");
        co_await peer_.expect_line("DONE");
        co_await peer_.send("A2 OK Idle completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        arrived = co_await session->idle(std::chrono::seconds(30));
      });
  EXPECT_TRUE(arrived);
}

TEST_F(ImapSessionTest, IdleEndsWithDoneAfterMaxWait) {
  bool arrived = true;
  std::chrono::steady_clock::duration took{};
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 IDLE");
        co_await peer_.send("+ idling\r\n");
        co_await peer_.expect_line("DONE");
        co_await peer_.send("A2 OK Idle completed.\r\n");
        co_await peer_.expect_line("A3 NOOP");
        co_await peer_.send("* 5 EXISTS\r\nA3 OK NOOP completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        const auto started = std::chrono::steady_clock::now();
        arrived = co_await session->idle(std::chrono::seconds(1));
        took = std::chrono::steady_clock::now() - started;
        // Mail announced outside IDLE is not lost: the next idle() returns at once.
        co_await session->noop();
        EXPECT_TRUE(co_await session->idle(std::chrono::seconds(30)));
      });
  EXPECT_FALSE(arrived);
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::seconds(4));
}

TEST_F(ImapSessionTest, IdleNotOfferedIsAnError) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login("IMAP4rev1");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        error = co_await error_of(
            [&]() -> asio::awaitable<void> { co_await session->idle(std::chrono::seconds(1)); });
      });
  EXPECT_EQ(error, where() + ": server does not offer IDLE");
}

// --- servers that lack what Dovecot offers, and what large providers do ---------------------

TEST_F(ImapSessionTest, AnEmptyFolderIsNeitherListedNorSearched) {
  std::vector<MessageSummary> messages{MessageSummary{}};
  std::vector<std::uint32_t> found{1};
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await serve_select(2, 0);
        // No UID FETCH, no UID SEARCH: the next command is the NOOP.
        co_await peer_.expect_line("A3 NOOP");
        co_await peer_.send("A3 OK NOOP completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        co_await session->select("INBOX");
        messages = co_await session->list_messages();
        found = co_await session->search_header("Message-ID", "<a@b>");
        co_await session->noop();
      });
  EXPECT_TRUE(messages.empty());
  EXPECT_TRUE(found.empty());
}

// Exchange answers "UID FETCH 1:*" on an empty folder with "BAD Command Argument Error. 11".
TEST_F(ImapSessionTest, RefusedListingOfAFolderEmptiedMeanwhileIsAnEmptyListing) {
  std::vector<MessageSummary> messages{MessageSummary{}};
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await serve_select(2, 1);
        co_await peer_.expect_line("A3 UID FETCH 1:* (UID RFC822.SIZE INTERNALDATE)");
        co_await peer_.send("* 1 EXPUNGE\r\nA3 BAD Command Argument Error. 11\r\n");
        co_await peer_.expect_line("A4 NOOP");  // the search after it sent nothing
        co_await peer_.send("A4 OK NOOP completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        co_await session->select("INBOX");
        messages = co_await session->list_messages();
        EXPECT_EQ(session->exists(), 0u);
        // The session still works, and knows the folder is empty.
        const std::vector<std::uint32_t> none =
            co_await session->search_header("Message-ID", "<a@b>");
        EXPECT_TRUE(none.empty());
        co_await session->noop();
      });
  EXPECT_TRUE(messages.empty());
}

TEST_F(ImapSessionTest, RefusedListingOfAFolderWithMessagesIsAnError) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await serve_select(2, 2);
        co_await peer_.expect_line("A3 UID FETCH 1:* (UID RFC822.SIZE INTERNALDATE)");
        co_await peer_.send("A3 NO [SERVERBUG] Internal error\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        co_await session->select("INBOX");
        error = co_await error_of(
            [&]() -> asio::awaitable<void> { co_await session->list_messages(); });
      });
  EXPECT_EQ(error, where() +
                       ": UID FETCH 1:* (UID RFC822.SIZE INTERNALDATE) failed: [SERVERBUG] "
                       "Internal error");
}

TEST_F(ImapSessionTest, ListingFromAUidLeavesOutTheMessageThatStarNames) {
  std::vector<MessageSummary> messages;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await serve_select(2, 3, 19);
        co_await peer_.expect_line("A3 UID FETCH 17:* (UID RFC822.SIZE INTERNALDATE)");
        co_await peer_.send(
            "* 1 FETCH (UID 16 RFC822.SIZE 10 INTERNALDATE \"20-Jul-2020 08:00:00 +0000\")\r\n"
            "* 2 FETCH (UID 17 RFC822.SIZE 11 INTERNALDATE \"20-Jul-2020 08:00:01 +0000\")\r\n"
            "* 3 FETCH (UID 18 RFC822.SIZE 12 INTERNALDATE \"20-Jul-2020 08:00:02 +0000\")\r\n"
            "A3 OK Fetch completed.\r\n");
        // "n:*" with nothing from n on names the last message, below n (RFC 3501 6.4.8).
        co_await peer_.expect_line("A4 UID FETCH 19:* (UID RFC822.SIZE INTERNALDATE)");
        co_await peer_.send(
            "* 3 FETCH (UID 18 RFC822.SIZE 12 INTERNALDATE \"20-Jul-2020 08:00:02 +0000\")\r\n"
            "A4 OK Fetch completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        co_await session->select("INBOX");
        messages = co_await session->list_messages(17);
        const std::vector<MessageSummary> below = co_await session->list_messages(19);
        EXPECT_TRUE(below.empty());
      });
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].uid, 17u);
  EXPECT_EQ(messages[1].uid, 18u);
}

TEST_F(ImapSessionTest, SelectAsksForHighestModseqWhereCondstoreIsOffered) {
  MailboxState with;
  MailboxState without;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login("IMAP4rev1 IDLE MOVE UIDPLUS CONDSTORE");
        co_await peer_.expect_line("A2 SELECT \"INBOX\" (CONDSTORE)");
        co_await peer_.send(
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
            "* OK [UIDNEXT 4392] Predicted next UID\r\n"
            "* OK [HIGHESTMODSEQ 715194045007] Highest\r\nA2 OK [READ-WRITE] done\r\n");
        co_await peer_.expect_line("A3 SELECT \"Review\" (CONDSTORE)");
        co_await peer_.send(
            "* 0 EXISTS\r\n* OK [UIDVALIDITY 3857529046] UIDs valid\r\n"
            "* OK [NOMODSEQ] No permanent modsequences\r\nA3 OK [READ-WRITE] done\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        with = co_await session->select("INBOX");
        without = co_await session->select("Review");
      });
  EXPECT_EQ(with.highestmodseq, 715194045007u);
  EXPECT_EQ(with.uidnext, 4392u);
  EXPECT_EQ(without.highestmodseq, std::nullopt);
  EXPECT_EQ(without.uidnext, 0u);
}

// Microsoft 365 throttles in words; the error carries the condition as data.
TEST_F(ImapSessionTest, MicrosoftThrottlingIsAnErrorCarryingTheSuggestedWait) {
  Condition condition;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 SELECT \"INBOX\"");
        co_await peer_.send(
            "A2 NO Request is throttled. Suggested Backoff Time: 178755 milliseconds\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        try {
          co_await session->select("INBOX");
          ADD_FAILURE() << "no error";
        } catch (const ImapError& e) {
          condition = e.condition();
        }
      });
  EXPECT_EQ(condition.code, KnownCode::throttled);
  EXPECT_EQ(condition.wait, std::chrono::seconds(179));
}

// RFC 5530 UNAVAILABLE at login is the server's state, not a wrong password.
TEST_F(ImapSessionTest, UnavailableAtLoginIsNotAnAuthenticationFailure) {
  bool auth_error = false;
  Condition condition;
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer_.accept_tls();
        co_await peer_.send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
        co_await peer_.expect_line(std::string("A1 AUTHENTICATE PLAIN ") + kPlainAliceSecret);
        co_await peer_.send("A1 NO [UNAVAILABLE] Mailbox backend is down\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        try {
          co_await connect();
        } catch (const AuthError&) {
          auth_error = true;
        } catch (const ImapError& e) {
          error = e.what();
          condition = e.condition();
        }
      });
  EXPECT_FALSE(auth_error);
  EXPECT_EQ(condition.code, KnownCode::unavailable);
  EXPECT_EQ(error, where() + ": login as alice failed: [UNAVAILABLE] Mailbox backend is down");
}

// Gmail: "OK Success [THROTTLED]" is a command that worked.
TEST_F(ImapSessionTest, GmailThrottledOkIsASuccess) {
  MailboxState state;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 SELECT \"INBOX\"");
        co_await peer_.send(
            "* 1 EXISTS\r\n* OK [UIDVALIDITY 2] ok\r\n* OK [UIDNEXT 5] ok\r\n"
            "A2 OK [READ-WRITE] INBOX selected. (Success) [THROTTLED]\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        state = co_await session->select("INBOX");
      });
  EXPECT_EQ(state.exists, 1u);
  EXPECT_EQ(state.uidnext, 5u);
}

// A server ends an IDLE it finds too long with BYE (RFC 2177 allows it after 30 minutes;
// contribd renews well before): the session fails, and the service reconnects.
TEST_F(ImapSessionTest, ByeDuringIdleIsAnError) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 IDLE");
        co_await peer_.send("+ idling\r\n* BYE IDLE timeout\r\n");
        peer_.close();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        error = co_await error_of(
            [&]() -> asio::awaitable<void> { co_await session->idle(std::chrono::seconds(30)); });
      });
  EXPECT_EQ(error, where() + ": server ended the session during IDLE: IDLE timeout");
}

std::string read_back(const storage::SpoolFile& file, storage::SpoolRange range) {
  std::string bytes(range.size, '\0');
  const ssize_t got =
      ::pread(file.fd(), bytes.data(), bytes.size(), static_cast<off_t>(range.offset));
  bytes.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
  return bytes;
}

std::string read_back(const storage::SpoolFile& file) {
  return read_back(file, {0, file.size()});
}

std::string literal(const std::string& body) {
  return "{" + std::to_string(body.size()) + "}\r\n" + body;
}

// fetch_batch and move_batch: one command for many UIDs, the bodies streamed into one spool
// file.
class ImapBatchTest : public ImapSessionTest {
 protected:
  ImapBatchTest()
      : spool_(std::filesystem::temp_directory_path() /
               ("contribd-spool-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(spool_);
  }
  ~ImapBatchTest() override { std::filesystem::remove_all(spool_); }

  std::filesystem::path spool_;
};

TEST_F(ImapBatchTest, OneFetchForManyUidsSpoolsEachBody) {
  // The second body is bigger than the connection's read buffer and looks like IMAP inside.
  const std::string first = "From: alice@member.test\r\nSubject: one\r\n\r\n)* 2 BYE {5}\r\n";
  const std::string second = "Subject: two\r\n\r\n" + std::string(300'000, 'x') + "\r\n";
  const std::string third = "Subject: three\r\n\r\nbody\r\n";
  SpooledBatch batch;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 UID FETCH 3:5,9 (BODY.PEEK[] INTERNALDATE)");
        co_await peer_.send("* 1 FETCH (UID 3 INTERNALDATE \"22-Jul-2020 23:59:59 +0200\" BODY[] " +
                            literal(first) + ")\r\n" +
                            // The date may follow the body; an unrelated update carries no body.
                            "* 2 FETCH (UID 4 BODY[] " + literal(second) +
                            " INTERNALDATE \"23-Jul-2020 08:00:00 +0000\")\r\n" +
                            "* 2 FETCH (FLAGS (\\Seen))\r\n" +
                            "* 4 FETCH (UID 9 INTERNALDATE \"24-Jul-2020 08:00:00 +0000\" BODY[] " +
                            literal(third) + ")\r\n" + "A2 OK Fetch completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        // Named, not braced temporaries: g++ 12 destroys temporaries inside co_await too early.
        const std::vector<std::uint32_t> uids{9, 4, 3, 5};
        batch = co_await session->fetch_batch(uids, spool_);
      });
  const std::vector<SpooledMessage>& fetched = batch.messages;
  ASSERT_EQ(fetched.size(), 3u);  // UID 5 vanished meanwhile
  EXPECT_EQ(fetched[0].uid, 3u);
  EXPECT_EQ(read_back(batch.file, fetched[0].body), first);
  EXPECT_EQ(format_internal_date(fetched[0].internal_date), "22-Jul-2020 21:59:59 +0000");
  EXPECT_EQ(fetched[1].uid, 4u);
  EXPECT_EQ(fetched[1].body.size, second.size());
  EXPECT_EQ(read_back(batch.file, fetched[1].body), second);
  EXPECT_EQ(format_internal_date(fetched[1].internal_date), "23-Jul-2020 08:00:00 +0000");
  EXPECT_EQ(fetched[2].uid, 9u);
  EXPECT_EQ(read_back(batch.file, fetched[2].body), third);
  // One file for the batch, the bodies back to back, and no name in the spool folder.
  EXPECT_EQ(read_back(batch.file), first + second + third);
  EXPECT_TRUE(std::filesystem::is_empty(spool_));
}

TEST_F(ImapBatchTest, RefusedFetchIsAnErrorNamingTheUids) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 UID FETCH 7 (BODY.PEEK[] INTERNALDATE)");
        co_await peer_.send("A2 NO [SERVERBUG] Internal error\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        try {
          const std::vector<std::uint32_t> uids{7};
          co_await session->fetch_batch(uids, spool_);
        } catch (const ImapError& e) {
          error = e.what();
        }
      });
  EXPECT_NE(error.find("UID FETCH 7"), std::string::npos) << error;
  EXPECT_NE(error.find("Internal error"), std::string::npos) << error;
}

TEST_F(ImapBatchTest, OversizedLiteralIsRefusedBeforeAnyByteIsSpooled) {
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 UID FETCH 7 (BODY.PEEK[] INTERNALDATE)");
        co_await peer_.send("* 1 FETCH (UID 7 BODY[] {99999999999}\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        const std::vector<std::uint32_t> uids{7};
        try {
          co_await session->fetch_batch(uids, spool_);
        } catch (const ImapError& e) {
          error = e.what();
        }
      });
  EXPECT_NE(error.find("server announced a literal of 99999999999 bytes"), std::string::npos)
      << error;
  EXPECT_TRUE(std::filesystem::is_empty(spool_));
}

TEST_F(ImapBatchTest, MoveBatchUsesOneUidMove) {
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 UID MOVE 3:4,9 \"Registered\"");
        co_await peer_.send(
            "* OK [COPYUID 1595430000 3:4,9 1:3] Moved\r\n* 1 EXPUNGE\r\n"
            "* 1 EXPUNGE\r\n* 2 EXPUNGE\r\nA2 OK Move completed.\r\n");
        // One UID is the same command.
        co_await peer_.expect_line("A3 UID MOVE 7 \"Registered\"");
        co_await peer_.send("* 1 EXPUNGE\r\nA3 OK Move completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        const std::vector<std::uint32_t> uids{9, 3, 4};
        co_await session->move_batch(uids, "Registered");
        const std::vector<std::uint32_t> one{7};
        co_await session->move_batch(one, "Registered");
      });
}

TEST_F(ImapBatchTest, MoveBatchWithoutMoveCopiesFlagsAndExpungesTheSet) {
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login("IMAP4rev1 UIDPLUS");
        co_await peer_.expect_line("A2 UID COPY 3,5 \"Registered\"");
        co_await peer_.send("A2 OK Copy completed.\r\n");
        co_await peer_.expect_line("A3 UID STORE 3,5 +FLAGS.SILENT (\\Deleted)");
        co_await peer_.send("A3 OK Store completed.\r\n");
        co_await peer_.expect_line("A4 UID EXPUNGE 3,5");
        co_await peer_.send("* 1 EXPUNGE\r\n* 2 EXPUNGE\r\nA4 OK Expunge completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        const std::vector<std::uint32_t> uids{5, 3};
        co_await session->move_batch(uids, "Registered");
      });
}

// Without UIDPLUS there is no UID EXPUNGE, and a plain EXPUNGE would remove what people flagged
// \Deleted: copy and flag only, and say so once.
TEST_F(ImapBatchTest, MoveWithoutUidplusCopiesAndFlagsOnlyAndSaysSoOnce) {
  LogCapture log;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login("IMAP4rev1 IDLE");
        co_await peer_.expect_line("A2 UID COPY 3,5 \"Registered\"");
        co_await peer_.send("A2 OK Copy completed.\r\n");
        co_await peer_.expect_line("A3 UID STORE 3,5 +FLAGS.SILENT (\\Deleted)");
        co_await peer_.send("A3 OK Store completed.\r\n");
        co_await peer_.expect_line("A4 UID COPY 8 \"Registered\"");
        co_await peer_.send("A4 OK Copy completed.\r\n");
        co_await peer_.expect_line("A5 UID STORE 8 +FLAGS.SILENT (\\Deleted)");
        co_await peer_.send("A5 OK Store completed.\r\n");
        co_await peer_.expect_line("A6 NOOP");  // and no EXPUNGE before it
        co_await peer_.send("A6 OK NOOP completed.\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        const std::vector<std::uint32_t> uids{5, 3};
        co_await session->move_batch(uids, "Registered");
        const std::vector<std::uint32_t> one{8};
        co_await session->move_batch(one, "Registered");
        co_await session->noop();
      });
  EXPECT_EQ(count_of(log.text(), "offers neither MOVE nor UIDPLUS"), 1u) << log.text();
  EXPECT_NE(log.text().find("never expunged"), std::string::npos) << log.text();
}

TEST(SpoolFileTest, AppendsAndLeavesNoName) {
  const auto folder = std::filesystem::temp_directory_path() /
                      ("contribd-spoolfile-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  {
    storage::SpoolFile file = storage::SpoolFile::create(folder);
    file.append("hello, ");
    file.append(std::string(100'000, '\0'));
    file.append("world");
    EXPECT_EQ(file.size(), 100'012u);
    const std::string expected = "hello, " + std::string(100'000, '\0') + "world";
    EXPECT_EQ(read_back(file), expected);
    EXPECT_TRUE(std::filesystem::is_empty(folder));
  }
  std::filesystem::remove_all(folder);
}

TEST(SpoolFileTest, MissingFolderIsAnErrorNamingIt) {
  for (const std::uint64_t expected : {storage::SpoolFile::kSizeUnknown, std::uint64_t{1000}}) {
    try {
      storage::SpoolFile::create("/nonexistent/contribd-spool", expected);
      ADD_FAILURE() << "no error for " << expected << " bytes";
    } catch (const std::system_error& e) {
      EXPECT_NE(std::string(e.what()).find("/nonexistent/contribd-spool"), std::string::npos);
    }
  }
}

// A batch small enough waits in memory, where a sync of the store's file system does not write
// it to disk; a large one, or one of unknown size, in the folder. Both read back alike, and the
// folder is where the decoded files go either way.
TEST(SpoolFileTest, SmallBatchesWaitInMemoryLargeOnesInTheFolder) {
  const auto folder = std::filesystem::temp_directory_path() /
                      ("contribd-spoolfile-memory-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  {
    storage::SpoolFile small = storage::SpoolFile::create(folder, 64 * 1024);
    storage::SpoolFile large =
        storage::SpoolFile::create(folder, storage::SpoolFile::kSpoolInMemoryBytes + 1);
    storage::SpoolFile unknown = storage::SpoolFile::create(folder);
    EXPECT_TRUE(small.in_memory());
    EXPECT_FALSE(large.in_memory());
    EXPECT_FALSE(unknown.in_memory());
    char link[256] = {};
    const std::string fd_path = "/proc/self/fd/" + std::to_string(small.fd());
    ASSERT_GT(::readlink(fd_path.c_str(), link, sizeof link - 1), 0);
    EXPECT_EQ(std::string(link).rfind("/memfd:contribd-spool", 0), 0u) << link;
    for (storage::SpoolFile* file : {&small, &large}) {
      file->append("From: a@example.org\r\n\r\nbody\r\n");
      EXPECT_EQ(read_back(*file), "From: a@example.org\r\n\r\nbody\r\n");
      EXPECT_EQ(file->folder(), folder);
    }
    storage::SpoolFile moved = std::move(small);
    EXPECT_TRUE(moved.in_memory());
    EXPECT_TRUE(std::filesystem::is_empty(folder));
  }
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace contribd::imap
