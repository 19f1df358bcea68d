// Which contribution a message revises (SPEC step 9).
#include <gtest/gtest.h>

#include "daemon/policy/revision.h"
#include "tests/unit/storage/docnum.h"

namespace contribd::policy {
namespace {

using storage::testing::docnum;
using Numbers = std::vector<storage::DocumentNumber>;

const std::vector<std::string> kPrefixes{"QIT4N-I-", "QIT4N-TD-"};

TEST(BracketedDocumentNumbers, FindsTagsWithAndWithoutRevision) {
  EXPECT_EQ(bracketed_document_numbers("Corrected [QIT4N-I-007]", kPrefixes),
            Numbers{docnum("QIT4N-I-007")});
  EXPECT_EQ(bracketed_document_numbers("Re: Received: x [QIT4N-I-007 Rev.2]", kPrefixes),
            Numbers{docnum("QIT4N-I-007")});
  EXPECT_EQ(bracketed_document_numbers("[QIT4N-I-007 rev.1] and [QIT4N-TD-012]", kPrefixes),
            (Numbers{docnum("QIT4N-I-007"), docnum("QIT4N-TD-012")}));
}

TEST(BracketedDocumentNumbers, IgnoresWhatIsNotANumberOfOurSeries) {
  EXPECT_TRUE(bracketed_document_numbers("[EXTERNAL] Contribution", kPrefixes).empty());
  EXPECT_TRUE(
      bracketed_document_numbers("[QIT4N-I-] [QIT4N-I-x1] [QIT4N-I-7 Rev.]", kPrefixes).empty());
  EXPECT_TRUE(bracketed_document_numbers("QIT4N-I-007 without brackets", kPrefixes).empty());
  EXPECT_TRUE(bracketed_document_numbers("[QIT4N-I-007", kPrefixes).empty());
  EXPECT_TRUE(bracketed_document_numbers("[QIT4N-I-007 Rev.1 draft]", kPrefixes).empty());
  EXPECT_TRUE(bracketed_document_numbers("[qit4n-i-007]", kPrefixes).empty());
}

TEST(BracketedDocumentNumbers, FewerThanThreeDigitsAreNotANumber) {
  EXPECT_TRUE(bracketed_document_numbers("[QIT4N-I-7] [QIT4N-I-12 Rev.1]", kPrefixes).empty());
  EXPECT_EQ(revision_subject("Re: Received: Key relay [QIT4N-I-7]", kPrefixes),
            "Key relay [QIT4N-I-7]");
}

TEST(BracketedDocumentNumbers, RepeatsCountOnceAndNestedBracketsOpenAtTheInnerOne) {
  EXPECT_EQ(bracketed_document_numbers("[QIT4N-I-001] [QIT4N-I-001 Rev.1]", kPrefixes),
            Numbers{docnum("QIT4N-I-001")});
  EXPECT_EQ(bracketed_document_numbers("[[QIT4N-I-003]]", kPrefixes),
            Numbers{docnum("QIT4N-I-003")});
}

TEST(BracketedDocumentNumbers, LinearOnAHostileSubject) {
  const std::string subject(200000, '[');
  EXPECT_TRUE(bracketed_document_numbers(subject, kPrefixes).empty());
}

TEST(DecideRevision, TheSameSenderRevisesWhateverTheCase) {
  const auto decision =
      decide_revision("Alice@Member.TEST", {{docnum("QIT4N-I-007"), "alice@member.test", false}});
  EXPECT_EQ(decision.verdict, RevisionVerdict::revision);
  EXPECT_EQ(decision.document_number, docnum("QIT4N-I-007"));
}

TEST(DecideRevision, AnotherSenderMakesANewContribution) {
  EXPECT_EQ(
      decide_revision("bob@member.test", {{docnum("QIT4N-I-007"), "alice@member.test", false}})
          .verdict,
      RevisionVerdict::new_contribution);
  EXPECT_EQ(decide_revision("", {{docnum("QIT4N-I-007"), "", false}}).verdict,
            RevisionVerdict::new_contribution);
  EXPECT_EQ(decide_revision("alice@member.test", {}).verdict, RevisionVerdict::new_contribution);
}

TEST(DecideRevision, TheFirstCandidateOfTheSenderDecides) {
  const auto decision =
      decide_revision("alice@member.test", {{docnum("QIT4N-I-001"), "bob@member.test", false},
                                            {docnum("QIT4N-I-002"), "alice@member.test", false},
                                            {docnum("QIT4N-I-003"), "alice@member.test", false}});
  EXPECT_EQ(decision.document_number, docnum("QIT4N-I-002"));
}

TEST(DecideRevision, AWithdrawnContributionIsHeld) {
  const auto decision =
      decide_revision("alice@member.test", {{docnum("QIT4N-I-007"), "alice@member.test", true}});
  EXPECT_EQ(decision.verdict, RevisionVerdict::hold_withdrawn);
  EXPECT_EQ(decision.document_number, docnum("QIT4N-I-007"));
}

TEST(RevisionSubject, DropsWhatAnsweringOurReplyAdded) {
  EXPECT_EQ(revision_subject("Re: Received: Key relay [QIT4N-I-007]", kPrefixes), "Key relay");
  EXPECT_EQ(revision_subject("AW: RE: Late contribution received: Key relay [QIT4N-I-007 Rev.1]",
                             kPrefixes),
            "Key relay");
  EXPECT_EQ(revision_subject("Corrected version [QIT4N-I-007]", kPrefixes), "Corrected version");
  EXPECT_EQ(revision_subject("Key relay [draft]", kPrefixes), "Key relay [draft]");
  EXPECT_EQ(revision_subject("[QIT4N-I-007]", kPrefixes), "[QIT4N-I-007]");
  EXPECT_EQ(revision_subject("Re: ", kPrefixes), "Re: ");
}

TEST(RevisionLabel, IsWrittenAsTheGroupWritesIt) {
  EXPECT_EQ(revision_label(docnum("QIT4N-I-007"), 1), "QIT4N-I-007 Rev.1");
  EXPECT_EQ(revision_label(docnum("QIT4N-I-1234"), 12), "QIT4N-I-1234 Rev.12");
}

}  // namespace
}  // namespace contribd::policy
