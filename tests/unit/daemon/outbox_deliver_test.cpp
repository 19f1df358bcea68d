// The outbox against a real register and SMTP servers on 127.0.0.1: a scripted one over TLS
// (implicit, or STARTTLS and AUTH on a submission port, with and without PIPELINING), and a
// port where nothing listens.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <optional>

#include "daemon/outbox/deliver.h"
#include "tests/unit/daemon/imap_test_tls.h"

namespace contribd {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using storage::UtcTime;
using ::testing::HasSubstr;

UtcTime now_utc() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

TEST(RetryBackoff, DoublesPerAttemptUpToTheCap) {
  EXPECT_EQ(retry_backoff(0, 60s), 1s);
  EXPECT_EQ(retry_backoff(3, 60s), 8s);
  EXPECT_EQ(retry_backoff(6, 60s), 60s);
  EXPECT_EQ(retry_backoff(1000, 60s), 60s);
}

TEST(FailureScope, OnlyAnAnswerAboutTheMessageDelaysJustThatReply) {
  EXPECT_EQ(failure_scope(450), FailureScope::this_reply);  // mailbox busy
  EXPECT_EQ(failure_scope(452), FailureScope::this_reply);  // storage
  EXPECT_EQ(failure_scope(421), FailureScope::server);      // closing the channel
  EXPECT_EQ(failure_scope(0), FailureScope::server);        // unreadable answer
  EXPECT_EQ(failure_scope(535), FailureScope::server);      // login refused, not final
  EXPECT_EQ(failure_scope(450, "4.2.1"), FailureScope::this_reply);
}

// Microsoft 365's throttling (docs/smtp-servers.md) concerns the account: every reply waits.
TEST(FailureScope, ThrottlingIsTheServers) {
  EXPECT_EQ(failure_scope(432, "4.3.2"), FailureScope::server);  // sender thread limit exceeded
  EXPECT_EQ(failure_scope(432), FailureScope::server);
  EXPECT_EQ(failure_scope(451, "4.3.2"), FailureScope::server);
  EXPECT_EQ(failure_scope(451, "4.7.0"), FailureScope::server);  // temporary server error
  EXPECT_EQ(failure_scope(450, "4.7.1"), FailureScope::server);
  EXPECT_EQ(failure_scope(451, "4.3.0"), FailureScope::this_reply);
}

TEST(SmtpPacing, BacksOffPerFailedRoundAndForgetsOnAnswer) {
  SmtpPacing pacing(60s);
  const UtcTime t0 = now_utc();
  EXPECT_TRUE(pacing.may_try(t0));
  EXPECT_EQ(pacing.server_failed(t0), 1s);
  EXPECT_FALSE(pacing.may_try(t0));
  EXPECT_TRUE(pacing.may_try(t0 + 1s));
  EXPECT_EQ(pacing.server_failed(t0 + 1s), 2s);
  for (int round = 0; round < 10; ++round) pacing.server_failed(t0 + 3s);
  EXPECT_EQ(pacing.retry_at(), t0 + 3s + 60s);
  EXPECT_TRUE(pacing.in_outage());
  EXPECT_EQ(pacing.server_answered(t0 + 100s), 100s);
  EXPECT_FALSE(pacing.in_outage());
  EXPECT_EQ(pacing.retry_at(), std::nullopt);
  EXPECT_EQ(pacing.server_answered(t0 + 200s), std::nullopt);
}

TEST(SmtpPacing, RemembersRepliesSentButNotRecordedUntilForgotten) {
  SmtpPacing pacing(60s);
  const UtcTime t0 = now_utc();
  EXPECT_TRUE(pacing.unrecorded().empty());
  pacing.remember_unrecorded(7, t0);
  pacing.remember_unrecorded(3, t0 + 5s);
  pacing.remember_unrecorded(7, t0 + 9s);  // the first sending time is the one kept
  ASSERT_EQ(pacing.unrecorded().size(), 2u);
  EXPECT_EQ(pacing.unrecorded().at(7), t0);
  EXPECT_EQ(pacing.unrecorded().at(3), t0 + 5s);
  EXPECT_EQ(pacing.unrecorded().begin()->first, 3);  // recorded in id order
  // Unrelated to the server's own backoff.
  EXPECT_FALSE(pacing.in_outage());
  EXPECT_TRUE(pacing.may_try(t0));
  pacing.forget_unrecorded(7);
  pacing.forget_unrecorded(42);  // never remembered: nothing happens
  ASSERT_EQ(pacing.unrecorded().size(), 1u);
  EXPECT_EQ(pacing.unrecorded().count(3), 1u);
  pacing.forget_unrecorded(3);
  EXPECT_TRUE(pacing.unrecorded().empty());
}

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest()
      : folder_(fs::path(::testing::TempDir()) /
                ("contribd-outbox-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name())),
        register_((fs::remove_all(folder_), storage::Register::open(folder_ / "db.sqlite"))),
        server_tls_(ca_.server_context("IP:127.0.0.1")),
        peer_(io_, *server_tls_) {
    smtp_.endpoint.host = "127.0.0.1";
    smtp_.endpoint.port = peer_.port();
    smtp_.endpoint.security = net::Security::tls;
    smtp_.endpoint.ca_file = ca_.pem_path();
    smtp_.endpoint.timeout = 5s;
    smtp_.from = "tsbfgqit4n@itu.test";
    smtp_.helo = "contribd.itu.test";
  }
  ~OutboxTest() override { fs::remove_all(folder_); }

  // A reply as the intake queues it; `envelope_from` "" is the null sender.
  std::int64_t queue(const std::string& document, const std::string& recipient,
                     const std::string& envelope_from = "") {
    auto transaction = register_.begin();
    const auto id = register_.queue_reply(
        std::nullopt, storage::DocumentNumber::parse(document).value(), storage::ReplyKind::ack,
        storage::ReplyState::queued, "", recipient, envelope_from,
        "Subject: Received [" + document + "]\r\n\r\nThanks\r\n", now_utc());
    transaction.commit();
    return id;
  }

  // The SMTP server up to and including the answer to RCPT TO.
  asio::awaitable<void> serve_until_rcpt(std::string recipient, std::string answer) {
    co_await peer_.accept_tls();
    co_await peer_.send("220 smtp.test ESMTP\r\n");
    co_await peer_.expect_line("EHLO contribd.itu.test");
    co_await peer_.send("250-smtp.test\r\n250 8BITMIME\r\n");
    co_await peer_.expect_line("MAIL FROM:<>");
    co_await peer_.send("250 2.1.0 Ok\r\n");
    co_await peer_.expect_line("RCPT TO:<" + recipient + ">");
    co_await peer_.send(answer);
  }

  // The submission port as Postfix and Microsoft 365 offer it: STARTTLS, then AUTH PLAIN
  // (PIPELINING offered after the handshake when `pipelining`).
  void use_submission_port() {
    smtp_.endpoint.security = net::Security::starttls;
    credentials_ = smtp::Credentials{"tsbfgqit4n@itu.test", "secret"};
  }

  asio::awaitable<void> serve_login(testing_tls::ScriptedPeer& peer, bool pipelining = true) {
    co_await peer.accept();
    co_await peer.send("220 smtp.test ESMTP\r\n");
    co_await peer.expect_line("EHLO contribd.itu.test");
    co_await peer.send("250-smtp.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
    co_await peer.expect_line("STARTTLS");
    co_await peer.send("220 2.0.0 Ready to start TLS\r\n");
    co_await peer.handshake();
    co_await peer.expect_line("EHLO contribd.itu.test");
    co_await peer.send(pipelining ? "250-smtp.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n"
                                  : "250-smtp.test\r\n250 AUTH PLAIN LOGIN\r\n");
    // "\0tsbfgqit4n@itu.test\0secret"
    co_await peer.expect_line("AUTH PLAIN AHRzYmZncWl0NG5AaXR1LnRlc3QAc2VjcmV0");
    co_await peer.send("235 2.7.0 Authentication successful\r\n");
  }

  // MAIL FROM, RCPT TO and DATA arriving together, before any reply (RFC 2920); `prefix` is
  // what comes before them in the same write (the RSET that checks a kept session).
  asio::awaitable<void> expect_pipelined(testing_tls::ScriptedPeer& peer, std::string recipient,
                                         std::string prefix = "") {
    if (!prefix.empty()) co_await peer.expect_line(prefix);
    co_await peer.expect_line("MAIL FROM:<tsbfgqit4n@itu.test>");
    EXPECT_EQ(peer.pending(), "RCPT TO:<" + recipient + ">\r\nDATA\r\n");
    co_await peer.expect_line("RCPT TO:<" + recipient + ">");
    co_await peer.expect_line("DATA");
  }

  asio::awaitable<void> accept_body(testing_tls::ScriptedPeer& peer, std::string document) {
    co_await peer.expect_line("Subject: Received [" + document + "]");
    co_await peer.expect_line("");
    co_await peer.expect_line("Thanks");
    co_await peer.expect_line(".");
    co_await peer.send("250 2.0.0 Ok: queued\r\n");
  }

  // Reads what the client still sends, answering its RSET and QUIT, until it closes.
  asio::awaitable<void> drain() {
    while (auto line = co_await peer_.read_line()) {
      if (*line == "RSET") co_await peer_.send("250 2.0.0 Ok\r\n");
      if (*line == "QUIT") co_await peer_.send("221 2.0.0 Bye\r\n");
    }
  }

  DeliveryCounts deliver_with_peer(std::function<asio::awaitable<void>()> server) {
    DeliveryCounts counts;
    testing_tls::run_pair(io_, std::move(server), [&]() -> asio::awaitable<void> {
      counts = co_await deliver_due_replies(io_.get_executor(), smtp_, credentials_, register_,
                                            pacing_, kept_);
    });
    return counts;
  }

  DeliveryCounts deliver_now() {
    DeliveryCounts counts;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          counts = co_await deliver_due_replies(io_.get_executor(), smtp_, credentials_, register_,
                                                pacing_, kept_);
        },
        [](std::exception_ptr failure) {
          if (failure) std::rethrow_exception(failure);
        });
    io_.restart();
    io_.run();
    return counts;
  }

  // A port on 127.0.0.1 where nothing listens (bound, then closed).
  static std::uint16_t closed_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
  }

  fs::path folder_;
  storage::Register register_;
  asio::io_context io_;
  testing_tls::TestCa ca_;
  std::unique_ptr<asio::ssl::context> server_tls_;
  testing_tls::ScriptedPeer peer_;
  SmtpConfig smtp_;
  SmtpPacing pacing_{60s};
  KeptSession kept_{0s};  // closed at the end of every round unless a test keeps it
  smtp::Credentials credentials_{"", ""};  // no AUTH unless use_submission_port()
};

const std::string kSecretariat = "tsbfgqit4n@itu.test";

TEST_F(OutboxTest, StartTlsAuthAndPipelinedReplyIsMarkedSent) {
  use_submission_port();
  queue("QIT4N-I-020", "alice@member.test", kSecretariat);
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_login(peer_);
    co_await expect_pipelined(peer_, "alice@member.test");
    co_await peer_.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
    co_await accept_body(peer_, "QIT4N-I-020");
    co_await peer_.expect_line("QUIT");
    co_await peer_.send("221 2.0.0 Bye\r\n");
    EXPECT_EQ(co_await peer_.read_line(), std::nullopt);
  });
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(register_.next_due(), std::nullopt);
  EXPECT_EQ(kept_.session, nullptr);
}

TEST_F(OutboxTest, PipeliningTurnedOffSendsOneCommandAtATime) {
  use_submission_port();
  smtp_.pipelining = false;
  queue("QIT4N-I-021", "bob@member.test", kSecretariat);
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_login(peer_);
    co_await peer_.expect_line("MAIL FROM:<tsbfgqit4n@itu.test>");
    EXPECT_EQ(peer_.pending(), "");
    co_await peer_.send("250 2.1.0 Ok\r\n");
    co_await peer_.expect_line("RCPT TO:<bob@member.test>");
    EXPECT_EQ(peer_.pending(), "");
    co_await peer_.send("250 2.1.5 Ok\r\n");
    co_await peer_.expect_line("DATA");
    co_await peer_.send("354 go ahead\r\n");
    co_await accept_body(peer_, "QIT4N-I-021");
    co_await drain();
  });
  EXPECT_EQ(counts.sent, 1);
}

TEST_F(OutboxTest, PipelinedTemporaryRefusalOfRcptDefersOnlyThatReply) {
  use_submission_port();
  queue("QIT4N-I-022", "carol@member.test", kSecretariat);
  queue("QIT4N-I-023", "dave@member.test", kSecretariat);
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_login(peer_);
    co_await expect_pipelined(peer_, "carol@member.test");
    co_await peer_.send(
        "250 2.1.0 Ok\r\n450 4.2.1 <carol@member.test>: mailbox busy\r\n554 5.5.1 Error: no "
        "valid recipients\r\n");
    co_await peer_.expect_line("RSET");
    co_await peer_.send("250 2.0.0 Ok\r\n");
    // The session goes on with the next reply.
    co_await expect_pipelined(peer_, "dave@member.test");
    co_await peer_.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
    co_await accept_body(peer_, "QIT4N-I-023");
    co_await drain();
  });
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(counts.deferred, 1);
  EXPECT_EQ(counts.failed, 0);
  EXPECT_FALSE(pacing_.in_outage());
  const auto later = register_.due_replies(now_utc() + 3600s);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].recipient, "carol@member.test");
  EXPECT_EQ(later[0].attempts, 1);
}

TEST_F(OutboxTest, ThrottlingStopsTheRoundForEveryReply) {
  use_submission_port();
  queue("QIT4N-I-024", "erin@member.test", kSecretariat);
  queue("QIT4N-I-025", "frank@member.test", kSecretariat);
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_login(peer_);
    co_await expect_pipelined(peer_, "erin@member.test");
    co_await peer_.send(
        "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=X]\r\n"
        "503 5.5.1 Error: need MAIL command\r\n503 5.5.1 Error: need RCPT command\r\n");
    co_await drain();
  });
  EXPECT_EQ(counts.sent + counts.failed, 0);
  EXPECT_EQ(counts.deferred, 2);
  EXPECT_TRUE(pacing_.in_outage());
  const auto waiting = register_.due_replies(now_utc());
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].recipient, "frank@member.test");
  EXPECT_EQ(waiting[0].attempts, 0);  // not tried against a throttling server
}

// The connection is lost after the commands and before any answer: the reply may not be
// resent at once (nothing says whether the server took it), so it waits like any reply of a
// server in trouble; nothing is marked failed.
TEST_F(OutboxTest, ConnectionLostMidTransactionLeavesTheReplyQueued) {
  use_submission_port();
  queue("QIT4N-I-026", "grace@member.test", kSecretariat);
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_login(peer_);
    co_await expect_pipelined(peer_, "grace@member.test");
    peer_.close();
  });
  EXPECT_EQ(counts.deferred, 1);
  EXPECT_EQ(counts.sent + counts.failed, 0);
  EXPECT_TRUE(pacing_.in_outage());
  EXPECT_EQ(kept_.session, nullptr);
  const auto later = register_.due_replies(now_utc() + 3600s);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].attempts, 1);
}

// A session kept from the last round was closed by the server meanwhile (its idle timeout):
// the RSET that travels with the next reply's commands finds it gone, and the reply goes at
// once on a new session, signed in again.
TEST_F(OutboxTest, KeptSessionClosedByTheServerIsOpenedAgainForTheNextReply) {
  use_submission_port();
  kept_.keep_open = 60s;
  queue("QIT4N-I-027", "heidi@member.test", kSecretariat);
  const auto first = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_login(peer_);
    co_await expect_pipelined(peer_, "heidi@member.test");
    co_await peer_.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
    co_await accept_body(peer_, "QIT4N-I-027");
  });
  EXPECT_EQ(first.sent, 1);
  ASSERT_NE(kept_.session, nullptr) << "kept open for the next round";
  ASSERT_TRUE(kept_.close_at());
  EXPECT_GT(*kept_.close_at(), KeptSession::Clock::now() + 50s);
  peer_.close();  // the server's idle timeout

  queue("QIT4N-I-028", "ivan@member.test", kSecretariat);
  testing_tls::ScriptedPeer next_peer(io_, *server_tls_);
  smtp_.endpoint.port = next_peer.port();
  io_.restart();
  const auto second = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_login(next_peer);
    co_await expect_pipelined(next_peer, "ivan@member.test");
    co_await next_peer.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
    co_await accept_body(next_peer, "QIT4N-I-028");
  });
  EXPECT_EQ(second.sent, 1);
  EXPECT_EQ(second.deferred, 0);
  EXPECT_FALSE(pacing_.in_outage());
  EXPECT_EQ(register_.next_due(), std::nullopt);
  EXPECT_NE(kept_.session, nullptr);
}

// A kept session that still answers carries the next round's reply after an RSET, without a
// new handshake or sign-in; unused for keep_open, it is closed with QUIT.
TEST_F(OutboxTest, KeptSessionIsReusedAfterAnRsetAndClosedWhenIdle) {
  use_submission_port();
  kept_.keep_open = 60s;
  queue("QIT4N-I-029", "judy@member.test", kSecretariat);
  deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_login(peer_);
    co_await expect_pipelined(peer_, "judy@member.test");
    co_await peer_.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
    co_await accept_body(peer_, "QIT4N-I-029");
  });
  queue("QIT4N-I-030", "mallory@member.test", kSecretariat);
  io_.restart();
  const auto second = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await expect_pipelined(peer_, "mallory@member.test", "RSET");
    co_await peer_.send("250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
    co_await accept_body(peer_, "QIT4N-I-030");
  });
  EXPECT_EQ(second.sent, 1);
  io_.restart();
  testing_tls::run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer_.expect_line("QUIT");
        co_await peer_.send("221 2.0.0 Bye\r\n");
        EXPECT_EQ(co_await peer_.read_line(), std::nullopt);
      },
      [&]() -> asio::awaitable<void> {
        co_await kept_.close_if_idle(KeptSession::Clock::now());  // used just now: stays
        EXPECT_NE(kept_.session, nullptr);
        co_await kept_.close_if_idle(KeptSession::Clock::now() + 61s);
        EXPECT_EQ(kept_.session, nullptr);
      });
}

TEST_F(OutboxTest, AcceptedReplyIsMarkedSent) {
  queue("QIT4N-I-001", "alice@member.test");
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_until_rcpt("alice@member.test", "250 2.1.5 Ok\r\n");
    co_await peer_.expect_line("DATA");
    co_await peer_.send("354 go ahead\r\n");
    co_await peer_.expect_line("Subject: Received [QIT4N-I-001]");
    co_await peer_.expect_line("");
    co_await peer_.expect_line("Thanks");
    co_await peer_.expect_line(".");
    co_await peer_.send("250 2.0.0 Ok: queued\r\n");
    co_await drain();
  });
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(counts.deferred, 0);
  EXPECT_EQ(register_.next_due(), std::nullopt);
  EXPECT_TRUE(register_.due_replies(now_utc() + 3600s).empty());
}

TEST_F(OutboxTest, PermanentRefusalIsRecordedAsFailedWithTheServersText) {
  queue("QIT4N-I-002", "nobody@member.test");
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_until_rcpt("nobody@member.test", "550 5.1.1 <nobody@member.test>: unknown\r\n");
    co_await drain();
  });
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(register_.next_due(), std::nullopt);  // never retried
  EXPECT_TRUE(register_.due_replies(now_utc() + 3600s).empty());
  EXPECT_FALSE(pacing_.in_outage());
}

TEST_F(OutboxTest, TemporaryRefusalOfOneReplyDelaysOnlyThatReply) {
  queue("QIT4N-I-003", "bob@member.test");
  const auto before = now_utc();
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_until_rcpt("bob@member.test", "450 4.2.1 mailbox busy\r\n");
    co_await drain();
  });
  EXPECT_EQ(counts.deferred, 1);
  EXPECT_FALSE(pacing_.in_outage());
  const auto due = register_.next_due();
  ASSERT_TRUE(due);
  EXPECT_GE(*due, before + 1s);  // first retry after 2^0 s
  EXPECT_LE(*due, now_utc() + 1s);
  const auto later = register_.due_replies(*due);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].attempts, 1);
}

TEST_F(OutboxTest, ServerClosingTheChannelStopsTheRound) {
  queue("QIT4N-I-004", "carol@member.test");
  queue("QIT4N-I-005", "dave@member.test");
  const auto counts = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await peer_.accept_tls();
    co_await peer_.send("421 4.3.2 smtp.test shutting down\r\n");
    co_await drain();
  });
  EXPECT_EQ(counts.sent, 0);
  EXPECT_EQ(counts.deferred, 2);
  EXPECT_TRUE(pacing_.in_outage());
  // The second reply was not tried: still due now, no attempt recorded.
  const auto waiting = register_.due_replies(now_utc());
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].recipient, "dave@member.test");
  EXPECT_EQ(waiting[0].attempts, 0);
}

TEST_F(OutboxTest, UnreachableServerIsNotTriedAgainBeforeItsBackoff) {
  queue("QIT4N-I-006", "erin@member.test");
  queue("QIT4N-I-007", "frank@member.test");
  smtp_.endpoint.port = closed_port();
  const auto first = deliver_now();
  EXPECT_EQ(first.deferred, 2);
  ASSERT_TRUE(pacing_.retry_at());
  EXPECT_EQ(next_delivery(register_, pacing_), pacing_.retry_at());
  // Right away again: nothing is tried, nothing recorded.
  const auto second = deliver_now();
  EXPECT_EQ(second.sent + second.failed + second.deferred, 0);
  const auto waiting = register_.due_replies(now_utc());
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].attempts, 0);
  const auto retried = register_.due_replies(now_utc() + 3600s);
  ASSERT_EQ(retried.size(), 2u);
  EXPECT_EQ(retried[0].attempts, 1);
}

// SPEC, Guarantees: a reply is never sent twice because the register could not record the
// first sending, and nothing is sent while it cannot. Another connection takes the register's
// write lock while the SMTP server accepts the first reply: mark_sent gives up after the busy
// timeout (5 s, paid once here).
TEST_F(OutboxTest, ReplyTheRegisterCannotRecordIsSentOnceAndRecordedLater) {
  const auto first = queue("QIT4N-I-008", "grace@member.test");
  const auto second = queue("QIT4N-I-009", "heidi@member.test");
  storage::Register other = storage::Register::open(register_.path());
  std::optional<storage::Register::Transaction> lock;
  // One reply accepted; `before_accepting` runs just before the server says so.
  const auto serve_one = [&](testing_tls::ScriptedPeer& peer, std::string recipient,
                             std::string document,
                             std::function<void()> before_accepting) -> asio::awaitable<void> {
    co_await peer.accept_tls();
    co_await peer.send("220 smtp.test ESMTP\r\n");
    co_await peer.expect_line("EHLO contribd.itu.test");
    co_await peer.send("250-smtp.test\r\n250 8BITMIME\r\n");
    co_await peer.expect_line("MAIL FROM:<>");
    co_await peer.send("250 2.1.0 Ok\r\n");
    co_await peer.expect_line("RCPT TO:<" + recipient + ">");
    co_await peer.send("250 2.1.5 Ok\r\n");
    co_await peer.expect_line("DATA");
    co_await peer.send("354 go ahead\r\n");
    co_await peer.expect_line("Subject: Received [" + document + "]");
    co_await peer.expect_line("");
    co_await peer.expect_line("Thanks");
    co_await peer.expect_line(".");
    before_accepting();
    co_await peer.send("250 2.0.0 Ok: queued\r\n");
    // Anything but QUIT now would be a second reply in the same round.
    co_await peer.expect_line("QUIT");
    co_await peer.send("221 2.0.0 Bye\r\n");
    EXPECT_EQ(co_await peer.read_line(), std::nullopt);
  };

  const DeliveryCounts locked_round = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_one(peer_, "grace@member.test", "QIT4N-I-008",
                       [&] { lock.emplace(other.begin()); });  // BEGIN IMMEDIATE
  });
  ASSERT_TRUE(lock);
  EXPECT_EQ(locked_round.sent, 1);
  EXPECT_EQ(locked_round.deferred, 1);  // the second reply waits
  ASSERT_EQ(pacing_.unrecorded().size(), 1u);
  EXPECT_EQ(pacing_.unrecorded().count(first), 1u);
  // The register still has both queued, untouched: it could not be written.
  const auto waiting = register_.due_replies(now_utc());
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].reply_id, first);
  EXPECT_EQ(waiting[1].reply_id, second);
  EXPECT_EQ(waiting[1].attempts, 0);

  // The lock goes: the first reply is recorded, not sent again; the second is sent.
  lock.reset();
  testing_tls::ScriptedPeer next_peer(io_, *server_tls_);
  smtp_.endpoint.port = next_peer.port();
  io_.restart();
  const auto free_round = deliver_with_peer([&]() -> asio::awaitable<void> {
    co_await serve_one(next_peer, "heidi@member.test", "QIT4N-I-009", [] {});
  });
  EXPECT_EQ(free_round.sent, 1);
  EXPECT_EQ(free_round.deferred, 0);
  EXPECT_TRUE(pacing_.unrecorded().empty());
  EXPECT_TRUE(register_.due_replies(now_utc() + 3600s).empty());
  EXPECT_EQ(register_.next_due(), std::nullopt);
}

}  // namespace
}  // namespace contribd
