#include "parsers/organizational_domain.h"

#include <gtest/gtest.h>

#include <string>

namespace contribd::mime {
namespace {

TEST(OrganizationalDomain, RegistrableDomainUnderAMultiLabelSuffix) {
  EXPECT_EQ(organizational_domain("a.b.example.co.uk"), "example.co.uk");
  EXPECT_EQ(organizational_domain("example.co.uk"), "example.co.uk");
}

TEST(OrganizationalDomain, LowerCasedWithoutTheTrailingDot) {
  EXPECT_EQ(organizational_domain("Mail.EXAMPLE.com."), "example.com");
}

TEST(OrganizationalDomain, UnlistedTopLevelDomainsCountAsOneLabelSuffixes) {
  EXPECT_EQ(organizational_domain("mx.eu.member.test"), "member.test");
}

TEST(OrganizationalDomain, WildcardAndExceptionRulesOfTheList) {
  // *.kawasaki.jp is a suffix, !city.kawasaki.jp an exception to it.
  EXPECT_EQ(organizational_domain("a.b.city.kawasaki.jp"), "city.kawasaki.jp");
  EXPECT_EQ(organizational_domain("www.shop.foo.kawasaki.jp"), "shop.foo.kawasaki.jp");
}

TEST(OrganizationalDomain, PrivateSuffixesSeparateTheirCustomers) {
  EXPECT_EQ(organizational_domain("www.alice.github.io"), "alice.github.io");
  EXPECT_FALSE(aligned_relaxed("alice.github.io", "bob.github.io"));
  EXPECT_TRUE(aligned_relaxed("www.alice.github.io", "alice.github.io"));
}

TEST(OrganizationalDomain, APublicSuffixIsItsOwnOrganization) {
  EXPECT_EQ(organizational_domain("co.uk"), "co.uk");
  EXPECT_EQ(organizational_domain("github.io"), "github.io");
  EXPECT_FALSE(aligned_relaxed("co.uk", "example.co.uk"));
}

TEST(OrganizationalDomain, ALabelsAsGiven) {
  EXPECT_EQ(organizational_domain("mail.xn--80ak6aa92e.xn--p1ai"), "xn--80ak6aa92e.xn--p1ai");
}

TEST(OrganizationalDomain, WhatIsNotAHostNameGivesEmpty) {
  EXPECT_EQ(organizational_domain(""), "");
  EXPECT_EQ(organizational_domain("."), "");
  EXPECT_EQ(organizational_domain("a..example.com"), "");
  EXPECT_EQ(organizational_domain(".example.com"), "");
  EXPECT_EQ(organizational_domain("example.com.."), "");
  EXPECT_EQ(organizational_domain("user@example.com"), "");
  EXPECT_EQ(organizational_domain("exa mple.com"), "");
  EXPECT_EQ(organizational_domain("b\xc3\xbc"
                                  "cher.de"),
            "");
  EXPECT_EQ(organizational_domain(std::string("a\0b.com", 7)), "");
  EXPECT_EQ(organizational_domain(std::string(64, 'a') + ".com"), "");
  EXPECT_EQ(organizational_domain(std::string(63, 'a') + ".com"), std::string(63, 'a') + ".com");
}

TEST(OrganizationalDomain, NamesOverTheLengthLimitGiveEmpty) {
  std::string name;
  while (name.size() < 250) name += "abcdefghi.";
  name += "com";  // 253 characters
  ASSERT_EQ(name.size(), 253u);
  EXPECT_FALSE(organizational_domain(name).empty());
  EXPECT_EQ(organizational_domain("x" + name), "");
}

TEST(AlignedRelaxed, SubdomainsOfOneOrganization) {
  EXPECT_TRUE(aligned_relaxed("sub.example.com", "example.com"));
  EXPECT_TRUE(aligned_relaxed("a.example.com", "b.example.com"));
  EXPECT_TRUE(aligned_relaxed("EXAMPLE.com.", "example.COM"));
}

TEST(AlignedRelaxed, DifferentOrganizations) {
  EXPECT_FALSE(aligned_relaxed("example.com", "example.net"));
  EXPECT_FALSE(aligned_relaxed("example.co.uk", "other.co.uk"));
  EXPECT_FALSE(aligned_relaxed("evilexample.com", "example.com"));
}

TEST(AlignedRelaxed, NeverWhenEitherIsNotAHostName) {
  EXPECT_FALSE(aligned_relaxed("", ""));
  EXPECT_FALSE(aligned_relaxed("example.com", ""));
  EXPECT_FALSE(aligned_relaxed("a..b", "a..b"));
}

}  // namespace
}  // namespace contribd::mime
