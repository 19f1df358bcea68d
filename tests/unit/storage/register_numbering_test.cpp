#include "register_fixture.h"

namespace contribd::storage::testing {
namespace {

TEST_F(RegisterTest, FirstNumberStartsTheSeries) {
  EXPECT_EQ(register_one("a@member.test", {"01"}, "QIT4N-I-", 1), docnum("QIT4N-I-001"));
}

TEST_F(RegisterTest, NumbersAreConsecutivePerPrefix) {
  EXPECT_EQ(register_one("a@member.test", {"01"}, "QIT4N-I-", 1), docnum("QIT4N-I-001"));
  EXPECT_EQ(register_one("a@member.test", {"02"}, "QIT4N-I-", 1), docnum("QIT4N-I-002"));
  EXPECT_EQ(register_one("a@member.test", {"03"}, "SG17-C-", 40), docnum("SG17-C-040"));
  EXPECT_EQ(register_one("a@member.test", {"04"}, "QIT4N-I-", 1), docnum("QIT4N-I-003"));
  EXPECT_EQ(register_one("a@member.test", {"05"}, "SG17-C-", 40), docnum("SG17-C-041"));
}

TEST_F(RegisterTest, NoGapAfterARolledBackTransaction) {
  register_one("a@member.test", {"01"});
  {
    auto transaction = reg_.begin();
    const auto number = reg_.next_document_number("QIT4N-I-", 1);
    EXPECT_EQ(number, docnum("QIT4N-I-002"));
    reg_.insert_contribution(contribution(number, "b@member.test", {"02"}));
    // no commit: the destructor rolls back, as after a failed file store or reply
  }
  EXPECT_FALSE(reg_.find(docnum("QIT4N-I-002")));
  EXPECT_EQ(register_one("c@member.test", {"03"}), docnum("QIT4N-I-002"));
}

TEST_F(RegisterTest, RaisedFirstNumberContinuesFromThere) {
  register_one("a@member.test", {"01"}, "QIT4N-I-", 1);
  EXPECT_EQ(register_one("a@member.test", {"02"}, "QIT4N-I-", 50), docnum("QIT4N-I-050"));
  EXPECT_EQ(register_one("a@member.test", {"03"}, "QIT4N-I-", 1), docnum("QIT4N-I-051"));
}

TEST_F(RegisterTest, NumbersGrowPastThreeDigits) {
  register_one("a@member.test", {"01"}, "Q-", 999);
  EXPECT_EQ(register_one("a@member.test", {"02"}, "Q-", 1), docnum("Q-1000"));
  const auto all = reg_.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].document_number, docnum("Q-999"));  // numeric order, not text order
  EXPECT_EQ(all[1].document_number, docnum("Q-1000"));
}

TEST_F(RegisterTest, PrefixEndingInADigitKeepsItsOwnSeries) {
  EXPECT_EQ(register_one("a@member.test", {"01"}, "T1", 1), docnum("T1001"));
  EXPECT_EQ(register_one("a@member.test", {"02"}, "T", 1), docnum("T001"));
  EXPECT_EQ(register_one("a@member.test", {"03"}, "T1", 1), docnum("T1002"));
}

TEST_F(RegisterTest, NumberingOutsideATransactionIsRefused) {
  EXPECT_THROW(reg_.next_document_number("QIT4N-I-", 1), StorageError);
}

TEST_F(RegisterTest, ADocumentNumberIsNeverUsedTwice) {
  const auto number = register_one("a@member.test", {"01"});
  auto transaction = reg_.begin();
  try {
    reg_.insert_contribution(contribution(number, "b@member.test", {"02"}));
    FAIL() << "the same document number was inserted twice";
  } catch (const StorageError& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find(database_path().string()), std::string::npos) << text;
    EXPECT_NE(text.find(number.text()), std::string::npos) << text;
  }
  transaction.commit();  // the failed insert left nothing behind, not even its files
  const auto kept = reg_.find(number);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->sender, "a@member.test");
  EXPECT_EQ(kept->files.size(), 1u);
}

TEST_F(RegisterTest, BatchOfInsertsInOneTransactionIsFast) {
  const auto start = std::chrono::steady_clock::now();
  auto transaction = reg_.begin();
  for (int i = 0; i < 2000; ++i) {
    const auto number = reg_.next_document_number("QIT4N-I-", 1);
    reg_.insert_contribution(
        contribution(number, "a@member.test", {std::to_string(i), std::to_string(i + 1)}));
  }
  transaction.commit();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(reg_.list().size(), 2000u);
  EXPECT_TRUE(reg_.find(docnum("QIT4N-I-2000")));
  // Without per-row fsync this takes well under a second even on a slow disk.
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

}  // namespace
}  // namespace contribd::storage::testing
