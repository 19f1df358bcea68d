#include "parsers/mime_address.h"

#include <gtest/gtest.h>

namespace contribd::mime {
namespace {

struct Parsed {
  MailboxAddress mailbox;
  std::vector<std::string> defects;
};

Parsed parse(std::string_view field) {
  Parsed parsed;
  parsed.mailbox = parse_first_mailbox(field, parsed.defects);
  return parsed;
}

std::string address_of(std::string_view field) {
  return parse(field).mailbox.addr_spec;
}

std::string name_of(std::string_view field) {
  return parse(field).mailbox.display_name;
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

TEST(MimeAddress, NameAndAngleAddress) {
  Parsed parsed = parse("Alice <alice@member.test>");
  EXPECT_EQ(parsed.mailbox.addr_spec, "alice@member.test");
  EXPECT_EQ(parsed.mailbox.display_name, "Alice");
  EXPECT_TRUE(parsed.defects.empty());
}

TEST(MimeAddress, BareAddressWithCommentAsName) {
  EXPECT_EQ(address_of("alice@member.test"), "alice@member.test");
  EXPECT_EQ(name_of("alice@member.test"), "");
  EXPECT_EQ(name_of("alice@member.test (Alice Smith)"), "Alice Smith");
}

TEST(MimeAddress, QuotedNameKeepsCommaAndEscapes) {
  EXPECT_EQ(address_of("\"Smith, John\" <j@x.org>, b@y"), "j@x.org");
  EXPECT_EQ(name_of("\"Smith, John\" <j@x.org>, b@y"), "Smith, John");
  EXPECT_EQ(name_of("\"Joe \\\"JJ\\\" Smith\" <j@x.org>"), "Joe \"JJ\" Smith");
}

TEST(MimeAddress, EncodedAndEightBitNamesAreDecoded) {
  EXPECT_EQ(name_of("=?utf-8?Q?Ren=C3=A9?= <r@x.org>"), "René");
  EXPECT_EQ(name_of("\"=?utf-8?Q?Ren=C3=A9?=\" <r@x.org>"), "René");
  EXPECT_EQ(name_of("=?utf-8?Q?a?= =?utf-8?Q?b?= <a@b>"), "ab");
  EXPECT_EQ(name_of("Ren\xC3\xA9 <r@x.org>"), "René");
  EXPECT_EQ(name_of("Ren\xE9 <r@x.org>"), "René");
  EXPECT_EQ(name_of("a@b (=?utf-8?Q?Ren=C3=A9?=)"), "René");
}

TEST(MimeAddress, NameKeepsItsInnerSpacesAndDots) {
  EXPECT_EQ(name_of("  Alice   Smith   <a@b>"), "Alice   Smith");
  EXPECT_EQ(name_of("\"Joe\" Q. Public <a@b>"), "Joe Q. Public");
  EXPECT_EQ(name_of("Alice\r\n <alice@x>"), "Alice");
}

TEST(MimeAddress, FirstMailboxOfAList) {
  EXPECT_EQ(address_of("a@b, c@d"), "a@b");
  EXPECT_EQ(address_of(",,, a@b"), "a@b");
  EXPECT_EQ(address_of("Alice Smith, bob@x"), "bob@x");
  EXPECT_EQ(address_of("alice@member.test Alice"), "alice@member.test");
}

TEST(MimeAddress, GroupsAreSkipped) {
  EXPECT_EQ(address_of("team: a@b, c@d;, e@f"), "e@f");
  EXPECT_EQ(address_of("undisclosed-recipients:;"), "");
}

TEST(MimeAddress, BareLocalPartIsAMailbox) {
  EXPECT_EQ(address_of("MAILER-DAEMON"), "MAILER-DAEMON");
}

TEST(MimeAddress, AddressFormsGMimeAlsoAccepts) {
  EXPECT_EQ(address_of("<@relay1,@relay2:a@b>"), "a@b");
  EXPECT_EQ(address_of("a @ b . c"), "a@b.c");
  EXPECT_EQ(address_of("\"a b\"@x.org"), "\"a b\"@x.org");
  EXPECT_EQ(address_of("a.b@[192.0.2.1]"), "a.b@[192.0.2.1]");
  EXPECT_EQ(address_of("Foo <a(comment)@b>"), "a@b");
  EXPECT_EQ(address_of("A <B@EXAMPLE.ORG>"), "B@EXAMPLE.ORG");
}

TEST(MimeAddress, FoldedQuotedLocalPartLosesItsLineBreak) {
  EXPECT_EQ(address_of("\"a\r\n b\"@x.org"), "\"a b\"@x.org");
  EXPECT_EQ(address_of("<\"a\r\n b\"@[192.0.2.1\r\n ]>"), "\"a b\"@[192.0.2.1 ]");
}

TEST(MimeAddress, UnquotedAtInTheNameGivesTheAngleAddress) {
  // Outlook writes the address as the name; a forger writes someone else's.
  Parsed parsed = parse("ceo@member.test <someone@elsewhere.test>");
  EXPECT_EQ(parsed.mailbox.addr_spec, "someone@elsewhere.test");
  EXPECT_EQ(parsed.mailbox.display_name, "ceo@member.test");
}

TEST(MimeAddress, UnclosedAngleRunsToTheEndWithDefect) {
  Parsed parsed = parse("Alice <a@b");
  EXPECT_EQ(parsed.mailbox.addr_spec, "a@b");
  EXPECT_EQ(parsed.mailbox.display_name, "Alice");
  EXPECT_EQ(parsed.defects.size(), 1u);
}

TEST(MimeAddress, EntriesWithoutAnAddressAreSkippedWithDefects) {
  Parsed parsed = parse("<>, bad@, @x, john smith@x, ok@member.test");
  EXPECT_EQ(parsed.mailbox.addr_spec, "ok@member.test");
  EXPECT_EQ(parsed.defects.size(), 2u);  // the empty <address>; the addresses lacking a part
}

TEST(MimeAddress, NothingUsable) {
  EXPECT_EQ(address_of(""), "");
  EXPECT_EQ(address_of("   "), "");
  EXPECT_EQ(address_of("Alice <>"), "");
  EXPECT_EQ(address_of("\"unclosed <a@b>"), "");
  EXPECT_EQ(address_of("a\\\"b <a@b>"), "");
}

TEST(MimeAddressLimits, TwoHundredThousandAddressesGiveTheFirst) {
  std::string field = "First <first@member.test>";
  for (int i = 0; i < 200000; ++i) field += ", user" + std::to_string(i) + "@member.test";
  EXPECT_EQ(address_of(field), "first@member.test");
}

TEST(MimeAddressLimits, TwoHundredThousandBadEntriesBeforeTheMailbox) {
  const Parsed parsed = parse(repeat("<>, ", 200000) + "last@member.test");
  EXPECT_EQ(parsed.mailbox.addr_spec, "last@member.test");
  EXPECT_EQ(parsed.defects.size(), 1u);
}

TEST(MimeAddressLimits, MegabyteOfEncodedWordFragmentsInTheName) {
  const std::string fragments = repeat("=?x?Q?a", 1024 * 1024 / 7);
  const Parsed parsed = parse(fragments + " <a@member.test>");
  EXPECT_EQ(parsed.mailbox.addr_spec, "a@member.test");
  EXPECT_EQ(parsed.mailbox.display_name, fragments);
}

TEST(MimeAddressLimits, MegabyteOfEncodedWordsInTheName) {
  const Parsed parsed = parse(repeat("=?utf-8?Q?r=C3=A9?= ", 50000) + "<a@member.test>");
  EXPECT_EQ(parsed.mailbox.addr_spec, "a@member.test");
  EXPECT_EQ(parsed.mailbox.display_name, repeat("ré", 50000));
}

TEST(MimeAddressLimits, UnclosedCommentOrQuoteRunsToTheEndOnce) {
  EXPECT_EQ(address_of("(" + repeat("(", 200000)), "");
  EXPECT_EQ(address_of("\"" + repeat("a,", 200000)), "");
}

}  // namespace
}  // namespace contribd::mime
