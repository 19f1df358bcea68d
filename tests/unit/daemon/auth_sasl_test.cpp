// The SASL messages of XOAUTH2 and OAUTHBEARER, checked against the providers' and RFC 7628's
// published examples, and the server's error challenge as contribd reports it.
#include <gtest/gtest.h>

#include "daemon/auth/sasl.h"

namespace contribd::auth {
namespace {

TEST(AuthSasl, Xoauth2MatchesGooglesDocumentedExample) {
  const std::string token = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
  EXPECT_EQ(xoauth2_message("someuser@example.com", token),
            "user=someuser@example.com\x01"
            "auth=Bearer " +
                token + "\x01\x01");
  EXPECT_EQ(initial_response(Method::xoauth2, "someuser@example.com", token, "imap.gmail.com", 993),
            "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNr"
            "QmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
}

TEST(AuthSasl, OauthbearerMatchesRfc7628Example) {
  const std::string token = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
  EXPECT_EQ(oauthbearer_message("user@example.com", token, "server.example.com", 143),
            "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
            "auth=Bearer " +
                token + "\x01\x01");
  EXPECT_EQ(
      initial_response(Method::oauthbearer, "user@example.com", token, "server.example.com", 143),
      "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVh"
      "cmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB");
}

TEST(AuthSasl, OauthbearerEscapesCommaAndEqualsInTheUserName) {
  EXPECT_EQ(oauthbearer_message("a,b=c", "t", "", 0),
            "n,a=a=2Cb=3Dc,\x01"
            "auth=Bearer t\x01\x01");
}

TEST(AuthSasl, ErrorChallengeRepliesAreEmptyForXoauth2AndCtrlAForOauthbearer) {
  EXPECT_EQ(error_challenge_reply(Method::xoauth2), "");
  EXPECT_EQ(base64_decode(error_challenge_reply(Method::oauthbearer)), std::string("\x01"));
}

TEST(AuthSasl, ServerErrorChallengeGivesStatusAndScope) {
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

TEST(AuthSasl, UnreadableChallengeIsShownRawAndBounded) {
  EXPECT_EQ(describe(parse_server_error("not base64!")), "not base64!");
  EXPECT_EQ(describe(parse_server_error(base64_encode("plain words\r\n"))), "plain words??");
  EXPECT_EQ(describe(parse_server_error("")), "");
  const std::string long_text(500, 'x');
  EXPECT_LE(describe(parse_server_error(base64_encode(long_text))).size(), 210u);
}

TEST(AuthSasl, Base64RoundTripsAndRejectsWhatIsNotBase64) {
  for (const std::string bytes : {"", "a", "ab", "abc", "abcd", "\x01\x02\xff"}) {
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  }
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("ab=c"));
  EXPECT_FALSE(base64_decode("a b="));
  EXPECT_FALSE(base64_decode("YQ==YQ=="));
}

}  // namespace
}  // namespace contribd::auth
