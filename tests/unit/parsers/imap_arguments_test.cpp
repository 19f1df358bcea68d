#include "parsers/imap_arguments.h"

#include <gtest/gtest.h>

namespace contribd::imap {
namespace {

TEST(ImapArguments, QuotedStringEscapesQuoteAndBackslash) {
  EXPECT_EQ(quoted_string("alice"), "\"alice\"");
  EXPECT_EQ(quoted_string(""), "\"\"");
  EXPECT_EQ(quoted_string("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
}

TEST(ImapArguments, QuotedStringRefusesWhatNeedsALiteral) {
  EXPECT_FALSE(quoted_string("line\r\nbreak"));
  EXPECT_FALSE(quoted_string("lf\n"));
  EXPECT_FALSE(quoted_string(std::string_view("n\0l", 3)));
  EXPECT_FALSE(quoted_string("p\xc3\xa4ss"));
}

TEST(ImapArguments, FolderNamesAreQuotedWithAmpersandEncoded) {
  EXPECT_EQ(folder_argument("INBOX").wire, "\"INBOX\"");
  EXPECT_EQ(folder_argument("Registered").error, "");
  EXPECT_EQ(folder_argument("Q&A").wire, "\"Q&-A\"");
  EXPECT_EQ(folder_argument("Late \"2020\"").wire, "\"Late \\\"2020\\\"\"");
  EXPECT_EQ(folder_argument("INBOX.Registered/2020").wire, "\"INBOX.Registered/2020\"");
}

TEST(ImapArguments, FolderNamesThatAreNotPlainAsciiAreRefused) {
  const FolderArgument umlaut = folder_argument("Eing\xc3\xa4nge");
  EXPECT_EQ(umlaut.wire, "");
  EXPECT_EQ(umlaut.error,
            "folder name \"Eing\xc3\xa4nge\" is not ASCII; only ASCII names are supported");
  EXPECT_EQ(folder_argument("bad\r\nA1 DELETE INBOX").error,
            "folder name \"bad??A1 DELETE INBOX\" contains a control character");
  EXPECT_EQ(folder_argument("").error, "folder name is empty");
}

}  // namespace
}  // namespace contribd::imap
