#include "parsers/imap_namespace.h"

#include <gtest/gtest.h>

#include <string>

namespace contribd::imap {
namespace {

std::optional<Namespaces> namespaces_of(std::string_view line) {
  ParseResult parsed = parse_response(line);
  EXPECT_TRUE(parsed.response) << parsed.error << "\ninput: " << line;
  if (!parsed.response) return std::nullopt;
  return parse_namespaces(*parsed.response);
}

TEST(ImapNamespace, CyrusAsDebianConfiguresIt) {
  const auto spaces = namespaces_of(R"(* NAMESPACE (("INBOX." ".")) (("user." ".")) (("" ".")))");
  ASSERT_TRUE(spaces);
  ASSERT_EQ(spaces->personal.size(), 1u);
  EXPECT_EQ(spaces->personal[0].prefix, "INBOX.");
  EXPECT_EQ(spaces->personal[0].separator, ".");
  ASSERT_EQ(spaces->other_users.size(), 1u);
  EXPECT_EQ(spaces->other_users[0].prefix, "user.");
  ASSERT_EQ(spaces->shared.size(), 1u);
  EXPECT_EQ(spaces->shared[0].prefix, "");
  EXPECT_TRUE(spaces->defects.empty());
}

TEST(ImapNamespace, DovecotWithNilGroups) {
  const auto spaces = namespaces_of(R"(* NAMESPACE (("" "/")) NIL NIL)");
  ASSERT_TRUE(spaces);
  ASSERT_EQ(spaces->personal.size(), 1u);
  EXPECT_EQ(spaces->personal[0].prefix, "");
  EXPECT_EQ(spaces->personal[0].separator, "/");
  EXPECT_TRUE(spaces->other_users.empty());
  EXPECT_TRUE(spaces->shared.empty());
  EXPECT_TRUE(spaces->defects.empty());
}

TEST(ImapNamespace, SeveralDescriptorsNilSeparatorAndExtensions) {
  // RFC 2342 section 5, example 5.6, plus a flat namespace and extension data.
  const auto spaces = namespaces_of(
      R"(* NAMESPACE (("" "/")("#mh/" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL (("flat" NIL)))");
  ASSERT_TRUE(spaces);
  ASSERT_EQ(spaces->personal.size(), 2u);
  EXPECT_EQ(spaces->personal[1].prefix, "#mh/");
  ASSERT_EQ(spaces->shared.size(), 1u);
  EXPECT_EQ(spaces->shared[0].separator, "");
  EXPECT_TRUE(spaces->defects.empty());
}

TEST(ImapNamespace, LiteralPrefixIsTakenAsItsBytes) {
  const auto spaces = namespaces_of("* NAMESPACE (({6}\r\nINBOX/ \"/\")) NIL NIL");
  ASSERT_TRUE(spaces);
  ASSERT_EQ(spaces->personal.size(), 1u);
  EXPECT_EQ(spaces->personal[0].prefix, "INBOX/");
}

TEST(ImapNamespace, MalformedDescriptorsAreLeftOutAndNamed) {
  const auto spaces = namespaces_of(
      R"(* NAMESPACE (("INBOX." ".") ("only-prefix") (ATOM ".") ("x" "::")) BOGUS (("" ".")))");
  ASSERT_TRUE(spaces);
  ASSERT_EQ(spaces->personal.size(), 1u);
  EXPECT_EQ(spaces->personal[0].prefix, "INBOX.");
  EXPECT_TRUE(spaces->other_users.empty());
  ASSERT_EQ(spaces->shared.size(), 1u);
  ASSERT_EQ(spaces->defects.size(), 4u);
  EXPECT_EQ(spaces->defects[0], "personal namespace 2: not (prefix separator)");
  EXPECT_EQ(spaces->defects[1], "personal namespace 3: not (prefix separator)");
  EXPECT_EQ(spaces->defects[2], "personal namespace 4: separator of 2 characters");
  EXPECT_EQ(spaces->defects[3], "other users' namespaces: neither NIL nor a list");
}

TEST(ImapNamespace, MissingGroupsCountAsEmpty) {
  const auto spaces = namespaces_of(R"(* NAMESPACE (("" "/")))");
  ASSERT_TRUE(spaces);
  EXPECT_EQ(spaces->personal.size(), 1u);
  EXPECT_TRUE(spaces->other_users.empty());
  ASSERT_EQ(spaces->defects.size(), 1u);
  EXPECT_EQ(spaces->defects[0], "1 groups instead of 3 (personal, other users, shared)");
}

TEST(ImapNamespace, OtherResponsesAreNotNamespaces) {
  EXPECT_FALSE(namespaces_of(R"(* LIST () "." INBOX)"));
  EXPECT_FALSE(namespaces_of("A1 OK NAMESPACE completed"));
}

}  // namespace
}  // namespace contribd::imap
