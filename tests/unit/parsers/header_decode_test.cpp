#include "parsers/header_decode.h"

#include <gtest/gtest.h>

namespace contribd::mime {
namespace {

std::string decode(std::string_view raw, std::vector<std::string>* defects_out = nullptr) {
  std::vector<std::string> defects;
  std::string text = decode_header_text(raw, defects);
  if (defects_out) *defects_out = defects;
  return text;
}

TEST(HeaderDecode, PlainAsciiIsUnchanged) {
  EXPECT_EQ(decode("Contribution on QKD networks"), "Contribution on QKD networks");
}

TEST(HeaderDecode, BEncodedUtf8) {
  EXPECT_EQ(decode("=?UTF-8?B?0J/RgNC40LLQtdGC?="), "Привет");
}

TEST(HeaderDecode, QEncodedLatin1WithUnderscoreAsSpace) {
  EXPECT_EQ(decode("=?iso-8859-1?Q?caf=E9_men=FC?="), "café menü");
}

TEST(HeaderDecode, WhiteSpaceBetweenAdjacentWordsIsDropped) {
  EXPECT_EQ(decode("=?utf-8?Q?a?= \r\n =?utf-8?Q?b?="), "ab");
}

TEST(HeaderDecode, WhiteSpaceBetweenWordAndTextIsKept) {
  EXPECT_EQ(decode("Re: =?utf-8?Q?caf=C3=A9?= notes"), "Re: café notes");
}

TEST(HeaderDecode, MultiByteCharacterSplitAcrossWordsIsJoined) {
  // "é" is C3 A9; each word carries one byte of it.
  EXPECT_EQ(decode("=?utf-8?Q?caf=C3?= =?UTF-8?Q?=A9?="), "café");
}

TEST(HeaderDecode, Koi8rAndWindows1251) {
  EXPECT_EQ(decode("=?koi8-r?B?8NLJ18XU?="), "Привет");
  EXPECT_EQ(decode("=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?="), "Привет");
}

TEST(HeaderDecode, AsianCharsets) {
  EXPECT_EQ(decode("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?="), "日本語");
  EXPECT_EQ(decode("=?Shift_JIS?B?k/qWe4zq?="), "日本語");
  EXPECT_EQ(decode("=?GB2312?B?1tDOxA==?="), "中文");
  EXPECT_EQ(decode("=?Big5?B?pKSk5Q==?="), "中文");
  EXPECT_EQ(decode("=?EUC-KR?B?x9Gx27D6?="), "한글과");
}

TEST(HeaderDecode, LanguageSuffixInCharsetIsIgnored) {
  EXPECT_EQ(decode("=?utf-8*en?Q?ok=E2=9C=94?="), "ok✔");
}

TEST(HeaderDecode, EncodedWordGluedToTextIsDecoded) {
  EXPECT_EQ(decode("nyan cat =?UTF-8?Q?=E2=9C=94=2Egif?="), "nyan cat ✔.gif");
  EXPECT_EQ(decode("x=?utf-8?Q?=C3=A9?=y"), "xéy");
}

TEST(HeaderDecode, RawUtf8IsKept) {
  EXPECT_EQ(decode("Übersicht März"), "Übersicht März");
}

TEST(HeaderDecode, RawLatin1IsReadAsLatin1WithDefect) {
  std::vector<std::string> defects;
  EXPECT_EQ(decode("caf\xE9", &defects), "café");
  EXPECT_EQ(defects.size(), 1u);
}

TEST(HeaderDecode, UnknownCharsetFallsBackWithDefect) {
  std::vector<std::string> defects;
  EXPECT_EQ(decode("=?x-unknown?Q?caf=E9?=", &defects), "café");
  ASSERT_EQ(defects.size(), 1u);
  EXPECT_NE(defects[0].find("x-unknown"), std::string::npos);
}

TEST(HeaderDecode, BadBase64DecodesValidQuantaWithDefect) {
  std::vector<std::string> defects;
  EXPECT_EQ(decode("=?utf-8?B?YWJj*ZGVm?=", &defects), "abcdef");
  EXPECT_EQ(defects.size(), 1u);
}

TEST(HeaderDecode, InvalidUtf8InWordBecomesReplacementCharacter) {
  std::vector<std::string> defects;
  EXPECT_EQ(decode("=?utf-8?Q?a=FFb?=", &defects),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(defects.size(), 1u);
}

TEST(HeaderDecode, OutputIsNfc) {
  // "e" + COMBINING ACUTE ACCENT composes to U+00E9.
  EXPECT_EQ(decode("=?utf-8?Q?e=CC=81?="), "\xC3\xA9");
}

TEST(HeaderDecode, MalformedWordsStayLiteral) {
  EXPECT_EQ(decode("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
  EXPECT_EQ(decode("=?utf-8?Q?unterminated"), "=?utf-8?Q?unterminated");
  EXPECT_EQ(decode("=?"), "=?");
}

TEST(HeaderDecode, UnfoldRemovesLineBreaksKeepsWhiteSpace) {
  EXPECT_EQ(unfold_header("a\r\n b\n\tc"), "a b\tc");
}

}  // namespace
}  // namespace contribd::mime
