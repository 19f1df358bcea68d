#include "parsers/imap_response.h"

#include <gtest/gtest.h>

#include <string>

namespace contribd::imap {
namespace {

Response parse_ok(std::string_view bytes) {
  ParseResult result = parse_response(bytes);
  EXPECT_TRUE(result.response) << "error: " << result.error << "\ninput: " << bytes;
  EXPECT_TRUE(result.error.empty());
  return result.response.value_or(Response{});
}

std::string parse_error(std::string_view bytes) {
  ParseResult result = parse_response(bytes);
  EXPECT_FALSE(result.response) << "input parsed: " << bytes;
  EXPECT_FALSE(result.error.empty());
  return result.error;
}

TEST(ImapResponse, TaggedOkWithText) {
  const Response r = parse_ok("A1 OK Logged in");
  EXPECT_EQ(r.kind, Response::Kind::tagged);
  EXPECT_EQ(r.tag, "A1");
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_FALSE(r.code);
  EXPECT_EQ(r.text, "Logged in");
}

TEST(ImapResponse, TaggedNoWithCodeAndTrailingCrlf) {
  const Response r = parse_ok("A2 no [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  EXPECT_EQ(r.status, Status::no);
  EXPECT_EQ(r.name, "NO");
  ASSERT_TRUE(r.code);
  EXPECT_EQ(r.code->name, "AUTHENTICATIONFAILED");
  EXPECT_EQ(r.code->arguments, "");
  EXPECT_EQ(r.text, "Authentication failed.");
  EXPECT_EQ(status_text(r), "[AUTHENTICATIONFAILED] Authentication failed.");
}

TEST(ImapResponse, TaggedBadAndUnknownStatus) {
  EXPECT_EQ(parse_ok("x.9 BAD Error in IMAP command").status, Status::bad);
  EXPECT_NE(parse_error("A1 MAYBE fine").find("not OK, NO or BAD"), std::string::npos);
  parse_error("A1 BYE no");
  parse_error("A1");
  parse_error("A1 ");
}

TEST(ImapResponse, UntaggedStatusWithNumericCode) {
  const Response r = parse_ok("* OK [UIDVALIDITY 3857529045] UIDs valid");
  EXPECT_EQ(r.kind, Response::Kind::untagged);
  EXPECT_EQ(r.status, Status::ok);
  ASSERT_TRUE(r.code);
  EXPECT_EQ(r.code->name, "UIDVALIDITY");
  EXPECT_EQ(r.code->arguments, "3857529045");
  ASSERT_EQ(r.code->values.size(), 1u);
  EXPECT_EQ(r.code->values[0].kind, Value::Kind::number);
  EXPECT_EQ(r.code->values[0].number, 3857529045u);
  EXPECT_EQ(r.text, "UIDs valid");
}

TEST(ImapResponse, CodeWithListAndSets) {
  const Response flags = parse_ok("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited");
  ASSERT_TRUE(flags.code);
  ASSERT_EQ(flags.code->values.size(), 1u);
  ASSERT_EQ(flags.code->values[0].items.size(), 3u);
  EXPECT_TRUE(flags.code->values[0].items[2].is_atom("\\*"));

  const Response copy = parse_ok("A4 OK [COPYUID 38505 304,319:320 3956:3958] Done");
  ASSERT_TRUE(copy.code);
  EXPECT_EQ(copy.code->arguments, "38505 304,319:320 3956:3958");
  ASSERT_EQ(copy.code->values.size(), 3u);
  EXPECT_EQ(copy.code->values[1].text, "304,319:320");
}

TEST(ImapResponse, CodeWithFreeTextArgumentsIsKeptRaw) {
  const Response r = parse_ok("* NO [X-ODD some \"unbalanced] careful");
  ASSERT_TRUE(r.code);
  EXPECT_EQ(r.code->name, "X-ODD");
  EXPECT_EQ(r.code->arguments, "some \"unbalanced");
  EXPECT_TRUE(r.code->values.empty());
  EXPECT_EQ(r.text, "careful");
}

TEST(ImapResponse, UnterminatedCodeIsAnError) {
  parse_error("* OK [UIDNEXT 4 no bracket");
}

TEST(ImapResponse, GreetingWithCapabilityCode) {
  const Response r = parse_ok(
      "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
      "STARTTLS AUTH=PLAIN] Dovecot ready.");
  const auto caps = capabilities(r);
  ASSERT_TRUE(caps);
  EXPECT_EQ(caps->size(), 9u);
  EXPECT_EQ(caps->back(), "AUTH=PLAIN");
  EXPECT_EQ(r.text, "Dovecot ready.");
}

TEST(ImapResponse, UntaggedCapabilityIsUpperCased) {
  const Response r = parse_ok("* CAPABILITY IMAP4rev1 idle Move UIDPLUS");
  EXPECT_EQ(r.name, "CAPABILITY");
  EXPECT_FALSE(r.status);
  const auto caps = capabilities(r);
  ASSERT_TRUE(caps);
  EXPECT_EQ(*caps, (std::vector<std::string>{"IMAP4REV1", "IDLE", "MOVE", "UIDPLUS"}));
  EXPECT_FALSE(capabilities(parse_ok("* 3 EXISTS")));
}

TEST(ImapResponse, NumberedResponses) {
  const Response exists = parse_ok("* 3 EXISTS");
  EXPECT_EQ(exists.number, 3u);
  EXPECT_EQ(exists.name, "EXISTS");
  EXPECT_TRUE(exists.values.empty());
  EXPECT_EQ(parse_ok("* 0 RECENT").number, 0u);
  EXPECT_EQ(parse_ok("* 4294967295 EXPUNGE").number, 4294967295u);
  parse_error("* 4294967296 EXISTS");
  parse_error("* 99999999999999999999999 EXISTS");
  parse_error("* 3 OK fine");
  parse_error("* 3");
}

TEST(ImapResponse, SearchResultsAreNumbers) {
  const Response r = parse_ok("* SEARCH 1 2 30");
  ASSERT_EQ(r.values.size(), 3u);
  EXPECT_EQ(r.values[2].kind, Value::Kind::number);
  EXPECT_EQ(r.values[2].number, 30u);
  EXPECT_TRUE(parse_ok("* SEARCH").values.empty());
}

TEST(ImapResponse, FetchWithLiteralBody) {
  const std::string body = "Subject: hi\r\n\r\n) not the end {3}\r\n";
  const std::string bytes = "* 12 FETCH (UID 7 RFC822.SIZE " + std::to_string(body.size()) +
                            " INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" BODY[] {" +
                            std::to_string(body.size()) + "}\r\n" + body + ")";
  const Response r = parse_ok(bytes);
  EXPECT_EQ(r.number, 12u);
  EXPECT_EQ(r.name, "FETCH");
  ASSERT_NE(fetch_attribute(r, "uid"), nullptr);
  EXPECT_EQ(fetch_attribute(r, "UID")->number, 7u);
  EXPECT_EQ(fetch_attribute(r, "RFC822.SIZE")->number, body.size());
  EXPECT_EQ(fetch_attribute(r, "INTERNALDATE")->text, "17-Jul-1996 02:44:25 -0700");
  const Value* fetched = fetch_attribute(r, "BODY[]");
  ASSERT_NE(fetched, nullptr);
  EXPECT_EQ(fetched->kind, Value::Kind::string);
  EXPECT_EQ(fetched->text, body);
  EXPECT_EQ(fetch_attribute(r, "FLAGS"), nullptr);
}

TEST(ImapResponse, FetchSectionsAndPartials) {
  const Response r =
      parse_ok("* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)]<0> {4}\r\nFrom FLAGS (\\Seen))");
  ASSERT_NE(fetch_attribute(r, "BODY[HEADER.FIELDS (FROM TO)]<0>"), nullptr);
  EXPECT_EQ(fetch_attribute(r, "BODY[HEADER.FIELDS (FROM TO)]<0>")->text, "From");
  ASSERT_NE(fetch_attribute(r, "FLAGS"), nullptr);
  EXPECT_TRUE(fetch_attribute(r, "FLAGS")->items[0].is_atom("\\SEEN"));
  parse_error("* 1 FETCH (BODY[HEADER {4}\r\nFrom)");
}

TEST(ImapResponse, NonSynchronizingAndBinaryLiterals) {
  EXPECT_EQ(fetch_attribute(parse_ok("* 1 FETCH (BODY[] {2+}\r\nab)"), "BODY[]")->text, "ab");
  constexpr char kWithNul[] = "* 1 FETCH (BINARY[] ~{3}\r\na\0c)";
  const std::string with_nul(kWithNul, sizeof kWithNul - 1);
  EXPECT_EQ(fetch_attribute(parse_ok(with_nul), "BINARY[]")->text, std::string("a\0c", 3));
  EXPECT_EQ(fetch_attribute(parse_ok("* 1 FETCH (BODY[] {0}\r\n)"), "BODY[]")->text, "");
}

TEST(ImapResponse, ListWithQuotedAndLiteralNames) {
  const Response r = parse_ok("* LIST (\\HasNoChildren) \".\" \"Sent \\\"old\\\" \\\\ mail\"");
  EXPECT_EQ(r.name, "LIST");
  ASSERT_EQ(r.values.size(), 3u);
  EXPECT_EQ(r.values[0].kind, Value::Kind::list);
  EXPECT_EQ(r.values[1].text, ".");
  EXPECT_EQ(r.values[2].text, "Sent \"old\" \\ mail");

  const Response literal = parse_ok("* LIST () NIL {10}\r\nRegistered");
  ASSERT_EQ(literal.values.size(), 3u);
  EXPECT_EQ(literal.values[1].kind, Value::Kind::nil);
  EXPECT_FALSE(literal.values[1].as_text());
  EXPECT_EQ(literal.values[2].as_text(), "Registered");
}

TEST(ImapResponse, NestedListsAbutting) {
  const Response r = parse_ok("* NAMESPACE ((\"\" \".\")(\"#shared\" NIL)) NIL nil");
  ASSERT_EQ(r.values.size(), 3u);
  ASSERT_EQ(r.values[0].items.size(), 2u);
  EXPECT_EQ(r.values[0].items[1].items[0].text, "#shared");
  EXPECT_EQ(r.values[2].kind, Value::Kind::nil);
}

TEST(ImapResponse, ByeAndPreauth) {
  const Response bye = parse_ok("* BYE Server shutting down.");
  EXPECT_EQ(bye.status, Status::bye);
  EXPECT_EQ(bye.text, "Server shutting down.");
  EXPECT_EQ(parse_ok("* PREAUTH [CAPABILITY IMAP4rev1] hi").status, Status::preauth);
}

TEST(ImapResponse, Continuations) {
  const Response idling = parse_ok("+ idling");
  EXPECT_EQ(idling.kind, Response::Kind::continuation);
  EXPECT_EQ(idling.text, "idling");
  EXPECT_EQ(parse_ok("+").text, "");
  EXPECT_EQ(parse_ok("+ ").text, "");
  EXPECT_EQ(parse_ok("+ VXNlcm5hbWU6").text, "VXNlcm5hbWU6");
}

TEST(ImapResponse, QuotedStringErrors) {
  EXPECT_NE(parse_error("* LIST () \".\" \"unterminated").find("quoted"), std::string::npos);
  EXPECT_NE(parse_error("* LIST () \".\" \"bad \\n escape\"").find("escape"), std::string::npos);
  parse_error("* LIST () \".\" \"line\r\nbreak\"");
  constexpr char kNulInQuoted[] = "* LIST () \".\" \"n\0l\"";
  parse_error(std::string_view(kNulInQuoted, sizeof kNulInQuoted - 1));
}

TEST(ImapResponse, LiteralErrors) {
  EXPECT_NE(parse_error("* 1 FETCH (BODY[] {10}\r\nshort)").find("literal of 10 bytes"),
            std::string::npos);
  parse_error("* 1 FETCH (BODY[] {}\r\n)");
  parse_error("* 1 FETCH (BODY[] {3x}\r\nabc)");
  parse_error("* 1 FETCH (BODY[] {3})");
  parse_error("* 1 FETCH (BODY[] {99999999999999999999999}\r\nabc)");
  parse_error("* 1 FETCH (BODY[] {18446744073709551615}\r\nabc)");
}

TEST(ImapResponse, StructuralErrors) {
  parse_error("");
  parse_error("*");
  parse_error("*OK hi");
  parse_error("* ");
  parse_error("* 1 FETCH (UID 7");
  parse_error("* 1 FETCH (UID 7))");
  parse_error("* SEARCH 1 2\r\n3");
  parse_error("A1 OK fine\r\n\r\n");
  parse_error("A1 OK fine\nmore");
  EXPECT_NE(parse_error("* X \x01").find("unexpected character 0x01"), std::string::npos);
}

TEST(ImapResponse, HostileNestingIsBounded) {
  const std::string deep = "* X " + std::string(100000, '(') + std::string(100000, ')');
  EXPECT_NE(parse_error(deep).find("nested too deeply"), std::string::npos);
  const std::string ok_depth =
      "* X " + std::string(kMaxNesting, '(') + std::string(kMaxNesting, ')');
  parse_ok(ok_depth);
}

TEST(ImapResponse, ErrorsNameTheByteOffset) {
  EXPECT_EQ(parse_error("* 1 FETCH (UID 7").rfind("at byte 16:", 0), 0u);
}

TEST(ImapResponse, AnnouncedLiteral) {
  EXPECT_EQ(announced_literal("* 1 FETCH (BODY[] {342}"), 342u);
  EXPECT_EQ(announced_literal("* LIST () \".\" {5+}"), 5u);
  EXPECT_EQ(announced_literal("* 1 FETCH (BINARY[] ~{0}"), 0u);
  EXPECT_FALSE(announced_literal("* 1 FETCH (UID 7)"));
  EXPECT_FALSE(announced_literal("{}"));
  EXPECT_FALSE(announced_literal("{1 2}"));
  EXPECT_FALSE(announced_literal("}"));
  EXPECT_FALSE(announced_literal(""));
  EXPECT_FALSE(announced_literal("{99999999999999999999999}"));
}

TEST(ImapResponse, StatusTextIsSanitisedAndBounded) {
  const Response r = parse_ok("A1 NO [ALERT] \x1b[31mred\x07 " + std::string(1000, 'x'));
  const std::string text = status_text(r);
  EXPECT_EQ(text.rfind("[ALERT] ?[31mred? x", 0), 0u);
  EXPECT_LE(text.size(), 303u);
  EXPECT_EQ(text.substr(text.size() - 3), "...");
}

}  // namespace
}  // namespace contribd::imap
