// Text from strangers made fit for a log line.
#include "parsers/printable.h"

#include <gtest/gtest.h>

namespace contribd {
namespace {

TEST(Printable, ControlCharactersBecomeQuestionMarks) {
  EXPECT_EQ(printable("a\r\nb\x7f"
                      "c\td"),
            "a??b?c?d");
  EXPECT_EQ(printable(std::string_view("nul\0here", 8)), "nul?here");
}

TEST(Printable, ControlCharactersAsHexEscapes) {
  EXPECT_EQ(printable("a\r\nb", 200, ControlShown::hex_escape), "a\\x0d\\x0ab");
}

TEST(Printable, Utf8PassesUnchanged) {
  EXPECT_EQ(printable("Предложение Ünal"), "Предложение Ünal");
}

TEST(Printable, LongTextIsCutAndTheCutMarked) {
  EXPECT_EQ(printable("abcdef", 3), "abc...");
  EXPECT_EQ(printable("abc", 3), "abc");
  EXPECT_EQ(printable("", 3), "");
}

TEST(Printable, AppendAddsWithoutALimit) {
  std::string out = "x: ";
  append_printable(out, std::string(500, 'y') + "\n");
  EXPECT_EQ(out.size(), 3u + 501u);
  EXPECT_EQ(out.back(), '?');
}

}  // namespace
}  // namespace contribd
