#include "register_fixture.h"

namespace contribd::storage::testing {
namespace {

const MessageKey inbox_7{"INBOX", 1000, 7};

TEST_F(RegisterTest, UnknownMessageIsNotExamined) {
  EXPECT_FALSE(reg_.examined(inbox_7));
  EXPECT_FALSE(reg_.examined_by_content("<x@host>", "ff"));
}

TEST_F(RegisterTest, ExaminedIsFoundByKeyOnly) {
  reg_.record_examined(inbox_7, "<x@host>", "ff",
                       Examined{Outcome::registered, docnum("QIT4N-I-001"), "", false});
  const auto found = reg_.examined(inbox_7);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->outcome, Outcome::registered);
  EXPECT_EQ(found->document_number, docnum("QIT4N-I-001"));
  EXPECT_FALSE(found->moved);
  EXPECT_FALSE(reg_.examined(MessageKey{"INBOX", 1001, 7}));  // other UIDVALIDITY
  EXPECT_FALSE(reg_.examined(MessageKey{"INBOX", 1000, 8}));
  EXPECT_FALSE(reg_.examined(MessageKey{"Other", 1000, 7}));
}

TEST_F(RegisterTest, ExaminedIsFoundByContentAfterUidvalidityChange) {
  reg_.record_examined(inbox_7, "<x@host>", "ff",
                       Examined{Outcome::skipped, std::nullopt, "no attachment", false});
  const auto found = reg_.examined_by_content("<x@host>", "ff");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->outcome, Outcome::skipped);
  EXPECT_FALSE(found->document_number);
  EXPECT_EQ(found->reason, "no attachment");
  EXPECT_FALSE(reg_.examined_by_content("<x@host>", "ee"));  // same id, other bytes
  EXPECT_FALSE(reg_.examined_by_content("<y@host>", "ff"));
}

TEST_F(RegisterTest, RecordingAgainReplacesTheOutcome) {
  reg_.record_examined(inbox_7, "<x@host>", "ff",
                       Examined{Outcome::rejected, std::nullopt, "too large", false});
  reg_.record_examined(inbox_7, "<x@host>", "ff",
                       Examined{Outcome::duplicate, docnum("QIT4N-I-003"), "same files", false});
  const auto found = reg_.examined(inbox_7);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->outcome, Outcome::duplicate);
  EXPECT_EQ(found->document_number, docnum("QIT4N-I-003"));
  EXPECT_EQ(found->reason, "same files");
}

TEST_F(RegisterTest, PendingMovesListsRegisteredAndDuplicatesNotYetMoved) {
  reg_.record_examined({"INBOX", 1000, 9}, "<a@h>", "01",
                       {Outcome::registered, docnum("Q-001"), "", false});
  reg_.record_examined({"INBOX", 1000, 3}, "<b@h>", "02",
                       {Outcome::duplicate, docnum("Q-001"), "", false});
  reg_.record_examined({"INBOX", 1000, 4}, "<c@h>", "03", {Outcome::skipped, {}, "text", false});
  reg_.record_examined({"INBOX", 1000, 5}, "<d@h>", "04", {Outcome::rejected, {}, "bad", false});
  reg_.record_examined({"INBOX", 1000, 6}, "<e@h>", "05",
                       {Outcome::registered, docnum("Q-002"), "", true});
  reg_.record_examined({"Other", 1000, 1}, "<f@h>", "06",
                       {Outcome::registered, docnum("Q-003"), "", false});

  const auto pending = reg_.pending_moves("INBOX");
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].key.uid, 3u);
  EXPECT_EQ(pending[1].key.uid, 9u);
  EXPECT_EQ(pending[0].key.mailbox, "INBOX");
  EXPECT_EQ(pending[0].key.uidvalidity, 1000u);

  reg_.mark_moved(pending[0].key);
  EXPECT_TRUE(reg_.examined(pending[0].key)->moved);
  ASSERT_EQ(reg_.pending_moves("INBOX").size(), 1u);
  EXPECT_EQ(reg_.pending_moves("INBOX")[0].key.uid, 9u);
}

TEST_F(RegisterTest, MarkMovedOfUnknownMessageNamesIt) {
  try {
    reg_.mark_moved(inbox_7);
    FAIL() << "marked a message that was never examined";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find("UID 7"), std::string::npos) << error.what();
  }
}

TEST_F(RegisterTest, LargestUidsRoundTrip) {
  const MessageKey key{"INBOX", 0xFFFFFFFFu, 0xFFFFFFFEu};
  reg_.record_examined(key, "", "ff", Examined{Outcome::registered, docnum("Q-001"), "", false});
  ASSERT_TRUE(reg_.examined(key));
  const auto pending = reg_.pending_moves("INBOX");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].key.uidvalidity, 0xFFFFFFFFu);
  EXPECT_EQ(pending[0].key.uid, 0xFFFFFFFEu);
}

TEST_F(RegisterTest, ExaminedRecordRollsBackWithItsTransaction) {
  {
    auto transaction = reg_.begin();
    reg_.record_examined(inbox_7, "<x@host>", "ff",
                         {Outcome::registered, docnum("Q-001"), "", false});
  }
  EXPECT_FALSE(reg_.examined(inbox_7));
}

}  // namespace
}  // namespace contribd::storage::testing
