#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "parsers/mime_extract.h"
#include "parsers/sha256.h"
#include "parsers/tnef.h"

namespace contribd::mime {
namespace {

void put_le(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void attribute(std::string& out, int level, std::uint32_t id, const std::string& data) {
  out.push_back(static_cast<char>(level));
  put_le(out, id, 4);
  put_le(out, static_cast<std::uint32_t>(data.size()), 4);
  out += data;
  unsigned checksum = 0;
  for (unsigned char c : data) checksum += c;
  put_le(out, checksum & 0xFFFF, 2);
}

// A minimal TNEF stream as Outlook writes it: version, code page, then per attachment its
// rendering data, title and bytes.
std::string tnef_with(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  put_le(out, 0x223E9F78, 4);
  put_le(out, 1, 2);
  std::string version;
  put_le(version, 0x00010000, 4);
  attribute(out, 1, 0x00089006, version);
  std::string codepage;
  put_le(codepage, 1252, 4);
  put_le(codepage, 0, 4);
  attribute(out, 1, 0x00069007, codepage);
  for (const auto& [name, data] : files) {
    std::string rendering;
    put_le(rendering, 1, 2);
    put_le(rendering, 0xFFFFFFFF, 4);
    put_le(rendering, 0, 4);
    put_le(rendering, 0, 4);
    attribute(out, 2, 0x00069002, rendering);
    attribute(out, 2, 0x00018010, name + std::string(1, '\0'));
    attribute(out, 2, 0x0006800F, data);
  }
  return out;
}

TEST(MimeTnef, FilesInsideAreReturned) {
  const std::string pdf = "%PDF-1.4 agenda";
  const std::string binary("\0\1\2\xFF", 4);
  const TnefContents contents =
      extract_tnef(tnef_with({{"agenda.pdf", pdf}, {"fig.bin", binary}}), 1000);
  ASSERT_TRUE(contents.decoded);
  ASSERT_EQ(contents.files.size(), 2u);
  EXPECT_EQ(contents.files[0].filename, "agenda.pdf");
  EXPECT_EQ(contents.files[0].data, pdf);
  EXPECT_EQ(contents.files[1].filename, "fig.bin");
  EXPECT_EQ(contents.files[1].data, binary);
}

TEST(MimeTnef, NotTnefIsNotDecoded) {
  const TnefContents contents = extract_tnef("plain bytes, no signature", 1000);
  EXPECT_FALSE(contents.decoded);
  EXPECT_FALSE(contents.defects.empty());
}

TEST(MimeTnef, BadChecksumOrTruncationIsNotDecoded) {
  std::string damaged = tnef_with({{"a.pdf", "data"}});
  damaged[damaged.size() - 5] ^= 0x55;  // a byte of the attachment data
  EXPECT_FALSE(extract_tnef(damaged, 1000).decoded);
  const std::string whole = tnef_with({{"a.pdf", "data"}});
  EXPECT_FALSE(extract_tnef(whole.substr(0, whole.size() - 3), 1000).decoded);
}

std::string winmail_message(const std::string& tnef) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  for (std::size_t i = 0; i < tnef.size(); i += 3) {
    std::uint32_t n = static_cast<unsigned char>(tnef[i]) << 16;
    if (i + 1 < tnef.size()) n |= static_cast<unsigned char>(tnef[i + 1]) << 8;
    if (i + 2 < tnef.size()) n |= static_cast<unsigned char>(tnef[i + 2]);
    encoded += kAlphabet[(n >> 18) & 63];
    encoded += kAlphabet[(n >> 12) & 63];
    encoded += i + 1 < tnef.size() ? kAlphabet[(n >> 6) & 63] : '=';
    encoded += i + 2 < tnef.size() ? kAlphabet[n & 63] : '=';
  }
  return "From: a@b.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
         "--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
         "--B\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         encoded + "\r\n--B--\r\n";
}

TEST(MimeTnef, WinmailDatStandsForTheFilesInside) {
  const std::string pdf = "%PDF-1.4 minutes";
  const ParsedMessage message = extract_message(winmail_message(tnef_with({{"minutes.pdf", pdf}})));
  ASSERT_EQ(message.files.size(), 1u);
  EXPECT_EQ(message.files[0].filename, "minutes.pdf");
  EXPECT_EQ(message.files[0].content_type, "application/pdf");
  EXPECT_EQ(message.files[0].sha256_hex, sha256_hex(pdf));
}

std::vector<std::pair<std::string, std::string>> numbered_files(int count) {
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < count; ++i) files.push_back({"f" + std::to_string(i) + ".bin", "x"});
  return files;
}

TEST(MimeTnef, MoreAttachmentsThanAllowedAreCountedNotDecoded) {
  const std::string tnef = tnef_with(numbered_files(30));
  const TnefContents within = extract_tnef(tnef, 30);
  EXPECT_TRUE(within.decoded);
  EXPECT_EQ(within.files.size(), 30u);
  const TnefContents over = extract_tnef(tnef, 29);
  EXPECT_FALSE(over.decoded);
  EXPECT_TRUE(over.too_many_files);
  EXPECT_TRUE(over.files.empty());
}

// The text body and winmail.dat are two leaves; its files count with them.
TEST(MimeTnef, InnerFilesCountAsPartsOfTheMessage) {
  ExtractLimits limits;
  limits.max_parts = 20;
  const ParsedMessage within =
      extract_message(winmail_message(tnef_with(numbered_files(18))), limits);
  EXPECT_FALSE(within.over_limit);
  EXPECT_EQ(within.files.size(), 18u);
  const ParsedMessage over =
      extract_message(winmail_message(tnef_with(numbered_files(19))), limits);
  EXPECT_EQ(over.over_limit, "limits.max_parts: more than 20 MIME parts and TNEF files");
  EXPECT_TRUE(over.files.empty());
}

TEST(MimeTnef, AHundredThousandInnerFilesAreHeld) {
  const ParsedMessage message = extract_message(winmail_message(tnef_with(numbered_files(100000))));
  EXPECT_TRUE(message.over_limit);
  EXPECT_TRUE(message.files.empty());
}

TEST(MimeTnef, UndecodableWinmailDatIsKeptAsItIs) {
  const std::string junk = "this is not TNEF";
  const ParsedMessage message = extract_message(winmail_message(junk));
  ASSERT_EQ(message.files.size(), 1u);
  EXPECT_EQ(message.files[0].filename, "winmail.dat");
  EXPECT_EQ(message.files[0].sha256_hex, sha256_hex(junk));
  EXPECT_FALSE(message.defects.empty());
}

}  // namespace
}  // namespace contribd::mime
