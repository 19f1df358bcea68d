// The SASL messages of XOAUTH2 and OAUTHBEARER, checked against the providers' and RFC 7628's
// published examples. Reading the server's error challenge is tested with parsers/sasl_wire.
#include <gtest/gtest.h>

#include "daemon/auth/sasl.h"
#include "parsers/base64.h"
#include "parsers/sasl_wire.h"

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
  EXPECT_EQ(decode_base64(error_challenge_reply(Method::oauthbearer)), std::string("\x01"));
}

}  // namespace
}  // namespace contribd::auth
