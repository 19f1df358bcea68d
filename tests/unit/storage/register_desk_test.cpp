// Held messages, failure counts, withdrawals and the operators' reply commands in the register.
#include <gtest/gtest.h>

#include "register_fixture.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace contribd::storage::testing {
namespace {

HeldMessage held_message(std::uint32_t uid, std::string message_id,
                         HoldCause cause = HoldCause::robot) {
  HeldMessage held;
  held.message_id = std::move(message_id);
  held.raw_sha256 = "ab" + std::to_string(uid);
  held.found = MessageKey{"INBOX", 1000, uid};
  held.review_folder = "Review";
  held.received_at = utc(2020, 7, 20, 9);
  held.sender = "list-owner@lists.test";
  held.subject = "[qit4n] agenda";
  held.cause = cause;
  held.reason = "list-header: the message came through a mailing list";
  held.files = {{"agenda.docx", 2048}, {"notes.pdf", 99}};
  held.held_at = utc(2020, 7, 20, 9, 1);
  return held;
}

TEST_F(RegisterTest, HeldMessageKeepsWhatWasFoundAndWhy) {
  auto transaction = reg_.begin();
  reg_.hold(held_message(7, "<list@lists.test>"));
  transaction.commit();

  const auto held = reg_.held_messages();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].message_id, "<list@lists.test>");
  EXPECT_EQ(held[0].found.uid, 7u);
  EXPECT_EQ(held[0].cause, HoldCause::robot);
  EXPECT_EQ(held[0].state, HeldState::held);
  ASSERT_EQ(held[0].files.size(), 2u);
  EXPECT_EQ(held[0].files[0].filename, "agenda.docx");
  EXPECT_EQ(held[0].files[0].size, 2048u);
  EXPECT_EQ(held[0].received_at, utc(2020, 7, 20, 9));
}

TEST_F(RegisterTest, FindHeldWithOrWithoutAngleBrackets) {
  auto transaction = reg_.begin();
  reg_.hold(held_message(7, "<list@lists.test>"));
  transaction.commit();
  EXPECT_TRUE(reg_.find_held("<list@lists.test>"));
  EXPECT_TRUE(reg_.find_held("list@lists.test"));
  EXPECT_FALSE(reg_.find_held("other@lists.test"));
}

TEST_F(RegisterTest, AcceptIsOncePerHeldMessage) {
  auto transaction = reg_.begin();
  const auto id = reg_.hold(held_message(7, "<list@lists.test>"));
  EXPECT_TRUE(reg_.accept_held(id, std::string("QIT4N-05"), "alice", utc(2020, 7, 21)));
  EXPECT_FALSE(reg_.accept_held(id, std::nullopt, "bob", utc(2020, 7, 21)));
  transaction.commit();

  EXPECT_TRUE(reg_.held_messages().empty());
  const auto accepted = reg_.held_messages(HeldState::accepted);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].accepted_by, "alice");
  EXPECT_EQ(accepted[0].accept_meeting, "QIT4N-05");

  auto second = reg_.begin();
  reg_.mark_held_registered(id, docnum("QIT4N-I-004"));
  second.commit();
  EXPECT_EQ(reg_.find_held("list@lists.test")->document_number, docnum("QIT4N-I-004"));
  EXPECT_EQ(reg_.find_held("list@lists.test")->state, HeldState::registered);
}

TEST_F(RegisterTest, HeldOutcomeIsMovedToTheReviewFolder) {
  reg_.record_examined({"INBOX", 1000, 3}, "<a@h>", "01", {Outcome::held, {}, "robot", false});
  reg_.record_examined({"INBOX", 1000, 4}, "<b@h>", "02",
                       {Outcome::registered, docnum("Q-001"), "", false});
  const auto pending = reg_.pending_moves("INBOX");
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_TRUE(pending[0].held);
  EXPECT_FALSE(pending[1].held);
}

TEST_F(RegisterTest, FailuresAreCountedAndCleared) {
  const MessageKey key{"INBOX", 1000, 12};
  EXPECT_EQ(reg_.failures(key), 0);
  EXPECT_EQ(reg_.count_failure(key, "first"), 1);
  EXPECT_EQ(reg_.count_failure(key, "second"), 2);
  EXPECT_EQ(reg_.last_failure(key), "second");
  reg_.clear_attempts(key);
  EXPECT_EQ(reg_.failures(key), 0);
}

TEST_F(RegisterTest, FailureCountSurvivesReopening) {
  const MessageKey key{"INBOX", 1000, 12};
  reg_.count_failure(key, "crashed");
  Register reopened = Register::open(database_path());
  EXPECT_EQ(reopened.failures(key), 1);
  EXPECT_EQ(reopened.last_failure(key), "crashed");
}

TEST_F(RegisterTest, WithdrawKeepsTheNumberAndRefusesTwice) {
  const auto number = register_one("alice@member.test", {"aa"});
  EXPECT_TRUE(reg_.withdraw(number, "sent by mistake", utc(2020, 7, 21, 10)));
  EXPECT_FALSE(reg_.withdraw(number, "again", utc(2020, 7, 21, 11)));
  const auto withdrawn = reg_.find(number);
  ASSERT_TRUE(withdrawn->withdrawn);
  EXPECT_EQ(withdrawn->withdrawn->reason, "sent by mistake");
  EXPECT_EQ(withdrawn->withdrawn->at, utc(2020, 7, 21, 10));
  EXPECT_THROW(reg_.withdraw(docnum("QIT4N-I-999"), "", utc(2020, 7, 21)), StorageError);
  // The number stays taken: the next one follows it.
  auto transaction = reg_.begin();
  EXPECT_EQ(reg_.next_document_number("QIT4N-I-", 1), docnum("QIT4N-I-002"));
}

TEST_F(RegisterTest, ReleaseQueuesTheWithheldReplyOnce) {
  const auto number = register_one("alice@member.test", {"aa"});
  auto transaction = reg_.begin();
  reg_.queue_reply(std::nullopt, number, ReplyKind::ack, ReplyState::withheld, "rate-limit: x",
                   "alice@member.test", "", "reply bytes", utc(2020, 7, 20));
  const auto released = reg_.release_withheld(number, utc(2020, 7, 21));
  ASSERT_TRUE(released);
  EXPECT_FALSE(reg_.release_withheld(number, utc(2020, 7, 21)));
  transaction.commit();
  const auto due = reg_.due_replies(utc(2020, 7, 21));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].reply_id, *released);
  EXPECT_EQ(due[0].message, "reply bytes");
}

TEST_F(RegisterTest, RecipientsOfTheLastHourLeaveOutWithheldReplies) {
  auto transaction = reg_.begin();
  reg_.queue_reply(std::nullopt, docnum("Q-001"), ReplyKind::ack, ReplyState::queued, "",
                   "a+1@x.test", "", "m", utc(2020, 7, 20, 10));
  reg_.queue_reply(std::nullopt, docnum("Q-002"), ReplyKind::ack, ReplyState::withheld, "r",
                   "b@x.test", "", "m", utc(2020, 7, 20, 10));
  reg_.queue_reply(std::nullopt, docnum("Q-003"), ReplyKind::ack, ReplyState::queued, "",
                   "c@x.test", "", "m", utc(2020, 7, 20, 8));
  transaction.commit();
  EXPECT_EQ(reg_.recipients_since(utc(2020, 7, 20, 9)), std::vector<std::string>{"a+1@x.test"});
}

TEST_F(RegisterTest, EventsAreTheHistoryOfADocument) {
  auto transaction = reg_.begin();
  reg_.record_event(
      {utc(2020, 7, 20), "contribd", "registered", docnum("Q-001"), "<m@h>", "from a"});
  reg_.record_event(
      {utc(2020, 7, 21), "alice", "withdrawn", docnum("Q-001"), std::nullopt, "mistake"});
  reg_.record_event(
      {utc(2020, 7, 21), "alice", "withdrawn", docnum("Q-002"), std::nullopt, "other"});
  transaction.commit();
  const auto history = reg_.events(docnum("Q-001"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].action, "registered");
  EXPECT_EQ(history[1].actor, "alice");
}

TEST_F(RegisterTest, AnotherConnectionsWriteIsNoticed) {
  EXPECT_FALSE(reg_.changed_elsewhere());  // the first call sets the baseline
  EXPECT_FALSE(reg_.changed_elsewhere());
  Register other = Register::open(database_path());
  other.count_failure({"INBOX", 1, 1}, "x");
  EXPECT_TRUE(reg_.changed_elsewhere());
  EXPECT_FALSE(reg_.changed_elsewhere());
}

TEST_F(RegisterTest, VersionOneRegisterIsMigratedWithItsContributions) {
  const auto path = dir_.path() / "old.sqlite";
  {
    sqlite::Database db(path, sqlite::Database::Mode::read_write_create);
    db.exec(schema_migrations()[0], "create version 1");
    db.exec("PRAGMA user_version = 1", "version 1");
    db.exec(
        "INSERT INTO examined (mailbox, uidvalidity, uid, message_id, raw_sha256, outcome, "
        "reason) VALUES ('INBOX', 1, 5, '<m@h>', 'ff', 'rejected', 'too large')",
        "an old row");
  }
  Register migrated = Register::open(path);
  const auto old = migrated.examined({"INBOX", 1, 5});
  ASSERT_TRUE(old);
  EXPECT_EQ(old->outcome, Outcome::rejected);
  migrated.record_examined({"INBOX", 1, 6}, "<n@h>", "ee", {Outcome::held, {}, "robot", false});
  EXPECT_EQ(migrated.examined({"INBOX", 1, 6})->outcome, Outcome::held);
}

}  // namespace
}  // namespace contribd::storage::testing
