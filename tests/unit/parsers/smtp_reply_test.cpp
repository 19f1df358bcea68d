#include "parsers/smtp_reply.h"

#include <gtest/gtest.h>

namespace contribd::smtp {
namespace {

// A line that must parse.
ReplyLine line_of(std::string_view text) {
  ReplyLineResult parsed = parse_reply_line(text);
  EXPECT_TRUE(parsed.line) << parsed.error;
  return parsed.line.value_or(ReplyLine{});
}

// Lines that must form one reply.
Reply reply_of(const std::vector<std::string>& lines) {
  ReplyResult parsed = parse_reply(lines);
  EXPECT_TRUE(parsed.reply) << parsed.error;
  return parsed.reply.value_or(Reply{});
}

TEST(ParseReplyLine, CodeSeparatorAndText) {
  const ReplyLine more = line_of("250-smtp.example.org greets you");
  EXPECT_EQ(more.code, 250);
  EXPECT_FALSE(more.last);
  EXPECT_EQ(more.text, "smtp.example.org greets you");
  const ReplyLine last = line_of("550 5.1.1 <bob@x>: Recipient address rejected");
  EXPECT_EQ(last.code, 550);
  EXPECT_TRUE(last.last);
  EXPECT_EQ(last.text, "5.1.1 <bob@x>: Recipient address rejected");
  EXPECT_TRUE(line_of("354").last);
}

TEST(ParseReplyLine, MalformedLinesGiveAnErrorNotALine) {
  for (const char* bad : {"", "25", "ok 250", "2500 x", "250x", "099 low", "600 high"}) {
    const ReplyLineResult parsed = parse_reply_line(bad);
    EXPECT_FALSE(parsed.line) << "accepted \"" << bad << "\"";
    EXPECT_TRUE(parsed.error.starts_with("malformed SMTP reply \"")) << parsed.error;
  }
  EXPECT_EQ(parse_reply_line("ok 250").error, "malformed SMTP reply \"ok 250\": no reply code");
}

TEST(ParseReplyLine, ErrorShowsTheLinePrintableAndCut) {
  const std::string hostile = "25\x1b[31m" + std::string(500, 'x');
  const std::string error = parse_reply_line(hostile).error;
  EXPECT_EQ(error.find('\x1b'), std::string::npos);
  EXPECT_LT(error.size(), 130u);
}

TEST(ParseReply, RealServerRefusals) {
  // Microsoft 365 throttling, Microsoft 365 refusing basic authentication, Gmail refusing a
  // password where an app password is needed.
  const Reply throttled =
      reply_of({"421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your "
                "client to support TLS 1.2."});
  EXPECT_EQ(throttled.kind(), 4);
  const Reply basic =
      reply_of({"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
                "for the Tenant."});
  EXPECT_EQ(basic.code, 535);
  const Reply gmail =
      reply_of({"534-5.7.9 Application-specific password required. Learn more at",
                "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor"});
  EXPECT_EQ(gmail.code, 534);
  EXPECT_EQ(gmail.lines.size(), 2u);
}

TEST(ParseReply, MultiLineReplyIsOneReply) {
  const Reply reply = reply_of({"250-mx.example.org", "250-PIPELINING", "250 AUTH PLAIN"});
  EXPECT_EQ(reply.code, 250);
  EXPECT_EQ(reply.kind(), 2);
  EXPECT_EQ(reply.lines, (std::vector<std::string>{"mx.example.org", "PIPELINING", "AUTH PLAIN"}));
  EXPECT_EQ(reply.text(), "250 mx.example.org PIPELINING AUTH PLAIN");
}

TEST(ParseReply, InconsistentRepliesAreRejected) {
  EXPECT_EQ(parse_reply({}).error, "empty SMTP reply");
  EXPECT_FALSE(parse_reply({"250-a", "251 b"}).reply);
  EXPECT_FALSE(parse_reply({"250 a", "250 b"}).reply);
  EXPECT_FALSE(parse_reply({"250-a", "250-b"}).reply);
  EXPECT_FALSE(parse_reply({"250-a", "oops"}).reply);
  EXPECT_EQ(parse_reply({"250-a", "251 b"}).error,
            "malformed SMTP reply \"251 b\": code differs from the reply's first line");
}

TEST(ParseReply, TextIsPrintable) {
  EXPECT_EQ(reply_of({"421 bye\x01\x1b[31m\xc3\xa4"}).text(), "421 bye??[31m??");
}

TEST(ParseEhlo, KeywordsAndAuthMechanisms) {
  const Extensions extensions =
      parse_ehlo(reply_of({"250-smtp.example.org", "250-SIZE 10240000", "250-starttls",
                           "250-AUTH PLAIN login", "250-AUTH=CRAM-MD5", "250 8BITMIME"}));
  EXPECT_TRUE(extensions.has("STARTTLS"));
  EXPECT_TRUE(extensions.has("SIZE"));
  EXPECT_TRUE(extensions.has("8BITMIME"));
  EXPECT_FALSE(extensions.has("SMTPUTF8"));
  EXPECT_EQ(extensions.auth_mechanisms, (std::set<std::string>{"PLAIN", "LOGIN", "CRAM-MD5"}));
}

TEST(ParseEhlo, GreetingLineIsNotAnExtension) {
  const Extensions extensions = parse_ehlo(reply_of({"250 STARTTLS.example.org"}));
  EXPECT_FALSE(extensions.has("STARTTLS.EXAMPLE.ORG"));
  EXPECT_TRUE(extensions.keywords.empty());
}

TEST(ParseEhlo, EmptyAuthEqualsOffersNoMechanism) {
  const Extensions extensions = parse_ehlo(reply_of({"250-mx", "250 AUTH="}));
  EXPECT_TRUE(extensions.has("AUTH"));
  EXPECT_TRUE(extensions.auth_mechanisms.empty());
}

TEST(EnhancedStatus, OpensTheFirstLine) {
  EXPECT_EQ(enhanced_status(reply_of({"432 4.3.2 STOREDRV.ClientSubmit; sender thread limit "
                                      "exceeded [Hostname=DM5SPR00MB2471]"})),
            "4.3.2");
  EXPECT_EQ(enhanced_status(reply_of({"554 5.2.252 SendAsDenied; a@x not allowed to send as b@y"})),
            "5.2.252");
  EXPECT_EQ(enhanced_status(reply_of({"451-4.7.0 Temporary server error", "451 4.7.0 later"})),
            "4.7.0");
  EXPECT_EQ(enhanced_status(reply_of({"250 2.0.0"})), "2.0.0");
}

TEST(EnhancedStatus, NoneWhenTheTextDoesNotStartWithOne) {
  EXPECT_EQ(enhanced_status(reply_of({"450 mailbox busy"})), "");
  EXPECT_EQ(enhanced_status(reply_of({"450"})), "");
  EXPECT_EQ(enhanced_status(reply_of({"450 3.1.1 not a class"})), "");
  EXPECT_EQ(enhanced_status(reply_of({"450 4.1234.1 subject too long"})), "");
  EXPECT_EQ(enhanced_status(reply_of({"450 4.1. no detail"})), "");
  EXPECT_EQ(enhanced_status(reply_of({"450 4.1.1x trailing"})), "");
  EXPECT_EQ(enhanced_status(reply_of({"450 4..1"})), "");
  EXPECT_EQ(enhanced_status(reply_of({"450-text", "450 4.2.1 second line"})), "");
}

}  // namespace
}  // namespace contribd::smtp
