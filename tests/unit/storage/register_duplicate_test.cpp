#include "register_fixture.h"

namespace contribd::storage::testing {
namespace {

TEST_F(RegisterTest, SameSetOfFilesFromSameSenderIsADuplicate) {
  const auto number = register_one("alice@member.test", {"aa", "bb"});
  EXPECT_EQ(reg_.find_duplicate("alice@member.test", {"aa", "bb"}), number);
}

TEST_F(RegisterTest, DuplicateIgnoresOrderRepetitionAndHexCase) {
  const auto number = register_one("alice@member.test", {"aa", "bb", "cc"});
  EXPECT_EQ(reg_.find_duplicate("alice@member.test", {"cc", "aa", "bb"}), number);
  EXPECT_EQ(reg_.find_duplicate("alice@member.test", {"BB", "cc", "aa", "aa"}), number);
}

TEST_F(RegisterTest, DuplicateSenderIsCaseInsensitive) {
  const auto number = register_one("Alice@Member.TEST", {"aa"});
  EXPECT_EQ(reg_.find_duplicate("alice@member.test", {"aa"}), number);
}

TEST_F(RegisterTest, OtherSenderIsNotADuplicate) {
  register_one("alice@member.test", {"aa"});
  EXPECT_FALSE(reg_.find_duplicate("bob@member.test", {"aa"}));
}

TEST_F(RegisterTest, SubsetOrSupersetIsNotADuplicate) {
  register_one("alice@member.test", {"aa", "bb"});
  EXPECT_FALSE(reg_.find_duplicate("alice@member.test", {"aa"}));
  EXPECT_FALSE(reg_.find_duplicate("alice@member.test", {"aa", "bb", "cc"}));
}

TEST_F(RegisterTest, EmptySetIsNeverADuplicate) {
  register_one("alice@member.test", {});
  EXPECT_FALSE(reg_.find_duplicate("alice@member.test", {}));
}

TEST_F(RegisterTest, DuplicateNamesTheEarliestContribution) {
  const auto first = register_one("alice@member.test", {"aa"});
  register_one("alice@member.test", {"aa"});  // registered anyway, as an operator might force
  EXPECT_EQ(reg_.find_duplicate("alice@member.test", {"aa"}), first);
}

}  // namespace
}  // namespace contribd::storage::testing
