#include "daemon/smtp/smtp_wire.h"

#include <gtest/gtest.h>

#include <string>

namespace contribd::smtp {
namespace {

TEST(DotStuff, LeadingDotsAreDoubledAndDataIsTerminated) {
  EXPECT_EQ(dot_stuff("a\r\n.\r\n..b\r\nc.d\r\n"), "a\r\n..\r\n...b\r\nc.d\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".starts"), "..starts\r\n.\r\n");
}

TEST(DotStuff, LineEndsAreNormalisedToCrlf) {
  EXPECT_EQ(dot_stuff("a\nb\rc\r\n\n.d"), "a\r\nb\r\nc\r\n\r\n..d\r\n.\r\n");
  EXPECT_EQ(dot_stuff("x\r\n"), "x\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
}

TEST(DotStuff, ALoneDotLineCannotEndTheDataEarly) {
  const std::string stuffed = dot_stuff("Subject: x\r\n\r\nbody\n.\nQUIT\n");
  EXPECT_EQ(stuffed.find("\r\n.\r\n"), stuffed.size() - 5) << stuffed;
}

TEST(Auth, PlainResponse) {
  // RFC 4616 example credentials: "\0tim\0tanstaaftanstaaf".
  EXPECT_EQ(auth_plain_response("tim", "tanstaaftanstaaf"), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
}

TEST(IsSafePath, RefusesWhatCouldInjectCommands) {
  EXPECT_TRUE(is_safe_path("alice@member.test"));
  EXPECT_TRUE(is_safe_path(""));  // the null sender
  EXPECT_FALSE(is_safe_path("bob@x\r\nRCPT TO:<evil@x>"));
  EXPECT_FALSE(is_safe_path("bob@x>"));
  EXPECT_FALSE(is_safe_path("bob @x"));
}

TEST(IsValidHeloName, HostNamesAndLiterals) {
  EXPECT_TRUE(is_valid_helo_name("contribd.itu.int"));
  EXPECT_TRUE(is_valid_helo_name("[127.0.0.1]"));
  EXPECT_TRUE(is_valid_helo_name("[IPv6:::1]"));
  EXPECT_FALSE(is_valid_helo_name(""));
  EXPECT_FALSE(is_valid_helo_name("host\r\nMAIL FROM:<x>"));
  EXPECT_FALSE(is_valid_helo_name("two words"));
}

}  // namespace
}  // namespace contribd::smtp
