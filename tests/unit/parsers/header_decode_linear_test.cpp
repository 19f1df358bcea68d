// Header decoding on the shapes that made it quadratic: these must finish well inside the test
// timeout and still give the text a careful reader would expect.
#include <gtest/gtest.h>

#include <algorithm>

#include "parsers/charset.h"
#include "parsers/header_decode.h"
#include "parsers/utf8.h"

namespace contribd::mime {
namespace {

constexpr std::string_view kCombiningAcute = "\xCC\x81";            // U+0301, class 230
constexpr std::string_view kCombiningGraveBelow = "\xCC\x96";       // U+0316, class 220
constexpr std::string_view kGraphemeJoiner = "\xCD\x8F";            // U+034F
constexpr std::string_view kHangulChoseongKiyeok = "\xE1\x84\x80";  // U+1100, L
constexpr std::string_view kHangulJungseongA = "\xE1\x85\xA1";      // U+1161, V
constexpr std::string_view kHangulGa = "\xEA\xB0\x80";              // U+AC00, L+V composed

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

std::size_t count_of(std::string_view text, std::string_view piece) {
  std::size_t count = 0;
  for (std::size_t at = text.find(piece); at != std::string_view::npos;
       at = text.find(piece, at + piece.size())) {
    ++count;
  }
  return count;
}

TEST(HeaderDecodeLinear, UnterminatedWordFragmentsStayLiteral) {
  const std::string subject = repeat("=?x?Q?a", 200 * 1024 / 7);
  std::vector<std::string> defects;
  EXPECT_EQ(decode_header_text(subject, defects), subject);
  EXPECT_TRUE(defects.empty());
}

TEST(HeaderDecodeLinear, FragmentsBeforeOneRealWordStillFindIt) {
  const std::string fragments = repeat("=?x?Q?a", 50000);
  std::vector<std::string> defects;
  EXPECT_EQ(decode_header_text(fragments + " =?utf-8?Q?caf=C3=A9?=", defects), fragments + " café");
}

TEST(HeaderDecodeLinear, FragmentWithCharsetRunningIntoTheNextWord) {
  // The first candidate's charset ends inside the second word; the second word is whole.
  std::vector<std::string> defects;
  EXPECT_EQ(decode_header_text("=?a=?utf-8?Q?x?=", defects), "=?ax");
  EXPECT_EQ(decode_header_text("=?a?Q=?utf-8?Q?y?=", defects), "=?a?Qy");
}

TEST(HeaderDecodeLinear, ManyWordsOfOneCharsetAreJoinedAcrossSplitCharacters) {
  // "é" is C3 A9: every word carries half of one.
  const std::string subject = repeat("=?utf-8?Q?=C3?= =?utf-8?Q?=A9?= ", 100000);
  std::vector<std::string> defects;
  const std::string decoded = decode_header_text(subject, defects);
  EXPECT_EQ(decoded, repeat("é", 100000) + " ");
  EXPECT_TRUE(defects.empty());
}

TEST(HeaderDecodeLinear, AlternatingCharsetsEachConverted) {
  const std::string subject = repeat("=?utf-8?Q?a?= =?iso-8859-1?Q?=E9?= ", 50000);
  std::vector<std::string> defects;
  EXPECT_EQ(decode_header_text(subject, defects), repeat("aé", 50000) + " ");
  EXPECT_TRUE(defects.empty());
}

TEST(HeaderDecodeLinear, DefectsOfManyBadWordsAreBoundedAndCounted) {
  std::string subject;
  for (int i = 0; i < 20000; ++i) subject += "=?x-unknown-" + std::to_string(i) + "?Q?=E9?= b ";
  std::vector<std::string> defects;
  EXPECT_EQ(decode_header_text(subject, defects), repeat("é b ", 20000));
  ASSERT_EQ(defects.size(), 17u);
  EXPECT_NE(defects.back().find("19984 more defects"), std::string::npos) << defects.back();
}

TEST(HeaderDecodeLinear, RepeatedDefectIsListedOnce) {
  std::vector<std::string> defects;
  EXPECT_EQ(decode_header_text(repeat("=?x-unknown?Q?=E9?= b ", 20000), defects),
            repeat("é b ", 20000));
  EXPECT_EQ(defects.size(), 1u);
}

TEST(HeaderDecodeLinear, LongBase64DefectQuotesOnlyAnExcerpt) {
  std::vector<std::string> defects;
  decode_header_text("=?utf-8?B?" + repeat("YWJj*", 100000) + "?=", defects);
  ASSERT_EQ(defects.size(), 1u);
  EXPECT_LT(defects[0].size(), 200u);
}

TEST(NormaliseNfcLinear, ManyCompositionsComposeEveryOne) {
  const std::string decomposed = repeat(std::string("e").append(kCombiningAcute), 300000);
  EXPECT_EQ(normalise_nfc(decomposed), repeat("é", 300000));
}

TEST(NormaliseNfcLinear, ManyHangulSyllablesComposeEveryOne) {
  const std::string jamo =
      repeat(std::string(kHangulChoseongKiyeok).append(kHangulJungseongA), 200000);
  EXPECT_EQ(normalise_nfc(jamo), repeat(kHangulGa, 200000));
}

TEST(NormaliseNfcLinear, PieceIsNeverCutBeforeAVowelJamo) {
  // Pieces are cut once they hold 256 bytes, at the next safe place: here the vowel jamo would
  // be the first character past that size, and it must still join the consonant before it.
  for (std::size_t padding = 250; padding < 260; ++padding) {
    const std::string text =
        std::string(padding, 'a').append(kHangulChoseongKiyeok).append(kHangulJungseongA);
    EXPECT_EQ(normalise_nfc(text), std::string(padding, 'a').append(kHangulGa)) << padding;
  }
}

TEST(NormaliseNfcLinear, CombiningMarksAreOrderedWithinShortRuns) {
  // Canonical order puts class 220 before class 230.
  EXPECT_EQ(normalise_nfc(std::string("x").append(kCombiningAcute).append(kCombiningGraveBelow)),
            std::string("x").append(kCombiningGraveBelow).append(kCombiningAcute));
}

TEST(NormaliseNfcLinear, ThirtyCombiningMarksAreLeftAlone) {
  const std::string text = "x" + repeat(kCombiningGraveBelow, 30);
  EXPECT_EQ(normalise_nfc(text), text);
}

TEST(NormaliseNfcLinear, LongRunOfCombiningMarksIsBrokenEveryThirty) {
  const std::string marks =
      repeat(std::string(kCombiningAcute).append(kCombiningGraveBelow), 100000);
  const std::string normalised = normalise_nfc("x" + marks);
  EXPECT_TRUE(is_valid_utf8(normalised));
  EXPECT_EQ(count_of(normalised, kGraphemeJoiner), 200000u / 30);
  EXPECT_EQ(count_of(normalised, kCombiningAcute), 100000u);
  EXPECT_EQ(count_of(normalised, kCombiningGraveBelow), 100000u);
}

TEST(NormaliseNfcLinear, NulBytesAreKept) {
  const std::string text = repeat(std::string("e").append(kCombiningAcute).append(1, '\0'), 1000);
  EXPECT_EQ(normalise_nfc(text), repeat(std::string("é").append(1, '\0'), 1000));
}

}  // namespace
}  // namespace contribd::mime
