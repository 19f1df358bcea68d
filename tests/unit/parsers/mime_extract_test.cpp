#include "parsers/mime_extract.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parsers/sha256.h"

namespace contribd::mime {
namespace {

const std::string kPdfBytes = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n";
const std::string kPdfBase64 = "JVBERi0xLjQKJeLjz9MKMSAwIG9iago=";

std::string message_with(std::string_view parts, std::string_view extra_headers = "") {
  return std::string("From: Alice <alice@member.test>\r\nTo: tsbfgqit4n@itu.int\r\n") +
         std::string(extra_headers) +
         "Subject: Contribution\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
         "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find attached.\r\n" +
         std::string(parts) + "--B--\r\n";
}

std::string pdf_part(std::string_view headers) {
  return "--B\r\n" + std::string(headers) + "Content-Transfer-Encoding: base64\r\n\r\n" +
         kPdfBase64 + "\r\n";
}

std::vector<std::string> names_of(const ParsedMessage& message) {
  std::vector<std::string> names;
  for (const ExtractedFile& file : message.files) names.push_back(file.filename);
  return names;
}

bool has_defect_containing(const ParsedMessage& message, std::string_view text) {
  for (const std::string& defect : message.defects) {
    if (defect.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(MimeExtract, NamedAttachmentIsAFileWithDecodedBytes) {
  const ParsedMessage message = extract_message(message_with(pdf_part(
      "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n")));
  ASSERT_EQ(message.files.size(), 1u);
  EXPECT_EQ(message.files[0].filename, "a.pdf");
  EXPECT_EQ(message.files[0].content_type, "application/pdf");
  EXPECT_EQ(message.files[0].data, kPdfBytes);
  EXPECT_EQ(message.files[0].sha256_hex, sha256_hex(kPdfBytes));
}

TEST(MimeExtract, HeaderFacts) {
  const ParsedMessage message = extract_message(
      message_with("",
                   "Reply-To: =?utf-8?Q?Bob_B=C3=B6hm?= <bob@member.test>\r\nReturn-Path: <>\r\n"
                   "Message-ID: <id-1@member.test>\r\nList-Id: <qit4n.lists.test>\r\n"));
  EXPECT_EQ(message.subject, "Contribution");
  EXPECT_EQ(message.from_address, "alice@member.test");
  EXPECT_EQ(message.from_display, "Alice");
  EXPECT_EQ(message.reply_to_address, "bob@member.test");
  EXPECT_EQ(message.return_path, std::optional<std::string>(""));
  EXPECT_EQ(message.message_id, "<id-1@member.test>");
  EXPECT_EQ(message.header("list-id"), std::optional<std::string>("<qit4n.lists.test>"));
  EXPECT_EQ(message.header("X-Absent"), std::nullopt);
  EXPECT_EQ(message.top_content_type, "multipart/mixed");
  EXPECT_TRUE(message.files.empty());
}

TEST(MimeExtract, DispositionFilenameWinsOverContentTypeName) {
  const ParsedMessage message = extract_message(
      message_with(pdf_part("Content-Type: application/pdf; name=\"ct.pdf\"\r\n"
                            "Content-Disposition: attachment; filename=\"cd.pdf\"\r\n")));
  EXPECT_EQ(names_of(message), std::vector<std::string>{"cd.pdf"});
}

TEST(MimeExtract, NamelessNonTextLeavesAreNamedFromTheirType) {
  const ParsedMessage message =
      extract_message(message_with(pdf_part("Content-Type: application/pdf\r\n") +
                                   pdf_part("Content-Type: application/x-unknown\r\n")));
  EXPECT_EQ(names_of(message), (std::vector<std::string>{"attachment.pdf", "attachment-2.bin"}));
}

TEST(MimeExtract, BodyAlternativesAreNotFiles) {
  const std::string raw =
      "From: a@b.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative; boundary=\"A\"\r\n\r\n"
      "--A\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
      "--A\r\nContent-Type: text/html\r\n\r\n<p>hello</p>\r\n--A--\r\n";
  EXPECT_TRUE(extract_message(raw).files.empty());
}

TEST(MimeExtract, RelatedImageReferencedByCidIsNotAFileButOthersAre) {
  const std::string raw =
      "From: a@b.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/related; boundary=\"R\"\r\n\r\n"
      "--R\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:Logo@x\">\r\n"
      "--R\r\nContent-Type: image/png; name=\"logo.png\"\r\nContent-ID: <logo@x>\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n"
      "--R\r\nContent-Type: image/png; name=\"chart.png\"\r\nContent-ID: <chart@x>\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n--R--\r\n";
  EXPECT_EQ(names_of(extract_message(raw)), std::vector<std::string>{"chart.png"});
}

TEST(MimeExtract, SignatureOfMultipartSignedIsNotAFile) {
  const std::string raw =
      "From: a@b.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; "
      "micalg=sha-256; boundary=\"S\"\r\n\r\n"
      "--S\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n" +
      pdf_part("Content-Type: application/pdf; name=\"signed.pdf\"\r\n") +
      "--B--\r\n\r\n--S\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--S--\r\n";
  EXPECT_EQ(names_of(extract_message(raw)), std::vector<std::string>{"signed.pdf"});
}

TEST(MimeExtract, ReportPartsAreNotFiles) {
  const std::string raw =
      "From: MAILER-DAEMON@b.test\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n"
      "--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
      "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; b.test\r\n\r\n"
      "Final-Recipient: rfc822; x@y.test\r\nAction: failed\r\n"
      "--R\r\nContent-Type: text/rfc822-headers; name=\"headers.txt\"\r\n\r\nSubject: x\r\n"
      "--R--\r\n";
  EXPECT_TRUE(extract_message(raw).files.empty());
}

TEST(MimeExtract, FilesInsideForwardedMessageAreFound) {
  const std::string inner =
      message_with(pdf_part("Content-Type: application/pdf; name=\"inner.pdf\"\r\n"));
  const std::string raw = message_with("--B\r\nContent-Type: message/rfc822\r\n\r\n" + inner);
  const ParsedMessage message = extract_message(raw);
  ASSERT_EQ(names_of(message), std::vector<std::string>{"inner.pdf"});
  EXPECT_EQ(message.files[0].data, kPdfBytes);
}

TEST(MimeExtract, NamelessEmptyLeafIsNotAFile) {
  const ParsedMessage message =
      extract_message(message_with("--B\r\nContent-Type: application/octet-stream\r\n\r\n"));
  EXPECT_TRUE(message.files.empty());
}

TEST(MimeExtract, SinglePartMessageWithNameIsAFile) {
  const std::string raw =
      "From: a@b.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
      "Content-Type: application/pdf; name=\"only.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      kPdfBase64 + "\r\n";
  EXPECT_EQ(names_of(extract_message(raw)), std::vector<std::string>{"only.pdf"});
}

TEST(MimeExtract, PlainTextMessageHasNoFiles) {
  const ParsedMessage message = extract_message("From: a@b.test\r\nSubject: hi\r\n\r\nbody\r\n");
  EXPECT_TRUE(message.files.empty());
  EXPECT_EQ(message.top_content_type, "text/plain");
}

TEST(MimeExtract, UnpaddedBase64KeepsItsLastByte) {
  // "abcde" is "YWJjZGU=" padded; GMime 3.2 alone gives "abcd".
  const ParsedMessage message = extract_message(
      message_with("--B\r\nContent-Type: application/octet-stream; name=\"n.bin\"\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\nYWJjZGU\r\n"));
  ASSERT_EQ(message.files.size(), 1u);
  EXPECT_EQ(message.files[0].data, "abcde");
  EXPECT_TRUE(has_defect_containing(message, "padding"));
}

TEST(MimeExtract, Base64JunkIsSkippedWithDefect) {
  const ParsedMessage message = extract_message(
      message_with("--B\r\nContent-Type: application/octet-stream; name=\"j.bin\"\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\nYWJj|ZGVm!\r\n"));
  ASSERT_EQ(message.files.size(), 1u);
  EXPECT_EQ(message.files[0].data, "abcdef");
  EXPECT_TRUE(has_defect_containing(message, "base64"));
}

TEST(MimeExtract, UnknownTransferEncodingKeepsBytesWithDefect) {
  const ParsedMessage message = extract_message(
      message_with("--B\r\nContent-Type: application/octet-stream; name=\"u.bin\"\r\n"
                   "Content-Transfer-Encoding: x-rot13\r\n\r\nraw bytes\r\n"));
  ASSERT_EQ(message.files.size(), 1u);
  EXPECT_EQ(message.files[0].data, "raw bytes");
  EXPECT_TRUE(has_defect_containing(message, "x-rot13"));
}

TEST(MimeExtract, MissingClosingBoundaryStillGivesTheFile) {
  std::string raw = message_with(pdf_part("Content-Type: application/pdf; name=\"last.pdf\"\r\n"));
  raw.resize(raw.size() - std::string("--B--\r\n").size());
  const ParsedMessage message = extract_message(raw);
  ASSERT_EQ(names_of(message), std::vector<std::string>{"last.pdf"});
  EXPECT_EQ(message.files[0].data, kPdfBytes);
}

TEST(MimeExtract, HeaderLineWithoutColonIsDroppedAndFilesStillFound) {
  std::string raw = message_with(pdf_part("Content-Type: application/pdf; name=\"c.pdf\"\r\n"));
  raw.insert(raw.find("Subject:"), "this line has no colon\r\n");
  const ParsedMessage message = extract_message(raw);
  EXPECT_EQ(names_of(message), std::vector<std::string>{"c.pdf"});
  EXPECT_TRUE(has_defect_containing(message, "without a colon"));
}

std::string nested(int depth) {
  std::string raw = "From: a@b.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n";
  for (int i = 0; i < depth; ++i) {
    raw += "Content-Type: multipart/mixed; boundary=\"L" + std::to_string(i) + "\"\r\n\r\n--L" +
           std::to_string(i) + "\r\n";
  }
  raw +=
      "Content-Type: application/pdf; name=\"deep.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      kPdfBase64 + "\r\n";
  for (int i = depth - 1; i >= 0; --i) raw += "--L" + std::to_string(i) + "--\r\n";
  return raw;
}

TEST(MimeExtract, NestingWithinTheLimitIsFollowed) {
  EXPECT_EQ(names_of(extract_message(nested(20))), std::vector<std::string>{"deep.pdf"});
}

TEST(MimeExtract, NestingBeyondTheLimitIsHeldNotCut) {
  ExtractLimits limits;
  limits.max_depth = 10;
  const ParsedMessage message = extract_message(nested(12), limits);
  EXPECT_TRUE(message.files.empty());
  EXPECT_EQ(message.over_limit, "limits.max_depth: MIME nesting deeper than 10 levels");
  EXPECT_EQ(message.subject, "deep");
  const ParsedMessage very_deep = extract_message(nested(3000));
  EXPECT_TRUE(very_deep.files.empty());
  EXPECT_TRUE(very_deep.over_limit);
}

TEST(MimeExtract, MorePartsThanTheLimitAreHeldNotCut) {
  std::string parts;
  for (int i = 0; i < 50; ++i) {
    parts += pdf_part("Content-Type: application/pdf; name=\"p" + std::to_string(i) + ".pdf\"\r\n");
  }
  ExtractLimits limits;
  limits.max_parts = 10;
  const ParsedMessage message = extract_message(message_with(parts), limits);
  EXPECT_TRUE(message.files.empty());
  EXPECT_EQ(message.over_limit, "limits.max_parts: more than 10 MIME parts");
  EXPECT_EQ(message.from_address, "alice@member.test");
  EXPECT_EQ(message.top_content_type, "multipart/mixed");
}

TEST(MimeExtract, HeaderBlockOverTheLimitIsHeldWithTheFieldsThatFit) {
  ExtractLimits limits;
  limits.max_header_bytes = 4096;
  const std::string huge = "X-Huge: " + std::string(10000, 'x') + "\r\n";
  const ParsedMessage message = extract_message(
      message_with(pdf_part("Content-Type: application/pdf; name=\"h.pdf\"\r\n"), huge), limits);
  EXPECT_TRUE(message.files.empty());
  EXPECT_EQ(message.over_limit, "limits.max_header_bytes: a header block larger than 4096 bytes");
  EXPECT_EQ(message.subject, "Contribution");
  EXPECT_EQ(message.from_address, "alice@member.test");
}

TEST(MimeExtract, NulBytesAndGarbageDoNotCrash) {
  constexpr char kGarbage[] = "\0\0\r\n--\0--\r\nContent-Type: multi\r\n\r\n\xff\xfe";
  const std::string garbage(kGarbage, sizeof kGarbage - 1);
  const ParsedMessage message = extract_message(garbage);
  EXPECT_TRUE(message.files.empty());
  EXPECT_TRUE(extract_message("").files.empty());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

TEST(MimeExtractCorpus, TrickyNamesDecodeAsWritten) {
  const std::filesystem::path dir = std::filesystem::path(CONTRIBD_CORPUS_DIR) / "tricky";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "corpus absent: " << dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"t02_rfc2231_utf8.eml", "отчёт €.pdf"},
      {"t03_rfc2231_cont_enc.eml", "日本語のファile name.bin"},
      {"t05_rfc2231_cont_shuffled.eml", "first-second.dat"},
      {"t06_rfc2047_b_ct_name.eml", "Привет мир.pdf"},
      {"t09_win1251_2231.eml", "Привет мир.doc"},
      {"t10_koi8r_2047.eml", "Привет мир.doc"},
      {"t12_raw_utf8_header.eml", "Übersicht März.pdf"},
      {"t14_escaped_quote.eml", "say \"hi\" now.txt"},
      {"t31_ct_comment.eml", "cm.pdf"},
      {"t40_2047_midword_unquoted.eml", "résumé.pdf"},
  };
  for (const auto& [file, name] : cases) {
    const ParsedMessage message = extract_message(read_file(dir / file));
    ASSERT_EQ(message.files.size(), 1u) << file;
    EXPECT_EQ(message.files[0].filename, name) << file;
  }
}

TEST(MimeExtractCorpus, UnpaddedBase64MatchesThePaddedBytes) {
  const std::filesystem::path file =
      std::filesystem::path(CONTRIBD_CORPUS_DIR) / "tricky" / "t23_b64_no_padding.eml";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "corpus absent: " << file;
  const ParsedMessage message = extract_message(read_file(file));
  ASSERT_EQ(message.files.size(), 1u);
  // The body is the bytes 0..255 repeated; 301 of them are encoded.
  std::string expected;
  for (int i = 0; i < 301; ++i) expected.push_back(static_cast<char>(i % 256));
  EXPECT_EQ(message.files[0].sha256_hex, sha256_hex(expected));
}

}  // namespace
}  // namespace contribd::mime
