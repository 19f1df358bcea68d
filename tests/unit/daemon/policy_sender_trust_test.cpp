#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "daemon/policy/sender_trust.h"

namespace contribd::policy {
namespace {

using ::testing::HasSubstr;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kOurServer = "mx.itu.int";

Headers with_results(std::initializer_list<std::string> values) {
  Headers headers{{"From", "Alice <alice@member.test>"}, {"Subject", "Contribution"}};
  for (const std::string& value : values) headers.emplace_back("Authentication-Results", value);
  return headers;
}

SenderTrust trust_of(const Headers& headers, std::string_view from = "alice@member.test") {
  return decide_sender_trust(from, headers, kOurServer);
}

TEST(SenderTrust, ForgedFromWithoutAnyFieldIsNotAuthenticated) {
  const SenderTrust trust = trust_of(with_results({}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason, "no Authentication-Results from mx.itu.int");
  EXPECT_EQ(trust.evidence, "");
}

TEST(SenderTrust, DmarcPassForTheFromDomain) {
  const SenderTrust trust =
      trust_of(with_results({"mx.itu.int; dmarc=pass (p=none dis=none) header.from=member.test"}));
  EXPECT_TRUE(trust.authenticated);
  EXPECT_EQ(trust.reason, "dmarc=pass for member.test");
  EXPECT_EQ(trust.evidence, "mx.itu.int; dmarc=pass (p=none dis=none) header.from=member.test");
}

TEST(SenderTrust, DmarcPassWithoutHeaderFromIsForTheFromDomain) {
  EXPECT_TRUE(trust_of(with_results({"mx.itu.int; dmarc=pass"})).authenticated);
}

TEST(SenderTrust, DmarcPassForAnotherDomainDoesNotCount) {
  const SenderTrust trust =
      trust_of(with_results({"mx.itu.int; dmarc=pass header.from=other.test"}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason, "dmarc=pass for other.test is not aligned with member.test");
}

TEST(SenderTrust, FailingResultsAreNamed) {
  const SenderTrust trust = trust_of(with_results(
      {"mx.itu.int; dmarc=fail (p=reject dis=reject) header.from=member.test",
       "mx.itu.int; spf=softfail smtp.mailfrom=alice@member.test; dkim=none header.d=none"}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason,
            "dmarc=fail for member.test; spf=softfail for member.test; dkim=none for none");
  EXPECT_EQ(trust.evidence,
            "mx.itu.int; dmarc=fail (p=reject dis=reject) header.from=member.test\n"
            "mx.itu.int; spf=softfail smtp.mailfrom=alice@member.test; dkim=none header.d=none");
}

TEST(SenderTrust, PassFromAnotherAuthservIdIsIgnored) {
  const SenderTrust trust = trust_of(with_results(
      {"mx.forger.test; dmarc=pass header.from=member.test; dkim=pass header.d=member.test"}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason,
            "no Authentication-Results from mx.itu.int (1 from other servers ignored)");
  EXPECT_EQ(trust.evidence, "");
}

TEST(SenderTrust, ExchangeFieldWithoutAuthservIdIsIgnored) {
  const SenderTrust trust = trust_of(with_results(
      {"spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=member.test; dmarc=pass action=none "
       "header.from=member.test"}));
  EXPECT_FALSE(trust.authenticated);
}

TEST(SenderTrust, AuthservIdComparedCaseInsensitively) {
  const SenderTrust trust = trust_of(with_results({"MX.ITU.INT; dkim=pass header.d=member.test"}));
  EXPECT_TRUE(trust.authenticated);
}

TEST(SenderTrust, AlignedDkimPassFromASubdomainSigner) {
  const SenderTrust trust = trust_of(
      with_results({"mx.itu.int; dkim=pass (2048-bit key; unprotected) header.d=mail.member.test "
                    "header.i=@mail.member.test header.s=sel header.b=AbCd"}));
  EXPECT_TRUE(trust.authenticated);
  EXPECT_EQ(trust.reason, "dkim=pass for mail.member.test");
}

TEST(SenderTrust, DkimPassNamedOnlyByHeaderIAsGmailWritesIt) {
  const SenderTrust trust = trust_of(
      with_results({"mx.itu.int; dkim=pass header.i=@member.test header.s=20210112 header.b=x"}));
  EXPECT_TRUE(trust.authenticated);
}

TEST(SenderTrust, UnalignedDkimPass) {
  const SenderTrust trust = trust_of(with_results({"mx.itu.int; dkim=pass header.d=other.test"}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason, "dkim=pass for other.test is not aligned with member.test");
}

TEST(SenderTrust, DkimPassWithoutADomain) {
  const SenderTrust trust = trust_of(with_results({"mx.itu.int; dkim=pass"}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason, "dkim=pass names no domain");
}

TEST(SenderTrust, AlignedSpfPassByAddressOrByDomain) {
  EXPECT_TRUE(
      trust_of(with_results({"mx.itu.int; spf=pass smtp.mailfrom=bounce@lists.member.test"}))
          .authenticated);
  EXPECT_TRUE(
      trust_of(with_results({"mx.itu.int; spf=pass smtp.mailfrom=member.test"})).authenticated);
}

TEST(SenderTrust, SpfPassForTheHeloOnlyDoesNotCount) {
  const SenderTrust trust =
      trust_of(with_results({"mx.itu.int; spf=pass smtp.helo=mail.member.test"}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason, "spf=pass names no domain");
}

TEST(SenderTrust, UnalignedSpfPassDoesNotCount) {
  const SenderTrust trust =
      trust_of(with_results({"mx.itu.int; spf=pass smtp.mailfrom=bounces@esp.example"}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason, "spf=pass for esp.example is not aligned with member.test");
}

TEST(SenderTrust, OnePassAmongFailuresIsEnough) {
  const SenderTrust trust = trust_of(with_results(
      {"mx.itu.int; spf=fail smtp.mailfrom=member.test; dkim=pass header.d=member.test"}));
  EXPECT_TRUE(trust.authenticated);
  EXPECT_EQ(trust.reason, "dkim=pass for member.test");
}

TEST(SenderTrust, TheFromDomainIsComparedCaseInsensitively) {
  EXPECT_TRUE(
      trust_of(with_results({"mx.itu.int; dkim=pass header.d=Member.Test"}), "Alice@MEMBER.TEST")
          .authenticated);
}

TEST(SenderTrust, OtherMethodsAloneSayNothing) {
  const SenderTrust trust =
      trust_of(with_results({"mx.itu.int; iprev=pass policy.iprev=192.0.2.1"}));
  EXPECT_FALSE(trust.authenticated);
  EXPECT_EQ(trust.reason, "no dmarc, dkim or spf result from mx.itu.int");
  EXPECT_EQ(trust.evidence, "mx.itu.int; iprev=pass policy.iprev=192.0.2.1");
}

TEST(SenderTrust, OnlyTheTrustedFieldsAreEvidence) {
  const SenderTrust trust = trust_of(with_results({"mx.forger.test; dkim=pass header.d=member.test",
                                                   "mx.itu.int; dkim=pass header.d=member.test"}));
  EXPECT_TRUE(trust.authenticated);
  EXPECT_EQ(trust.evidence, "mx.itu.int; dkim=pass header.d=member.test");
}

TEST(SenderTrust, ArcAndOriginalFieldsAreNotAuthenticationResults) {
  Headers headers{
      {"ARC-Authentication-Results", "i=1; mx.itu.int; dkim=pass header.d=member.test"},
      {"Authentication-Results-Original", "mx.itu.int; dkim=pass header.d=member.test"}};
  EXPECT_FALSE(trust_of(headers).authenticated);
}

TEST(SenderTrust, FromAddressWithoutADomain) {
  const Headers headers = with_results({"mx.itu.int; dmarc=pass"});
  EXPECT_FALSE(trust_of(headers, "alice").authenticated);
  EXPECT_FALSE(trust_of(headers, "").authenticated);
  EXPECT_EQ(trust_of(headers, "alice@").reason, "the From address alice@ has no domain");
}

TEST(SenderTrust, NoConfiguredAuthservIdTrustsNothing) {
  const Headers headers = with_results({"; dmarc=pass header.from=member.test"});
  EXPECT_FALSE(decide_sender_trust("alice@member.test", headers, "").authenticated);
}

TEST(SenderTrust, EvidenceIsPrintableAndBounded) {
  const SenderTrust printable =
      trust_of(with_results({std::string("mx.itu.int; dkim=fail header.d=a\r\n\x1b[2Jb.test")}));
  EXPECT_EQ(printable.evidence.find_first_of("\r\x1b"), std::string::npos);

  const std::string big =
      "mx.itu.int; dkim=fail header.d=member.test (" + std::string(3000, 'x') + ")";
  const SenderTrust bounded = trust_of(with_results({big, big, big, big}));
  EXPECT_LE(bounded.evidence.size(), kMaxTrustEvidenceBytes + 40);
  EXPECT_THAT(bounded.evidence, HasSubstr("(2 more fields not kept)"));
}

TEST(SenderTrust, ManyFindingsAreSummarised) {
  const SenderTrust trust = trust_of(with_results(
      {"mx.itu.int; spf=fail smtp.mailfrom=a.test; spf=fail smtp.mailfrom=b.test; spf=fail "
       "smtp.mailfrom=c.test; spf=fail smtp.mailfrom=d.test; spf=fail smtp.mailfrom=e.test; "
       "spf=fail smtp.mailfrom=f.test"}));
  EXPECT_THAT(trust.reason, HasSubstr("spf=fail for d.test; and 2 more"));
}

TEST(RateLimitKey, TagAndCaseDoNotMakeANewSender) {
  EXPECT_EQ(rate_limit_key("alice+1@x"), "alice@x");
  EXPECT_EQ(rate_limit_key("ALICE@X"), "alice@x");
  EXPECT_EQ(rate_limit_key("Alice+Meeting+5@Member.Test"), "alice@member.test");
}

TEST(RateLimitKey, EdgeCasesAreOnlyLowerCased) {
  EXPECT_EQ(rate_limit_key("+tag@x"), "+tag@x");
  EXPECT_EQ(rate_limit_key("NoAt+tag"), "noat+tag");
  EXPECT_EQ(rate_limit_key("a@b+c.test"), "a@b+c.test");
  EXPECT_EQ(rate_limit_key(""), "");
}

}  // namespace
}  // namespace contribd::policy
