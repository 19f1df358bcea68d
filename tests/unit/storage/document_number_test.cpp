#include "storage/document_number.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace contribd::storage {
namespace {

TEST(DocumentNumber, PadsToThreeDigits) {
  EXPECT_EQ(format_document_number("QIT4N-I-", 7), "QIT4N-I-007");
  EXPECT_EQ(format_document_number("QIT4N-I-", 42), "QIT4N-I-042");
  EXPECT_EQ(format_document_number("QIT4N-I-", 0), "QIT4N-I-000");
}

TEST(DocumentNumber, WiderNumbersKeepAllDigits) {
  EXPECT_EQ(format_document_number("QIT4N-I-", 999), "QIT4N-I-999");
  EXPECT_EQ(format_document_number("QIT4N-I-", 1234), "QIT4N-I-1234");
}

TEST(DocumentNumber, EmptyPrefix) {
  EXPECT_EQ(format_document_number("", 5), "005");
}

TEST(DocumentNumber, NegativeIsRefused) {
  EXPECT_THROW(format_document_number("X-", -1), std::invalid_argument);
}

}  // namespace
}  // namespace contribd::storage
