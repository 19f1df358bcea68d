#include "parsers/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace contribd {
namespace {

// Every code point the text holds, U+FFFD for each malformed byte.
std::u32string code_points(std::string_view text) {
  std::u32string out;
  for (std::size_t pos = 0; pos < text.size();) out += next_code_point(text, pos);
  return out;
}

TEST(Utf8, SequenceLengthFollowsRfc3629) {
  EXPECT_EQ(utf8_sequence_length(""), 0u);
  EXPECT_EQ(utf8_sequence_length(std::string_view("\0", 1)), 1u);  // NUL is a character
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9"), 2u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC"), 3u);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xE0\x80\xAF"), 0u);      // overlong, three bytes
  EXPECT_EQ(utf8_sequence_length("\xF0\x80\x80\xAF"), 0u);  // overlong, four bytes
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80"), 0u);      // surrogate U+D800
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(utf8_sequence_length("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(utf8_sequence_length("\x80"), 0u);      // a stray continuation byte
  EXPECT_EQ(utf8_sequence_length("\xE2\x82"), 0u);  // truncated
}

TEST(Utf8, NextCodePointReplacesEachMalformedByte) {
  EXPECT_EQ(code_points("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), U"a\u00E9\u20AC\U0001F600");
  EXPECT_EQ(code_points("\xC0\xAF!"), U"\uFFFD\uFFFD!");
  EXPECT_EQ(code_points("\xE2\x82"), U"\uFFFD\uFFFD");
  // A real U+FFFD is three bytes long: told apart from a substitution by the advance.
  std::size_t pos = 0;
  EXPECT_EQ(next_code_point("\xEF\xBF\xBD", pos), kReplacementCharacter);
  EXPECT_EQ(pos, 3u);
}

TEST(Utf8, AppendEncodesScalarValuesAndReplacesTheRest) {
  std::string out;
  for (const char32_t cp : {U'a', U'\u00E9', U'\u20AC', U'\U0001F600'}) append_utf8(cp, out);
  EXPECT_EQ(out, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  out.clear();
  append_utf8(0xD800, out);
  append_utf8(0x110000, out);
  EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8, ValidityAndRepair) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("Gr\xC3\xBC\xC3\x9F\x65 \xEF\xBF\xBD"));
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));
  EXPECT_EQ(repair_utf8("caf\xE9!"), "caf\xEF\xBF\xBD!");
  EXPECT_EQ(repair_utf8("\xC3\xA9"), "\xC3\xA9");
  EXPECT_TRUE(is_valid_utf8(repair_utf8("\xFF\xFE\xC0\x80\xED\xA0\x80\xF4\x90\x80\x80")));
}

TEST(Utf8, PrefixNeverEndsInsideACharacter) {
  const std::string text = "ab\xE2\x82\xAC";  // "ab€"
  EXPECT_EQ(utf8_prefix(text, 10), text);
  EXPECT_EQ(utf8_prefix(text, 5), text);
  EXPECT_EQ(utf8_prefix(text, 4), "ab");
  EXPECT_EQ(utf8_prefix(text, 3), "ab");
  EXPECT_EQ(utf8_prefix(text, 2), "ab");
  // Malformed text of continuation bytes is still cut near the limit, not emptied.
  const std::string junk(100, '\x80');
  EXPECT_EQ(utf8_prefix(junk, 50).size(), 47u);
}

}  // namespace
}  // namespace contribd
