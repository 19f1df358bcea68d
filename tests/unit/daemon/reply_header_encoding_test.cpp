#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <string>

#include "daemon/policy/deadline.h"
#include "daemon/reply/header_encoding.h"

namespace contribd::reply {
namespace {

// GMime is an independent RFC 2047 decoder: what we write must come back through it.
std::string decode_with_gmime(const std::string& value) {
  static const bool initialised = (g_mime_init(), true);
  (void)initialised;
  char* decoded = g_mime_utils_header_decode_text(nullptr, value.c_str());
  std::string text = decoded;
  g_free(decoded);
  return text;
}

// The field's value as a reader sees it: unfolded (RFC 5322 section 2.2.3) and decoded.
std::string field_value(const std::string& field) {
  const auto colon = field.find(':');
  std::string value = field.substr(colon + 1, field.size() - colon - 3);  // without CRLF
  std::string unfolded;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 2, "\r\n") == 0) {
      ++i;
      continue;
    }
    unfolded += value[i];
  }
  const auto first = unfolded.find_first_not_of(' ');
  return decode_with_gmime(unfolded.substr(first));
}

void expect_well_formed(const std::string& field) {
  ASSERT_GE(field.size(), 2u);
  EXPECT_EQ(field.substr(field.size() - 2), "\r\n");
  std::size_t start = 0;
  while (start < field.size()) {
    const auto end = field.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    const std::string line = field.substr(start, end - start);
    EXPECT_LE(line.size(), 78u) << line;
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos) << line;
    if (start > 0) {
      EXPECT_EQ(line.front(), ' ') << "a continuation line starts with a space";
    }
    for (const char c : line) EXPECT_LT(static_cast<unsigned char>(c), 0x80u) << line;
    start = end + 2;
  }
}

TEST(CleanHeaderText, ControlCharactersBecomeOneSpace) {
  EXPECT_EQ(clean_header_text("Hello\r\nBcc: evil@x"), "Hello Bcc: evil@x");
  EXPECT_EQ(clean_header_text("  a\t\tb\x7f"
                              "c\x01 "),
            "a b c");
  EXPECT_EQ(clean_header_text("line\xe2\x80\xa8sep\xc2\x85nel"), "line sep nel");
}

TEST(CleanHeaderText, InvalidUtf8IsReplacedAndLengthCapped) {
  EXPECT_EQ(clean_header_text("ok\xff\xc3("), "ok\xef\xbf\xbd\xef\xbf\xbd(");
  EXPECT_EQ(clean_header_text("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(clean_header_text("abcdef", 3), "abc...");
  EXPECT_EQ(clean_header_text("\xd0\x96\xd0\x96\xd0\x96", 2), "\xd0\x96\xd0\x96...");
}

TEST(UnstructuredField, ShortAsciiStaysReadable) {
  EXPECT_EQ(unstructured_field("Subject", "Received: QKD input [QIT4N-I-007]"),
            "Subject: Received: QKD input [QIT4N-I-007]\r\n");
}

TEST(UnstructuredField, LongAsciiIsFoldedAtSpaces) {
  const std::string text =
      "Received: Proposed draft new Recommendation on the functional architecture of quantum "
      "key distribution networks, revision 3 [QIT4N-I-042]";
  const std::string field = unstructured_field("Subject", text);
  expect_well_formed(field);
  EXPECT_NE(field.find("\r\n "), std::string::npos);
  EXPECT_EQ(field.find("=?"), std::string::npos);
  EXPECT_EQ(field_value(field), text);
}

TEST(UnstructuredField, CyrillicIsEncodedFoldedAndDecodesBack) {
  const std::string text =
      "Received: \xd0\x9f\xd1\x80\xd0\xb5\xd0\xb4\xd0\xbb\xd0\xbe\xd0\xb6\xd0\xb5\xd0\xbd\xd0\xb8"
      "\xd0\xb5 \xd0\xbf\xd0\xbe \xd0\xba\xd0\xb2\xd0\xb0\xd0\xbd\xd1\x82\xd0\xbe\xd0\xb2\xd0\xbe"
      "\xd0\xbc\xd1\x83 \xd1\x80\xd0\xb0\xd1\x81\xd0\xbf\xd1\x80\xd0\xb5\xd0\xb4\xd0\xb5\xd0\xbb"
      "\xd0\xb5\xd0\xbd\xd0\xb8\xd1\x8e \xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\xd0\xb5\xd0\xb9 "
      "IMT-2020 \xd0\xb8 \xd0\xb4\xd0\xb0\xd0\xbb\xd0\xb5\xd0\xb5 [QIT4N-I-007]";
  const std::string field = unstructured_field("Subject", text);
  expect_well_formed(field);
  EXPECT_NE(field.find("=?UTF-8?Q?"), std::string::npos);
  EXPECT_NE(field.find("\r\n "), std::string::npos) << "long enough to need folding";
  EXPECT_EQ(field.rfind("Subject: Received:", 0), 0u) << field;
  EXPECT_NE(field.find("IMT-2020"), std::string::npos) << "ASCII words stay plain";
  EXPECT_EQ(field_value(field), text);
}

TEST(UnstructuredField, LiteralEncodedWordSyntaxIsProtected) {
  // A decoded subject that looks like an encoded-word must not be decoded a second time.
  const std::string text = "Received: =?UTF-8?Q?ZXZpbA==?= [QIT4N-I-001]";
  const std::string field = unstructured_field("Subject", text);
  expect_well_formed(field);
  EXPECT_EQ(field_value(field), text);
}

TEST(UnstructuredField, EndlessWordIsSplitIntoEncodedWords) {
  const std::string text = "Received: " + std::string(300, 'x') + " [QIT4N-I-001]";
  const std::string field = unstructured_field("Subject", text);
  expect_well_formed(field);
  EXPECT_EQ(field_value(field), text);
}

TEST(UnstructuredField, EncodedWordsNeverSplitACharacter) {
  std::string emoji_run;
  for (int i = 0; i < 40; ++i) emoji_run += "\xf0\x9f\x94\x91";  // U+1F511 KEY
  const std::string text = "Received: " + emoji_run + " [QIT4N-I-001]";
  const std::string field = unstructured_field("Subject", text);
  expect_well_formed(field);
  EXPECT_EQ(field_value(field), text);
}

TEST(MailboxField, AsciiNameIsQuoted) {
  EXPECT_EQ(mailbox_field("From", "ITU-T \"FG\" secretariat", "tsbfgqit4n@itu.int"),
            "From: \"ITU-T \\\"FG\\\" secretariat\" <tsbfgqit4n@itu.int>\r\n");
  EXPECT_EQ(mailbox_field("From", "", "tsbfgqit4n@itu.int"), "From: <tsbfgqit4n@itu.int>\r\n");
}

TEST(MailboxField, NonAsciiNameIsEncoded) {
  const std::string name = "Secr\xc3\xa9tariat UIT-T";
  const std::string field = mailbox_field("From", name, "tsbfgqit4n@itu.int");
  expect_well_formed(field);
  EXPECT_NE(field.find("=?UTF-8?Q?"), std::string::npos);
  EXPECT_EQ(field_value(field), name + " <tsbfgqit4n@itu.int>");
}

TEST(Rfc5322Date, EnglishNamesAndUtcOffset) {
  EXPECT_EQ(rfc5322_date(policy::parse_meeting_time("2020-07-20T08:00:00Z", "")),
            "Mon, 20 Jul 2020 08:00:00 +0000");
  EXPECT_EQ(rfc5322_date(policy::parse_meeting_time("2021-01-03T23:59:59Z", "")),
            "Sun, 03 Jan 2021 23:59:59 +0000");
}

}  // namespace
}  // namespace contribd::reply
