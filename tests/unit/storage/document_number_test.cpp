#include "storage/document_number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace contribd::storage {
namespace {

std::string text_of(std::string_view prefix, std::int64_t number) {
  return DocumentNumber::from_parts(prefix, number).text();
}

DocumentNumber parsed(std::string_view text) {
  return DocumentNumber::parse(text).value();
}

TEST(DocumentNumber, PadsToThreeDigits) {
  EXPECT_EQ(text_of("QIT4N-I-", 7), "QIT4N-I-007");
  EXPECT_EQ(text_of("QIT4N-I-", 42), "QIT4N-I-042");
  EXPECT_EQ(text_of("QIT4N-I-", 0), "QIT4N-I-000");
}

TEST(DocumentNumber, WiderNumbersKeepAllDigits) {
  EXPECT_EQ(text_of("QIT4N-I-", 999), "QIT4N-I-999");
  EXPECT_EQ(text_of("QIT4N-I-", 1234), "QIT4N-I-1234");
}

TEST(DocumentNumber, EmptyPrefix) {
  EXPECT_EQ(text_of("", 5), "005");
}

TEST(DocumentNumber, NegativeIsRefused) {
  EXPECT_THROW(DocumentNumber::from_parts("X-", -1), std::invalid_argument);
}

TEST(DocumentNumber, DigitsBeyondTheRangeAreRefused) {
  EXPECT_THROW(DocumentNumber::from_parts("X-99999999999999999", 1), std::invalid_argument);
  EXPECT_FALSE(DocumentNumber::parse("X-99999999999999999999"));
}

TEST(DocumentNumber, ParseAcceptsAPrefixAndAtLeastThreeDigits) {
  const auto number = DocumentNumber::parse("QIT4N-I-007");
  ASSERT_TRUE(number);
  EXPECT_EQ(number->text(), "QIT4N-I-007");
  EXPECT_EQ(number->prefix(), "QIT4N-I-");
  EXPECT_EQ(number->number(), 7);

  const auto bare = DocumentNumber::parse("005");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->prefix(), "");
  EXPECT_EQ(bare->number(), 5);

  const auto wide = DocumentNumber::parse("X-1234");
  ASSERT_TRUE(wide);
  EXPECT_EQ(wide->prefix(), "X-");
  EXPECT_EQ(wide->number(), 1234);
}

TEST(DocumentNumber, ParseRefusesWhatIsNotANumber) {
  for (const char* text : {"", "abc", "QIT4N-I-", "QIT4N-I-12", "QIT4N-I-7", "12", "QIT4N-I-007 ",
                           "QIT4N-I-007 Rev.1"}) {
    EXPECT_FALSE(DocumentNumber::parse(text)) << '"' << text << '"';
  }
}

TEST(DocumentNumber, RoundTrip) {
  for (const auto& [prefix, value] : std::vector<std::pair<std::string, std::int64_t>>{
           {"QIT4N-I-", 7}, {"QIT4N-I-", 1000}, {"", 0}, {"SG17-C-", 40}}) {
    const auto made = DocumentNumber::from_parts(prefix, value);
    const auto read = DocumentNumber::parse(made.text());
    ASSERT_TRUE(read) << made;
    EXPECT_EQ(*read, made);
    EXPECT_EQ(read->prefix(), prefix);
    EXPECT_EQ(read->number(), value);
  }
}

TEST(DocumentNumber, APrefixEndingInDigitsReadsAsPartOfTheNumber) {
  const auto made = DocumentNumber::from_parts("T1", 1);
  EXPECT_EQ(made.text(), "T1001");
  EXPECT_EQ(made, parsed("T1001"));
  EXPECT_EQ(made.prefix(), "T");
  EXPECT_EQ(made.number(), 1001);
}

TEST(DocumentNumber, OrdersByPrefixThenByValue) {
  EXPECT_LT(parsed("QIT4N-I-999"), parsed("QIT4N-I-1000"));
  EXPECT_LT(parsed("QIT4N-I-007"), parsed("QIT4N-I-010"));
  EXPECT_LT(parsed("QIT4N-I-1000"), parsed("SG17-C-001"));
  EXPECT_EQ(parsed("QIT4N-I-007") <=> parsed("QIT4N-I-007"), std::strong_ordering::equal);
  // Two paddings of one value are different numbers, in a fixed order.
  EXPECT_NE(parsed("X-0007"), parsed("X-007"));
  EXPECT_NE(parsed("X-0007") <=> parsed("X-007"), std::strong_ordering::equal);

  std::vector<DocumentNumber> numbers{parsed("Q-1000"), parsed("Q-002"), parsed("P-999"),
                                      parsed("Q-999")};
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, (std::vector<DocumentNumber>{parsed("P-999"), parsed("Q-002"), parsed("Q-999"),
                                                  parsed("Q-1000")}));
}

TEST(DocumentNumber, FormatsAsItsText) {
  const auto number = parsed("QIT4N-I-007");
  EXPECT_EQ(fmt::format("{}", number), "QIT4N-I-007");
  EXPECT_EQ(fmt::format("[{:<13}]", number), "[QIT4N-I-007  ]");
  std::ostringstream out;
  out << number;
  EXPECT_EQ(out.str(), "QIT4N-I-007");
  EXPECT_EQ(::testing::PrintToString(number), "QIT4N-I-007");
}

}  // namespace
}  // namespace contribd::storage
