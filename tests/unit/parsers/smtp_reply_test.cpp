#include "daemon/smtp/smtp_reply.h"

#include <gtest/gtest.h>

#include "daemon/smtp/smtp_error.h"

namespace contribd::smtp {
namespace {

TEST(ParseReplyLine, CodeSeparatorAndText) {
  const ReplyLine more = parse_reply_line("250-smtp.example.org greets you");
  EXPECT_EQ(more.code, 250);
  EXPECT_FALSE(more.last);
  EXPECT_EQ(more.text, "smtp.example.org greets you");
  const ReplyLine last = parse_reply_line("550 5.1.1 <bob@x>: Recipient address rejected");
  EXPECT_EQ(last.code, 550);
  EXPECT_TRUE(last.last);
  EXPECT_EQ(last.text, "5.1.1 <bob@x>: Recipient address rejected");
  EXPECT_TRUE(parse_reply_line("354").last);
}

TEST(ParseReplyLine, MalformedLinesAreTemporaryErrors) {
  for (const char* bad : {"", "25", "ok 250", "2500 x", "250x", "099 low", "600 high"}) {
    try {
      parse_reply_line(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const SmtpError& e) {
      EXPECT_EQ(e.code(), 0);
      EXPECT_FALSE(e.permanent());
    }
  }
}

TEST(ParseReply, MultiLineReplyIsOneReply) {
  const Reply reply = parse_reply({"250-mx.example.org", "250-PIPELINING", "250 AUTH PLAIN"});
  EXPECT_EQ(reply.code, 250);
  EXPECT_EQ(reply.kind(), 2);
  EXPECT_EQ(reply.lines, (std::vector<std::string>{"mx.example.org", "PIPELINING", "AUTH PLAIN"}));
  EXPECT_EQ(reply.text(), "250 mx.example.org PIPELINING AUTH PLAIN");
}

TEST(ParseReply, InconsistentRepliesAreRejected) {
  EXPECT_THROW(parse_reply({}), SmtpError);
  EXPECT_THROW(parse_reply({"250-a", "251 b"}), SmtpError);
  EXPECT_THROW(parse_reply({"250 a", "250 b"}), SmtpError);
  EXPECT_THROW(parse_reply({"250-a", "250-b"}), SmtpError);
}

TEST(ParseReply, TextIsPrintable) {
  EXPECT_EQ(parse_reply({"421 bye\x01\x1b[31m"}).text(), "421 bye??[31m");
}

TEST(ParseEhlo, KeywordsAndAuthMechanisms) {
  const Extensions extensions =
      parse_ehlo(parse_reply({"250-smtp.example.org", "250-SIZE 10240000", "250-starttls",
                              "250-AUTH PLAIN login", "250-AUTH=CRAM-MD5", "250 8BITMIME"}));
  EXPECT_TRUE(extensions.has("STARTTLS"));
  EXPECT_TRUE(extensions.has("SIZE"));
  EXPECT_TRUE(extensions.has("8BITMIME"));
  EXPECT_FALSE(extensions.has("SMTPUTF8"));
  EXPECT_EQ(extensions.auth_mechanisms, (std::set<std::string>{"PLAIN", "LOGIN", "CRAM-MD5"}));
}

TEST(ParseEhlo, GreetingLineIsNotAnExtension) {
  const Extensions extensions = parse_ehlo(parse_reply({"250 STARTTLS.example.org"}));
  EXPECT_FALSE(extensions.has("STARTTLS.EXAMPLE.ORG"));
  EXPECT_TRUE(extensions.keywords.empty());
}

}  // namespace
}  // namespace contribd::smtp
