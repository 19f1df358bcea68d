// SASL on the wire: the error challenge of XOAUTH2 and OAUTHBEARER as
// Google, Dovecot and RFC 7628 send it, as contribd reports it.
#include "parsers/sasl_wire.h"

#include <gtest/gtest.h>

#include "parsers/base64.h"

namespace contribd::sasl {
namespace {

TEST(SaslServerError, ChallengeGivesStatusAndScope) {
  // Gmail's shape, and the one the sandbox's Dovecot sends.
  const ServerError google = parse_server_error(
      "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==");
  EXPECT_EQ(google.status, "invalid_token");
  EXPECT_EQ(google.scope, "https://mail.google.com/");
  EXPECT_EQ(describe(google), "status invalid_token, scope https://mail.google.com/");
  const ServerError dovecot =
      parse_server_error("eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=");
  EXPECT_EQ(describe(dovecot), "status 401, scope mail");
}

TEST(SaslServerError, GooglesDocumentedXoauth2Failure) {
  // {"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"} and a newline.
  const ServerError error = parse_server_error(
      "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2ds"
      "ZS5jb20vIn0K");
  EXPECT_EQ(describe(error), "status 401, scope https://mail.google.com/");
}

TEST(SaslServerError, Rfc7628ExampleHasTheOpenIdConfiguration) {
  const ServerError error = parse_server_error(
      "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3Vy"
      "YXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=");
  EXPECT_EQ(error.status, "invalid_token");
  EXPECT_EQ(error.openid_configuration, "https://example.com/.well-known/openid-configuration");
  EXPECT_EQ(error.raw, "");
}

TEST(SaslServerError, MembersThatAreNotStringsAreShownAsJson) {
  const ServerError error = parse_server_error(encode_base64(R"({"status":401,"scope":["a"]})"));
  EXPECT_EQ(describe(error), R"(status 401, scope ["a"])");
}

TEST(SaslServerError, UnreadableChallengeIsShownRawAndBounded) {
  EXPECT_EQ(describe(parse_server_error("not base64!")), "not base64!");
  EXPECT_EQ(describe(parse_server_error(encode_base64("plain words\r\n"))), "plain words??");
  EXPECT_EQ(describe(parse_server_error(encode_base64("[1,2]"))), "[1,2]");
  EXPECT_EQ(describe(parse_server_error(encode_base64(R"({"schemes":"bearer"})"))),
            R"({"schemes":"bearer"})");
  EXPECT_EQ(describe(parse_server_error("")), "");
  const std::string long_text(500, 'x');
  EXPECT_EQ(describe(parse_server_error(encode_base64(long_text))).size(), kMaxShownError + 3);
}

TEST(SaslServerError, OversizedChallengeIsNotDecoded) {
  const std::string json =
      R"({"status":"invalid_token","pad":")" + std::string(kMaxChallenge, 'x') + "\"}";
  const ServerError error = parse_server_error(encode_base64(json));
  EXPECT_EQ(error.status, "");
  EXPECT_EQ(error.raw.size(), kMaxShownError + 3);
}

}  // namespace
}  // namespace contribd::sasl
