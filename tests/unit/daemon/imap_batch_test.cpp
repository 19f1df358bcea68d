// fetch_batch and move_batch against a scripted server over real TLS: one command for many
// UIDs, the bodies streamed into one spool file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/imap/imap_session.h"
#include "parsers/imap_date.h"
#include "tests/unit/daemon/imap_test_tls.h"

namespace contribd::imap {
namespace {

namespace asio = boost::asio;
using contribd::testing_tls::run_pair;
using contribd::testing_tls::ScriptedPeer;
using contribd::testing_tls::TestCa;

constexpr const char* kPlainAliceSecret = "AGFsaWNlAHNlY3JldA==";  // "\0alice\0secret"

std::string read_back(const net::SpoolFile& file, net::SpoolRange range) {
  std::string bytes(range.size, '\0');
  const ssize_t got =
      ::pread(file.fd(), bytes.data(), bytes.size(), static_cast<off_t>(range.offset));
  bytes.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
  return bytes;
}

std::string read_back(const net::SpoolFile& file) {
  return read_back(file, {0, file.size()});
}

std::string literal(const std::string& body) {
  return "{" + std::to_string(body.size()) + "}\r\n" + body;
}

class ImapBatchTest : public ::testing::Test {
 protected:
  ImapBatchTest()
      : server_tls_(ca_.server_context("IP:127.0.0.1")),
        peer_(io_, *server_tls_),
        spool_(std::filesystem::temp_directory_path() /
               ("contribd-spool-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(spool_);
  }
  ~ImapBatchTest() override { std::filesystem::remove_all(spool_); }

  asio::awaitable<std::unique_ptr<Session>> connect() {
    net::Endpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = peer_.port();
    endpoint.ca_file = ca_.pem_path();
    endpoint.timeout = std::chrono::seconds(5);
    co_return co_await Session::connect(io_.get_executor(), endpoint, {"alice", "secret"});
  }

  asio::awaitable<void> serve_login(std::string capabilities = "IMAP4rev1 MOVE UIDPLUS") {
    co_await peer_.accept_tls();
    co_await peer_.send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
    co_await peer_.expect_line(std::string("A1 AUTHENTICATE PLAIN ") + kPlainAliceSecret);
    co_await peer_.send("A1 OK [CAPABILITY " + capabilities + "] Logged in\r\n");
  }

  asio::io_context io_;
  TestCa ca_;
  std::unique_ptr<asio::ssl::context> server_tls_;
  ScriptedPeer peer_;
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
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session = co_await connect();
        const std::vector<std::uint32_t> uids{9, 3, 4};
        co_await session->move_batch(uids, "Registered");
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

TEST(SpoolFileTest, AppendsAndLeavesNoName) {
  const auto folder = std::filesystem::temp_directory_path() /
                      ("contribd-spoolfile-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  {
    net::SpoolFile file = net::SpoolFile::create(folder);
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
  try {
    net::SpoolFile::create("/nonexistent/contribd-spool");
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/contribd-spool"), std::string::npos);
  }
}

}  // namespace
}  // namespace contribd::imap
