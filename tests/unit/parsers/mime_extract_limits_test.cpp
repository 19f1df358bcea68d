// extract_message() at the limits: a message over one is held (over_limit, no files), never
// registered in part; one just under each is extracted whole.
#include <gtest/gtest.h>

#include <string>

#include "parsers/mime_extract.h"

namespace contribd::mime {
namespace {

const std::string kHead =
    "From: Alice <alice@member.test>\r\nSubject: Contribution\r\n"
    "Message-ID: <limits@member.test>\r\nMIME-Version: 1.0\r\n";

std::string multipart(const std::string& parts) {
  return kHead + "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n" + parts + "--B--\r\n";
}

std::string attachment(int index, std::string_view bytes = "x") {
  return "--B\r\nContent-Type: application/octet-stream; name=\"f" + std::to_string(index) +
         ".bin\"\r\n\r\n" + std::string(bytes) + "\r\n";
}

std::string attachments(int count) {
  std::string parts;
  for (int i = 0; i < count; ++i) parts += attachment(i);
  return multipart(parts);
}

void expect_held(const ParsedMessage& message, std::string_view key) {
  ASSERT_TRUE(message.over_limit);
  EXPECT_TRUE(message.over_limit->starts_with("limits." + std::string(key) + ":"))
      << *message.over_limit;
  EXPECT_TRUE(message.files.empty());
}

TEST(MimeExtractLimits, AMillionEmptyPartsAreHeldBeforeGMimeBuildsThem) {
  std::string parts;
  parts.reserve(7'000'000);
  for (int i = 0; i < 1'000'000; ++i) parts += "--B\r\n\r\n";
  const ParsedMessage message = extract_message(multipart(parts));
  expect_held(message, "max_parts");
  EXPECT_EQ(*message.over_limit, "limits.max_parts: more than 1000 MIME parts");
  // The header facts come from contribd's own reading; GMime never saw the message, so it
  // left no warning about it.
  EXPECT_EQ(message.subject, "Contribution");
  EXPECT_EQ(message.message_id, "<limits@member.test>");
  EXPECT_EQ(message.top_content_type, "multipart/mixed");
  for (const std::string& defect : message.defects)
    EXPECT_EQ(defect.find("GMime"), std::string::npos);
}

TEST(MimeExtractLimits, FiftyThousandLevelsOfNestingAreHeld) {
  std::string raw = kHead;
  for (int i = 0; i < 50'000; ++i) {
    raw += "Content-Type: multipart/mixed; boundary=\"L" + std::to_string(i) + "\"\r\n\r\n--L" +
           std::to_string(i) + "\r\n";
  }
  raw += "Content-Type: application/pdf; name=\"deep.pdf\"\r\n\r\n%PDF\r\n";
  const ParsedMessage message = extract_message(raw);
  expect_held(message, "max_depth");
  EXPECT_EQ(message.from_address, "alice@member.test");
}

TEST(MimeExtractLimits, TwoHundredThousandToLinesAreHeldWithTheFieldsBefore) {
  std::string raw = kHead;
  for (int i = 0; i < 200'000; ++i) raw += "To: r" + std::to_string(i) + "@member.test\r\n";
  raw += "Content-Type: application/pdf; name=\"a.pdf\"\r\n\r\n%PDF\r\n";
  const ParsedMessage message = extract_message(raw);
  expect_held(message, "max_header_lines");
  EXPECT_EQ(message.subject, "Contribution");
  EXPECT_EQ(message.from_address, "alice@member.test");
  EXPECT_LE(message.headers.size(), 5000u);
}

TEST(MimeExtractLimits, AFortyMegabyteHeaderFieldIsHeldNotCopied) {
  std::string raw = kHead + "X-Huge: ";
  raw.append(40u << 20, 'a');
  raw += "\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n\r\n%PDF\r\n";
  const ParsedMessage message = extract_message(raw);
  expect_held(message, "max_header_field_bytes");
  EXPECT_EQ(message.subject, "Contribution");
  for (const HeaderField& field : message.headers) EXPECT_LT(field.value.size(), 256u << 10);
}

TEST(MimeExtractLimits, FiveThousandAttachmentsAreHeldNotCutTo999) {
  const ParsedMessage message = extract_message(attachments(5000));
  expect_held(message, "max_parts");
}

TEST(MimeExtractLimits, JustUnderThePartLimitEveryFileIsExtracted) {
  ExtractLimits limits;
  limits.max_parts = 50;
  const ParsedMessage message = extract_message(attachments(50), limits);
  EXPECT_FALSE(message.over_limit);
  EXPECT_EQ(message.files.size(), 50u);
  expect_held(extract_message(attachments(51), limits), "max_parts");
}

std::string nested(int depth) {
  std::string raw = kHead;
  for (int i = 0; i < depth; ++i) {
    raw += "Content-Type: multipart/mixed; boundary=\"L" + std::to_string(i) + "\"\r\n\r\n--L" +
           std::to_string(i) + "\r\n";
  }
  raw += "Content-Type: application/pdf; name=\"deep.pdf\"\r\n\r\n%PDF\r\n";
  for (int i = depth - 1; i >= 0; --i) raw += "--L" + std::to_string(i) + "--\r\n";
  return raw;
}

TEST(MimeExtractLimits, JustUnderTheDepthLimitTheFileIsExtracted) {
  ExtractLimits limits;  // max_depth 32: the leaf of 32 nested multiparts is at depth 32
  const ParsedMessage message = extract_message(nested(32), limits);
  EXPECT_FALSE(message.over_limit);
  ASSERT_EQ(message.files.size(), 1u);
  EXPECT_EQ(message.files[0].filename, "deep.pdf");
  expect_held(extract_message(nested(33), limits), "max_depth");
}

TEST(MimeExtractLimits, JustUnderTheHeaderLineLimitTheFileIsExtracted) {
  ExtractLimits limits;
  limits.max_header_lines = 100;
  // kHead has 4 lines and the Content-Type one more.
  std::string recipients;
  for (int i = 0; i < 95; ++i) recipients += "To: r@member.test\r\n";
  const std::string within = recipients + attachments(1);
  const ParsedMessage message = extract_message(within, limits);
  EXPECT_FALSE(message.over_limit);
  EXPECT_EQ(message.files.size(), 1u);
  expect_held(extract_message("To: r@member.test\r\n" + within, limits), "max_header_lines");
}

TEST(MimeExtractLimits, JustUnderTheFieldAndBlockLimitsTheFileIsExtracted) {
  ExtractLimits limits;
  limits.max_header_field_bytes = 1000;
  limits.max_header_bytes = 2000;
  const auto field = [](std::size_t size) {
    return "X-Pad: " + std::string(size - 9, 'p') + "\r\n";  // `size` bytes as written
  };
  const ParsedMessage message = extract_message(field(1000) + attachments(1), limits);
  EXPECT_FALSE(message.over_limit);
  EXPECT_EQ(message.files.size(), 1u);
  expect_held(extract_message(field(1001) + attachments(1), limits), "max_header_field_bytes");
  // The message's block without padding, then padded to exactly the limit and one byte over.
  const std::size_t block = (attachments(1)).find("\r\n\r\n") + 4;
  const std::size_t room = limits.max_header_bytes - block;
  const ParsedMessage full =
      extract_message(field(room - 900) + field(900) + attachments(1), limits);
  EXPECT_FALSE(full.over_limit) << full.over_limit.value_or("");
  EXPECT_EQ(full.files.size(), 1u);
  expect_held(extract_message(field(room - 899) + field(900) + attachments(1), limits),
              "max_header_bytes");
}

TEST(MimeExtractLimits, FileBytesOfAllFilesTogether) {
  ExtractLimits limits;
  limits.max_file_bytes = 30;
  const std::string ten(10, 'z');
  const std::string three = attachment(1, ten) + attachment(2, ten) + attachment(3, ten);
  const ParsedMessage message = extract_message(multipart(three), limits);
  EXPECT_FALSE(message.over_limit);
  EXPECT_EQ(message.files.size(), 3u);
  const ParsedMessage over = extract_message(multipart(three + attachment(4, "z")), limits);
  expect_held(over, "max_file_bytes");
  EXPECT_EQ(*over.over_limit, "limits.max_file_bytes: files larger than 30 bytes in total");
}

}  // namespace
}  // namespace contribd::mime
