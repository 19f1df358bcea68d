// The token request contribd sends to Microsoft's and Google's token endpoints, and how their
// answers (tokens and refusals) are read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/auth/oauth_grant.h"

namespace contribd::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(AuthOAuthGrant, ClientCredentialsFormForMicrosoft365) {
  GrantRequest request;
  request.client_id = "9a8b-client";
  request.client_secret = "s&=+ x";
  request.scope = "https://outlook.office365.com/.default";
  EXPECT_EQ(form_body(request),
            "grant_type=client_credentials&client_id=9a8b-client&client_secret=s%26%3D%2B+x"
            "&scope=https%3A%2F%2Foutlook.office365.com%2F.default");
}

TEST(AuthOAuthGrant, RefreshTokenFormForGoogleLeavesAnEmptyScopeOut) {
  GrantRequest request;
  request.grant = Grant::refresh_token;
  request.client_id = "123.apps.googleusercontent.com";
  request.client_secret = "GOCSPX-x";
  request.refresh_token = "1//0g-refresh/token";
  EXPECT_EQ(form_body(request),
            "grant_type=refresh_token&refresh_token=1%2F%2F0g-refresh%2Ftoken"
            "&client_id=123.apps.googleusercontent.com&client_secret=GOCSPX-x");
}

TEST(AuthOAuthGrant, MicrosoftTenantUrl) {
  EXPECT_EQ(microsoft_token_url("contoso.onmicrosoft.com"),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
}

TEST(AuthOAuthGrant, HttpsUrlsAreSplitIntoHostPortAndTarget) {
  const auto google = std::get<HttpsUrl>(parse_https_url("https://oauth2.googleapis.com/token"));
  EXPECT_EQ(google.host, "oauth2.googleapis.com");
  EXPECT_EQ(google.port, 443);
  EXPECT_EQ(google.target, "/token");
  const auto local = std::get<HttpsUrl>(parse_https_url("https://127.0.0.1:8443"));
  EXPECT_EQ(local.host, "127.0.0.1");
  EXPECT_EQ(local.port, 8443);
  EXPECT_EQ(local.target, "/");
  const auto v6 = std::get<HttpsUrl>(parse_https_url("https://[::1]:9443/t?x=1"));
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9443);
  EXPECT_EQ(v6.target, "/t?x=1");
}

TEST(AuthOAuthGrant, OnlyPlainHttpsUrlsAreAccepted) {
  EXPECT_THAT(std::get<std::string>(parse_https_url("http://example.org/token")),
              HasSubstr("https://"));
  EXPECT_THAT(std::get<std::string>(parse_https_url("https://user:pw@example.org/")),
              HasSubstr("user name"));
  EXPECT_THAT(std::get<std::string>(parse_https_url("https://example.org:0/")), HasSubstr("port"));
  EXPECT_THAT(std::get<std::string>(parse_https_url("https://example.org:99999/")),
              HasSubstr("port"));
  EXPECT_THAT(std::get<std::string>(parse_https_url("https:///token")), HasSubstr("no host"));
}

TEST(AuthOAuthGrant, TokenAnswerGivesTokenAndLifetime) {
  const auto token = std::get<IssuedToken>(parse_token_response(
      200,
      R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0"})"));
  EXPECT_EQ(token.value, "eyJ0");
  EXPECT_EQ(token.lifetime, std::chrono::seconds(3599));
  const auto quoted =
      std::get<IssuedToken>(parse_token_response(200, R"({"access_token":"a","expires_in":"60"})"));
  EXPECT_EQ(quoted.lifetime, std::chrono::seconds(60));
  const auto bare = std::get<IssuedToken>(parse_token_response(200, R"({"access_token":"a"})"));
  EXPECT_FALSE(bare.lifetime);
}

TEST(AuthOAuthGrant, RefusalsCarryTheProvidersErrorAndDescriptionOnOneLine) {
  EXPECT_EQ(
      std::get<std::string>(parse_token_response(
          400,
          R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})")),
      "HTTP 400: invalid_grant: Token has been expired or revoked.");
  const std::string microsoft = std::get<std::string>(parse_token_response(
      401,
      R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nTimestamp: 2"})"));
  EXPECT_EQ(microsoft,
            "HTTP 401: invalid_client: AADSTS7000215: Invalid client secret provided. Trace ID: 1 "
            "Timestamp: 2");
}

TEST(AuthOAuthGrant, UnreadableOrIncompleteAnswersAreRefusals) {
  EXPECT_EQ(std::get<std::string>(parse_token_response(502, "<html>Bad Gateway</html>")),
            "HTTP 502: the answer is not a JSON object: <html>Bad Gateway</html>");
  EXPECT_THAT(std::get<std::string>(parse_token_response(200, R"({"expires_in":10})")),
              HasSubstr("no access_token"));
  EXPECT_THAT(std::get<std::string>(
                  parse_token_response(200, R"({"access_token":"a","token_type":"mac"})")),
              HasSubstr("not Bearer"));
  EXPECT_THAT(std::get<std::string>(parse_token_response(500, R"({"access_token":"secret"})")),
              Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace contribd::auth
