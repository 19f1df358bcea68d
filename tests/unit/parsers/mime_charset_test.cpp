#include <gtest/gtest.h>

#include "parsers/charset.h"
#include "parsers/utf8.h"

namespace contribd::mime {
namespace {

std::string convert(std::string_view bytes, std::string_view charset,
                    std::size_t expected_defects = 0) {
  std::vector<std::string> defects;
  std::string text = charset_to_utf8(bytes, charset, defects);
  EXPECT_EQ(defects.size(), expected_defects) << charset;
  return text;
}

TEST(MimeCharset, Utf8ValidationFollowsRfc3629) {
  EXPECT_TRUE(is_valid_utf8(std::string_view("a\0b", 3)));  // NUL is a character
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
}

TEST(MimeCharset, KnownCharsetsConvert) {
  EXPECT_EQ(convert("\xE9t\xE9", "ISO-8859-1"), "été");
  EXPECT_EQ(convert("\x80", "windows-1252"), "€");
  EXPECT_EQ(convert("\xCF\xF0\xE8\xE2\xE5\xF2", "cp1251"), "Привет");
  EXPECT_EQ(convert("\xF0\xD2\xC9\xD7\xC5\xD4", "KOI8-R"), "Привет");
  EXPECT_EQ(convert("\xA6\xA7", "koi8-u"), "ії");
  EXPECT_EQ(convert("\x1B$BF|K\\8l\x1B(B", "iso-2022-jp"), "日本語");
}

TEST(MimeCharset, OutlookKoreanNameIsUnderstood) {
  EXPECT_EQ(convert("\xC7\xD1", "ks_c_5601-1987"), "한");
}

TEST(MimeCharset, UnknownCharsetKeepsUtf8OrReadsLatin1) {
  EXPECT_EQ(convert("caf\xC3\xA9", "x-unknown", 1), "café");
  EXPECT_EQ(convert("caf\xE9", "x-unknown", 1), "café");
}

TEST(MimeCharset, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(convert("a\xFF", "utf-8", 1), "a\xEF\xBF\xBD");
  EXPECT_EQ(convert("\x81", "shift_jis", 1), "\xEF\xBF\xBD");
}

TEST(MimeCharset, NfcKeepsNulAndComposes) {
  EXPECT_EQ(normalise_nfc(std::string_view("e\xCC\x81\0x", 5)), std::string("\xC3\xA9\0x", 4));
}

}  // namespace
}  // namespace contribd::mime
