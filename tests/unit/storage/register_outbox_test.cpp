#include "register_fixture.h"

namespace contribd::storage::testing {
namespace {

using namespace std::chrono_literals;

class OutboxTest : public RegisterTest {
 protected:
  std::int64_t queue(std::string recipient, UtcTime now, ReplyState state = ReplyState::queued,
                     std::string message = "Subject: Received\r\n\r\nThanks\r\n") {
    return reg_.queue_reply(std::nullopt, docnum("QIT4N-I-001"), ReplyKind::ack, state,
                            state == ReplyState::withheld ? "Auto-Submitted: auto-generated" : "",
                            std::move(recipient), "", std::move(message), now);
  }
  const UtcTime t0 = utc(2020, 7, 20, 8);
};

TEST_F(OutboxTest, EmptyOutboxHasNothingDue) {
  EXPECT_TRUE(reg_.due_replies(t0).empty());
  EXPECT_FALSE(reg_.next_due());
}

TEST_F(OutboxTest, QueuedReplyIsDueAtOnceWithItsBytes) {
  const std::string message("Subject: x\r\n\r\nbinary \0\xff bytes\r\n", 31);
  const auto id = queue("alice@member.test", t0, ReplyState::queued, message);
  const auto due = reg_.due_replies(t0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].reply_id, id);
  EXPECT_EQ(due[0].recipient, "alice@member.test");
  EXPECT_EQ(due[0].envelope_from, "");
  EXPECT_EQ(due[0].message, message);
  EXPECT_EQ(due[0].attempts, 0);
  EXPECT_EQ(reg_.next_due(), t0);
}

TEST_F(OutboxTest, WithheldReplyNeverLeaves) {
  queue("list@lists.test", t0, ReplyState::withheld);
  EXPECT_TRUE(reg_.due_replies(t0 + 24h).empty());
  EXPECT_FALSE(reg_.next_due());
}

TEST_F(OutboxTest, DueRepliesComeOldestFirst) {
  const auto first = queue("a@member.test", t0);
  const auto second = queue("b@member.test", t0 + 1s);
  const auto third = queue("c@member.test", t0 + 2s);
  const auto due = reg_.due_replies(t0 + 1min);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].reply_id, first);
  EXPECT_EQ(due[1].reply_id, second);
  EXPECT_EQ(due[2].reply_id, third);
  EXPECT_EQ(reg_.due_replies(t0 + 1s).size(), 2u);
}

TEST_F(OutboxTest, RetryWaitsUntilItsTimeAndCountsAttempts) {
  const auto id = queue("alice@member.test", t0);
  reg_.mark_retry(id, "smtp.example.org: 451 try later", t0 + 30s);
  EXPECT_TRUE(reg_.due_replies(t0 + 29s).empty());
  EXPECT_EQ(reg_.next_due(), t0 + 30s);
  const auto due = reg_.due_replies(t0 + 30s);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 1);
  reg_.mark_retry(id, "connection refused", t0 + 90s);
  EXPECT_EQ(reg_.due_replies(t0 + 90s)[0].attempts, 2);
}

TEST_F(OutboxTest, SentReplyLeavesTheOutboxAndIsRecorded) {
  const auto number = register_one("alice@member.test", {"aa"});
  const auto contribution_id = reg_.find(number)->id;
  const auto id = reg_.queue_reply(contribution_id, number, ReplyKind::ack, ReplyState::queued, "",
                                   "alice@member.test", "", "Subject: x\r\n\r\n", t0);
  reg_.mark_retry(id, "451 greylisted", t0 + 10s);
  reg_.mark_sent(id, t0 + 15s);
  EXPECT_TRUE(reg_.due_replies(t0 + 1h).empty());
  EXPECT_FALSE(reg_.next_due());

  const auto replies = reg_.find(number)->replies;
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].id, id);
  EXPECT_EQ(replies[0].kind, ReplyKind::ack);
  EXPECT_EQ(replies[0].state, ReplyState::sent);
  EXPECT_EQ(replies[0].attempts, 2);
  EXPECT_EQ(replies[0].sent_at, t0 + 15s);
  EXPECT_EQ(replies[0].created_at, t0);
  EXPECT_EQ(replies[0].recipient, "alice@member.test");
  EXPECT_EQ(replies[0].reason, "");
}

TEST_F(OutboxTest, FailedReplyKeepsTheServerText) {
  const auto number = register_one("alice@member.test", {"aa"});
  const auto id = reg_.queue_reply(reg_.find(number)->id, number, ReplyKind::late,
                                   ReplyState::queued, "", "alice@member.test", "", "x", t0);
  reg_.mark_failed(id, "550 5.1.1 mailbox unknown");
  EXPECT_TRUE(reg_.due_replies(t0 + 1h).empty());
  const auto reply = reg_.find(number)->replies.at(0);
  EXPECT_EQ(reply.state, ReplyState::failed);
  EXPECT_EQ(reply.kind, ReplyKind::late);
  EXPECT_EQ(reply.reason, "550 5.1.1 mailbox unknown");
  EXPECT_EQ(reply.attempts, 1);
  EXPECT_FALSE(reply.sent_at);
}

TEST_F(OutboxTest, MarkingAReplyThatIsNotQueuedIsRefused) {
  const auto id = queue("alice@member.test", t0);
  reg_.mark_sent(id, t0);
  EXPECT_THROW(reg_.mark_sent(id, t0), StorageError);
  EXPECT_THROW(reg_.mark_retry(id, "x", t0), StorageError);
  EXPECT_THROW(reg_.mark_failed(id, "x"), StorageError);
  EXPECT_THROW(reg_.mark_sent(id + 100, t0), StorageError);
  const auto withheld = queue("alice@member.test", t0, ReplyState::withheld);
  EXPECT_THROW(reg_.mark_sent(withheld, t0), StorageError);
}

TEST_F(OutboxTest, HourlyCountIgnoresWithheldOlderAndOtherRecipients) {
  queue("alice@member.test", t0 - 2h);                       // too old
  queue("alice@member.test", t0 - 30min);                    // queued
  const auto sent = queue("ALICE@member.test", t0 - 20min);  // case differs
  reg_.mark_sent(sent, t0 - 19min);
  const auto failed = queue("alice@member.test", t0 - 10min);
  reg_.mark_failed(failed, "550 no");
  queue("alice@member.test", t0 - 5min, ReplyState::withheld);
  queue("bob@member.test", t0 - 5min);
  EXPECT_EQ(reg_.replies_sent_or_queued_to("alice@member.test", t0 - 1h), 3);
  EXPECT_EQ(reg_.replies_sent_or_queued_to("bob@member.test", t0 - 1h), 1);
  EXPECT_EQ(reg_.replies_sent_or_queued_to("carol@member.test", t0 - 1h), 0);
}

TEST_F(OutboxTest, QueuedReplyRollsBackWithTheContribution) {
  {
    auto transaction = reg_.begin();
    const auto number = reg_.next_document_number("QIT4N-I-", 1);
    const auto id = reg_.insert_contribution(contribution(number, "a@member.test", {"aa"}));
    reg_.queue_reply(id, number, ReplyKind::ack, ReplyState::queued, "", "a@member.test", "", "x",
                     t0);
  }
  EXPECT_TRUE(reg_.due_replies(t0).empty());
  EXPECT_TRUE(reg_.list().empty());
}

TEST_F(OutboxTest, DuplicateRepliesShowInTheOriginalsHistory) {
  const auto number = register_one("alice@member.test", {"aa"});
  reg_.queue_reply(std::nullopt, number, ReplyKind::ack, ReplyState::queued, "",
                   "alice@member.test", "", "x", t0 + 1h);
  EXPECT_EQ(reg_.find(number)->replies.size(), 1u);
}

}  // namespace
}  // namespace contribd::storage::testing
