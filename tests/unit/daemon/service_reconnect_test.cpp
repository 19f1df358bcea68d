// The service's reconnection rules: backoff with jitter and a cap, a server's request to slow
// down, and one log line per outage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/imap/imap_session.h"
#include "daemon/reconnect.h"
#include "tests/unit/daemon/imap_test_tls.h"

namespace contribd {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(ReconnectBackoff, DoublesFromTheFirstWaitUpToTheCap) {
  ReconnectBackoff backoff(1s, 10s);
  EXPECT_EQ(backoff.next(0.0), 1000ms);
  EXPECT_EQ(backoff.next(0.0), 2000ms);
  EXPECT_EQ(backoff.next(0.0), 4000ms);
  EXPECT_EQ(backoff.next(0.0), 8000ms);
  EXPECT_EQ(backoff.next(0.0), 10000ms);
  EXPECT_EQ(backoff.next(0.0), 10000ms);
}

TEST(ReconnectBackoff, JitterAddsUpToAQuarterAndIsClamped) {
  ReconnectBackoff backoff(8s, 300s);
  EXPECT_EQ(backoff.next(0.5), 9000ms);    // 8 s + 0.5 * 2 s
  EXPECT_EQ(backoff.next(7.0), 19996ms);   // 16 s + at most 0.999 * 4 s
  EXPECT_EQ(backoff.next(-3.0), 32000ms);  // below 0: no jitter
}

TEST(ReconnectBackoff, ResetStartsTheNextOutageFromTheFirstWait) {
  ReconnectBackoff backoff(2s, 60s);
  backoff.next(0.0);
  backoff.next(0.0);
  backoff.reset();
  EXPECT_EQ(backoff.next(0.0), 2000ms);
}

TEST(ReconnectBackoff, ThrottledWaitRaisesTheWaitEvenAboveTheCap) {
  ReconnectBackoff backoff(1s, 30s);
  EXPECT_EQ(backoff.next(0.0, 120s), 120000ms);
  EXPECT_EQ(backoff.next(0.0), 120000ms);  // kept for the rest of the outage
  backoff.reset();
  EXPECT_EQ(backoff.next(0.0), 1000ms);
}

TEST(ThrottledWait, TakesTheServersWaitFromTheCondition) {
  using imap::KnownCode;
  EXPECT_EQ(throttled_wait({KnownCode::throttled, std::nullopt}), kThrottledWait);
  EXPECT_EQ(throttled_wait({KnownCode::throttled, 90s}), 90s);
  EXPECT_EQ(throttled_wait({KnownCode::throttled, 999999s}), kMaxThrottledWait);
  EXPECT_EQ(throttled_wait({KnownCode::throttled, 0s}), kThrottledWait);
}

TEST(ThrottledWait, OtherConditionsTakeTheOrdinaryBackoff) {
  using imap::KnownCode;
  EXPECT_EQ(throttled_wait({KnownCode::unavailable, 30s}), std::nullopt);
  EXPECT_EQ(throttled_wait({KnownCode::none, std::nullopt}), std::nullopt);
  EXPECT_EQ(throttled_wait({KnownCode::other, std::nullopt}), std::nullopt);
}

TEST(Outage, OnlyTheFirstFailureIsReportedAndTheEndSummarisesIt) {
  Outage outage;
  const auto start = Outage::Clock::time_point{} + 1000s;
  EXPECT_FALSE(outage.ongoing());
  EXPECT_TRUE(outage.fail("imap.test:993: connection refused", start));
  EXPECT_FALSE(outage.fail("imap.test:993: timed out", start + 5s));
  EXPECT_FALSE(outage.fail("imap.test:993: timed out", start + 15s));
  EXPECT_TRUE(outage.ongoing());
  const auto summary = outage.end(start + 42s);
  ASSERT_TRUE(summary);
  EXPECT_EQ(*summary,
            "after 3 failed attempts in 42 s; it began with: imap.test:993: connection refused");
  EXPECT_FALSE(outage.ongoing());
  EXPECT_EQ(outage.end(start + 50s), std::nullopt);
  EXPECT_TRUE(outage.fail("imap.test:993: BYE", start + 60s));  // a new outage
}

// The rule works on the error an IMAP session really raises for a throttled server.
TEST(ThrottledWait, ReadsTheErrorOfASessionRefusedWithThrottled) {
  asio::io_context io;
  testing_tls::TestCa ca;
  auto server_tls = ca.server_context("IP:127.0.0.1");
  testing_tls::ScriptedPeer peer(io, *server_tls);
  net::Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = peer.port();
  endpoint.ca_file = ca.pem_path();
  endpoint.timeout = 5s;
  std::string error;
  imap::Condition condition;
  testing_tls::run_pair(
      io,
      [&]() -> asio::awaitable<void> {
        co_await peer.accept_tls();
        co_await peer.send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
        co_await peer.read_line();
        co_await peer.send("A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n");
        co_await peer.expect_line("A2 SELECT \"INBOX\"");
        co_await peer.send("A2 NO [THROTTLED] Account is temporarily limited\r\n");
        co_await peer.expect_line("A3 LOGOUT");
        co_await peer.send("* BYE Logging out\r\nA3 OK Logout completed\r\n");
      },
      [&]() -> asio::awaitable<void> {
        const imap::Credentials credentials("alice", "secret");
        auto session = co_await imap::Session::connect(io.get_executor(), endpoint, credentials);
        try {
          co_await session->select("INBOX");
        } catch (const imap::ImapError& failure) {
          error = failure.what();
          condition = failure.condition();
        }
        co_await session->logout();
      });
  EXPECT_THAT(error, HasSubstr("[THROTTLED]"));
  EXPECT_EQ(condition.code, imap::KnownCode::throttled);
  EXPECT_EQ(throttled_wait(condition), kThrottledWait);
}

}  // namespace
}  // namespace contribd
