#include "daemon/terminal_text.h"

#include <gtest/gtest.h>

namespace contribd {
namespace {

TEST(EscapeForTerminal, PlainTextAndOtherScriptsStayAsTheyAre) {
  EXPECT_EQ(escape_for_terminal("Draft new Recommendation Y.QKDN"),
            "Draft new Recommendation Y.QKDN");
  EXPECT_EQ(escape_for_terminal("Entwurf für Ü.3 – 量子"), "Entwurf für Ü.3 – 量子");
  EXPECT_EQ(escape_for_terminal("C:\\temp"), "C:\\temp");
}

TEST(EscapeForTerminal, JoinersThatScriptsAndEmojiNeedStay) {
  // Persian "mi-khaham" with ZWNJ, and a family emoji joined with ZWJ.
  EXPECT_EQ(escape_for_terminal("می‌خواهم"), "می‌خواهم");
  EXPECT_EQ(escape_for_terminal("👩‍👩‍👧"), "👩‍👩‍👧");
}

TEST(EscapeForTerminal, C0DelAndC1ControlsAreEscaped) {
  EXPECT_EQ(escape_for_terminal("a\x1b[2Jb"), "a\\u001B[2Jb");
  EXPECT_EQ(escape_for_terminal("line\r\nBcc: x\t"), "line\\u000D\\u000ABcc: x\\u0009");
  EXPECT_EQ(escape_for_terminal(std::string("nul\0!", 5)), "nul\\u0000!");
  EXPECT_EQ(escape_for_terminal("del\x7f"), "del\\u007F");
  // U+009B is the one-character CSI of 8-bit terminals.
  EXPECT_EQ(escape_for_terminal("\xc2\x9b"
                                "2J\xc2\x85"),
            "\\u009B2J\\u0085");
}

TEST(EscapeForTerminal, BidiControlsAreEscaped) {
  // "invoice<RLO>fdp.exe" reads as "invoiceexe.pdf" on a terminal that honours the override.
  EXPECT_EQ(escape_for_terminal("invoice\u202Efdp.exe"), "invoice\\u202Efdp.exe");
  EXPECT_EQ(escape_for_terminal("\u202A\u202B\u202C\u202D"), "\\u202A\\u202B\\u202C\\u202D");
  EXPECT_EQ(escape_for_terminal("\u2066\u2067\u2068\u2069"), "\\u2066\\u2067\\u2068\\u2069");
  EXPECT_EQ(escape_for_terminal("\u200E\u200F\u061C"), "\\u200E\\u200F\\u061C");
}

TEST(EscapeForTerminal, InvisibleFormatCharactersAreEscaped) {
  EXPECT_EQ(escape_for_terminal("pay\u200Bpal"), "pay\\u200Bpal");
  EXPECT_EQ(escape_for_terminal("\uFEFFtitle"), "\\uFEFFtitle");
  EXPECT_EQ(escape_for_terminal("soft\u00ADhyphen\u2060\u2064"), "soft\\u00ADhyphen\\u2060\\u2064");
  EXPECT_EQ(escape_for_terminal("a\u2028b\u2029"), "a\\u2028b\\u2029");
  EXPECT_EQ(escape_for_terminal("\u3164"), "\\u3164");
  EXPECT_EQ(escape_for_terminal("tag\U000E0041"), "tag\\U000E0041");
}

TEST(EscapeForTerminal, BytesThatAreNotUtf8AreShownAsBytes) {
  EXPECT_EQ(escape_for_terminal("caf\xe9"), "caf\\xe9");
  EXPECT_EQ(escape_for_terminal("\xe2\x80"), "\\xe2\\x80");        // truncated sequence
  EXPECT_EQ(escape_for_terminal("\xc0\xaf"), "\\xc0\\xaf");        // overlong '/'
  EXPECT_EQ(escape_for_terminal("\xef\xbf\xbd"), "\xef\xbf\xbd");  // a real U+FFFD stays
}

}  // namespace
}  // namespace contribd
