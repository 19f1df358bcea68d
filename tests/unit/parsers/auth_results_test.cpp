#include "parsers/auth_results.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace contribd::mime {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

auto Property(const std::string& ptype, const std::string& property, const std::string& value) {
  return AllOf(Field(&AuthProperty::ptype, ptype), Field(&AuthProperty::property, property),
               Field(&AuthProperty::value, value));
}

// "method=result" of every result, for compact expectations.
std::vector<std::string> verdicts(const AuthenticationResults& parsed) {
  std::vector<std::string> out;
  for (const AuthResult& result : parsed.results)
    out.push_back(result.method + "=" + result.result);
  return out;
}

// --- RFC 8601 appendix B ---

TEST(AuthResults, Rfc8601B2NothingWasChecked) {
  const auto parsed = parse_authentication_results("example.org 1; none");
  EXPECT_EQ(parsed.authserv_id, "example.org");
  EXPECT_EQ(parsed.version, "1");
  EXPECT_THAT(parsed.results, IsEmpty());
  EXPECT_THAT(parsed.defects, IsEmpty());
}

TEST(AuthResults, Rfc8601B3SpfOnly) {
  const auto parsed =
      parse_authentication_results("example.com; spf=pass smtp.mailfrom=example.net");
  EXPECT_EQ(parsed.authserv_id, "example.com");
  ASSERT_THAT(parsed.results, SizeIs(1));
  EXPECT_EQ(parsed.results[0].method, "spf");
  EXPECT_EQ(parsed.results[0].result, "pass");
  EXPECT_THAT(parsed.results[0].properties,
              ElementsAre(Property("smtp", "mailfrom", "example.net")));
  EXPECT_THAT(parsed.defects, IsEmpty());
}

TEST(AuthResults, Rfc8601B4SmtpAuthAndSpfFoldedOverLines) {
  const auto parsed = parse_authentication_results(
      "example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
      "          spf=pass smtp.mailfrom=example.net");
  EXPECT_THAT(verdicts(parsed), ElementsAre("auth=pass", "spf=pass"));
  EXPECT_THAT(parsed.results[0].properties,
              ElementsAre(Property("smtp", "auth", "sender@example.net")));
  EXPECT_THAT(parsed.defects, IsEmpty());
}

TEST(AuthResults, Rfc8601B4IprevWithPolicyProperty) {
  const auto parsed = parse_authentication_results(
      "example.com; iprev=pass\r\n"
      "          policy.iprev=192.0.2.200");
  EXPECT_THAT(verdicts(parsed), ElementsAre("iprev=pass"));
  EXPECT_THAT(parsed.results[0].properties,
              ElementsAre(Property("policy", "iprev", "192.0.2.200")));
}

TEST(AuthResults, Rfc8601B5DkimWithCommentThenSpfFail) {
  const auto dkim = parse_authentication_results(
      "example.com;\r\n          dkim=pass (good signature) header.d=example.com");
  EXPECT_THAT(verdicts(dkim), ElementsAre("dkim=pass"));
  EXPECT_THAT(dkim.results[0].properties, ElementsAre(Property("header", "d", "example.com")));
  const auto spf = parse_authentication_results(
      "example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
      "          spf=fail smtp.mailfrom=example.com");
  EXPECT_THAT(verdicts(spf), ElementsAre("auth=pass", "spf=fail"));
}

TEST(AuthResults, Rfc8601B6QuotedReasonsAndTwoSignatures) {
  const auto parsed = parse_authentication_results(
      "example.com;\r\n    dkim=pass reason=\"good signature\"\r\n"
      "      header.i=@mail-router.example.net;\r\n"
      "    dkim=fail reason=\"bad signature\"\r\n      header.i=@newyork.example.com");
  EXPECT_THAT(verdicts(parsed), ElementsAre("dkim=pass", "dkim=fail"));
  EXPECT_EQ(parsed.results[0].reason, "good signature");
  EXPECT_EQ(parsed.results[1].reason, "bad signature");
  EXPECT_THAT(parsed.results[0].properties,
              ElementsAre(Property("header", "i", "@mail-router.example.net")));
  EXPECT_THAT(parsed.defects, IsEmpty());
}

TEST(AuthResults, Rfc8601B7HeaderBValues) {
  const auto parsed = parse_authentication_results(
      "mail-router.example.net;\r\n    dkim=pass (good signature) header.d=newyork.example.com\r\n"
      "          header.b=oINEO8hg;\r\n"
      "    dkim=fail (bad signature) header.d=mail-router.example.net\r\n"
      "          header.b=EToRSuvU");
  EXPECT_EQ(parsed.authserv_id, "mail-router.example.net");
  ASSERT_THAT(verdicts(parsed), ElementsAre("dkim=pass", "dkim=fail"));
  EXPECT_THAT(parsed.results[0].properties,
              ElementsAre(Property("header", "d", "newyork.example.com"),
                          Property("header", "b", "oINEO8hg")));
  EXPECT_THAT(parsed.results[1].properties,
              ElementsAre(Property("header", "d", "mail-router.example.net"),
                          Property("header", "b", "EToRSuvU")));
}

// --- as real servers write them ---

TEST(AuthResults, ExchangeOnlineWritesNoAuthservId) {
  const auto parsed = parse_authentication_results(
      "spf=pass (sender IP is 209.85.128.41) smtp.mailfrom=example.com; dkim=pass (signature was "
      "verified) header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass "
      "reason=100");
  EXPECT_EQ(parsed.authserv_id, "");
  EXPECT_THAT(verdicts(parsed),
              ElementsAre("spf=pass", "dkim=pass", "dmarc=pass", "compauth=pass"));
  EXPECT_THAT(parsed.results[0].properties,
              ElementsAre(Property("smtp", "mailfrom", "example.com")));
  EXPECT_THAT(parsed.results[2].properties, ElementsAre(Property("header", "from", "example.com")));
  EXPECT_EQ(parsed.results[3].reason, "100");
  // The missing authserv-id and "action=none" are both reported.
  EXPECT_THAT(parsed.defects, SizeIs(2));
}

TEST(AuthResults, ExchangeOnPremisesNoneResultsAndTrailingSemicolon) {
  const auto parsed = parse_authentication_results(
      "spf=none (sender IP is 10.1.2.3) smtp.mailfrom=contoso.com; dkim=none (message not "
      "signed) header.d=none;dmarc=none action=none header.from=contoso.com;");
  EXPECT_THAT(verdicts(parsed), ElementsAre("spf=none", "dkim=none", "dmarc=none"));
  EXPECT_THAT(parsed.results[1].properties, ElementsAre(Property("header", "d", "none")));
}

TEST(AuthResults, ExchangeDmarcBestGuessPassIsItsOwnResult) {
  const auto parsed = parse_authentication_results(
      "mail.contoso.com; dkim=none (message not signed) header.d=none;"
      "dmarc=bestguesspass action=none header.from=fabrikam.com;");
  EXPECT_EQ(parsed.authserv_id, "mail.contoso.com");
  EXPECT_THAT(verdicts(parsed), ElementsAre("dkim=none", "dmarc=bestguesspass"));
}

TEST(AuthResults, Gmail) {
  const auto parsed = parse_authentication_results(
      "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20210112 header.b=abc;\r\n"
      "       spf=pass (google.com: domain of x@example.com designates 1.2.3.4 as permitted "
      "sender) smtp.mailfrom=x@example.com;\r\n"
      "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com");
  EXPECT_EQ(parsed.authserv_id, "mx.google.com");
  ASSERT_THAT(verdicts(parsed), ElementsAre("dkim=pass", "spf=pass", "dmarc=pass"));
  EXPECT_THAT(parsed.results[0].properties,
              ElementsAre(Property("header", "i", "@example.com"),
                          Property("header", "s", "20210112"), Property("header", "b", "abc")));
  EXPECT_THAT(parsed.results[1].properties,
              ElementsAre(Property("smtp", "mailfrom", "x@example.com")));
  EXPECT_THAT(parsed.defects, IsEmpty());
}

TEST(AuthResults, GmailBase64SignatureCharactersStayInTheValue) {
  const auto parsed = parse_authentication_results(
      "mx.google.com; dkim=pass header.i=@example.com "
      "header.s=s1 header.b=\"Ab+/c=\"; dkim=pass header.b=Ab+/c=");
  ASSERT_THAT(parsed.results, SizeIs(2));
  EXPECT_EQ(*parsed.results[0].find("header", "b"), "Ab+/c=");
  EXPECT_EQ(*parsed.results[1].find("header", "b"), "Ab+/c=");
}

TEST(AuthResults, OpenDkimCommentHoldingASemicolon) {
  const auto parsed = parse_authentication_results(
      "mail.example.org; dkim=pass (2048-bit key; unprotected) header.d=example.com "
      "header.i=@example.com header.a=rsa-sha256 header.s=mail header.b=AbCd");
  EXPECT_EQ(parsed.authserv_id, "mail.example.org");
  ASSERT_THAT(verdicts(parsed), ElementsAre("dkim=pass"));
  EXPECT_THAT(parsed.results[0].properties, SizeIs(5));
  EXPECT_EQ(*parsed.results[0].find("header", "d"), "example.com");
  EXPECT_EQ(*parsed.results[0].find("HEADER", "A"), "rsa-sha256");
  EXPECT_THAT(parsed.defects, IsEmpty());
}

TEST(AuthResults, OpenDmarcAndPostfixSpf) {
  const auto dmarc = parse_authentication_results(
      "mail.example.org; dmarc=pass (p=none dis=none) "
      "header.from=example.com");
  EXPECT_THAT(verdicts(dmarc), ElementsAre("dmarc=pass"));
  EXPECT_EQ(*dmarc.results[0].find("header", "from"), "example.com");
  const auto spf =
      parse_authentication_results("mail.example.org; spf=pass smtp.mailfrom=example.com");
  EXPECT_THAT(verdicts(spf), ElementsAre("spf=pass"));
  EXPECT_THAT(dmarc.defects, IsEmpty());
  EXPECT_THAT(spf.defects, IsEmpty());
}

// --- grammar details ---

TEST(AuthResults, KeywordsAreLowerCasedValuesAreNot) {
  const auto parsed =
      parse_authentication_results("MX.Example.ORG; DKIM=Pass Header.D=Example.COM");
  EXPECT_EQ(parsed.authserv_id, "MX.Example.ORG");
  EXPECT_THAT(verdicts(parsed), ElementsAre("dkim=pass"));
  EXPECT_THAT(parsed.results[0].properties, ElementsAre(Property("header", "d", "Example.COM")));
}

TEST(AuthResults, CommentsAnywhereAndNested) {
  const auto parsed = parse_authentication_results(
      "(front) mx.example.org (the (nested) one) 2 ; (c) spf (c) = (c) pass (c) smtp (c) . (c) "
      "mailfrom (c) = (c) example.com (end \\) escaped)");
  EXPECT_EQ(parsed.authserv_id, "mx.example.org");
  EXPECT_EQ(parsed.version, "2");
  EXPECT_THAT(verdicts(parsed), ElementsAre("spf=pass"));
  EXPECT_THAT(parsed.results[0].properties,
              ElementsAre(Property("smtp", "mailfrom", "example.com")));
  EXPECT_THAT(parsed.defects, IsEmpty());
}

TEST(AuthResults, QuotedAuthservIdAndQuotedLocalPart) {
  const auto parsed = parse_authentication_results(
      "\"mx.example.org\"; spf=pass smtp.mailfrom=\"john smith\"@example.com");
  EXPECT_EQ(parsed.authserv_id, "mx.example.org");
  EXPECT_EQ(*parsed.results[0].find("smtp", "mailfrom"), "john smith@example.com");
}

TEST(AuthResults, MethodVersion) {
  const auto parsed = parse_authentication_results("mx.example.org; dkim/1=pass header.d=a.test");
  ASSERT_THAT(parsed.results, SizeIs(1));
  EXPECT_EQ(parsed.results[0].method, "dkim");
  EXPECT_EQ(parsed.results[0].method_version, "1");
}

TEST(AuthResults, MalformedResultIsSkippedTheOthersKept) {
  const auto parsed = parse_authentication_results(
      "mx.example.org; dkim pass header.d=a.test; =fail; spf=pass smtp.mailfrom=b.test");
  EXPECT_THAT(verdicts(parsed), ElementsAre("spf=pass"));
  EXPECT_THAT(parsed.defects, SizeIs(2));
}

TEST(AuthResults, ResultWithAGarbledTailKeepsWhatWasRead) {
  const auto parsed =
      parse_authentication_results("mx.example.org; dkim=pass header.d=a.test @@@; spf=fail");
  ASSERT_THAT(verdicts(parsed), ElementsAre("dkim=pass", "spf=fail"));
  EXPECT_EQ(*parsed.results[0].find("header", "d"), "a.test");
  EXPECT_THAT(parsed.defects, SizeIs(1));
}

TEST(AuthResults, FindGivesNullWhenAbsent) {
  const auto parsed = parse_authentication_results("mx.example.org; dkim=pass header.d=a.test");
  EXPECT_EQ(parsed.results[0].find("header", "i"), nullptr);
  EXPECT_EQ(parsed.results[0].find("smtp", "d"), nullptr);
}

TEST(AuthResults, EmptyAndBlankInputGiveADefect) {
  EXPECT_THAT(parse_authentication_results("").defects, SizeIs(1));
  EXPECT_THAT(parse_authentication_results(" \t(only a comment) ").defects, SizeIs(1));
  EXPECT_THAT(parse_authentication_results("; spf=pass").defects, Not(IsEmpty()));
}

TEST(AuthResults, UnterminatedCommentAndQuoteEndTheField) {
  const auto comment = parse_authentication_results("mx.example.org; spf=pass (never closed");
  EXPECT_THAT(verdicts(comment), ElementsAre("spf=pass"));
  EXPECT_THAT(comment.defects, ElementsAre("unterminated comment"));
  const auto quote =
      parse_authentication_results("mx.example.org; dkim=fail reason=\"never closed; spf=pass");
  EXPECT_THAT(verdicts(quote), ElementsAre("dkim=fail"));
  EXPECT_EQ(quote.results[0].reason, "never closed; spf=pass");
  EXPECT_THAT(quote.defects, ElementsAre("unterminated quoted string"));
}

TEST(AuthResults, ResultsBeyondTheCapAreDropped) {
  std::string field = "mx.example.org";
  for (std::size_t i = 0; i < kMaxAuthResults + 5; ++i) field += "; spf=pass";
  const auto parsed = parse_authentication_results(field);
  EXPECT_THAT(parsed.results, SizeIs(kMaxAuthResults));
  EXPECT_THAT(parsed.defects, SizeIs(1));
}

TEST(AuthResults, PropertiesBeyondTheCapAreDropped) {
  std::string field = "mx.example.org; dkim=pass";
  for (std::size_t i = 0; i < kMaxAuthProperties + 3; ++i) field += " header.x=1";
  field += "; spf=pass";
  const auto parsed = parse_authentication_results(field);
  ASSERT_THAT(verdicts(parsed), ElementsAre("dkim=pass", "spf=pass"));
  EXPECT_THAT(parsed.results[0].properties, SizeIs(kMaxAuthProperties));
}

TEST(AuthResults, DefectsBeyondTheCapAreCountedOnce) {
  std::string field = "mx.example.org";
  for (int i = 0; i < 1000; ++i) field += "; =";
  field += "; spf=pass";
  const auto parsed = parse_authentication_results(field);
  EXPECT_THAT(verdicts(parsed), ElementsAre("spf=pass"));
  ASSERT_THAT(parsed.defects, SizeIs(kMaxAuthDefects + 1));
  EXPECT_EQ(parsed.defects.back(), "more defects not listed");
}

TEST(AuthResults, ControlCharactersEndAValue) {
  const auto parsed =
      parse_authentication_results(std::string("mx.example.org; dkim=pass header.d=a.test\x01x"));
  ASSERT_THAT(parsed.results, SizeIs(1));
  EXPECT_EQ(*parsed.results[0].find("header", "d"), "a.test");
  EXPECT_THAT(parsed.defects, SizeIs(1));
}

}  // namespace
}  // namespace contribd::mime
