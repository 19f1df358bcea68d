// The OAuth 2.0 token request (RFC 6749 sections 4.4 and 6) and its answer, built and read
// apart from the network: the client-credentials grant (Microsoft 365 application access) and
// the refresh-token grant (Google). Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "daemon/auth/token_cache.h"

namespace contribd::auth {

enum class Grant { client_credentials, refresh_token };

struct GrantRequest {
  Grant grant = Grant::client_credentials;
  std::string client_id;
  std::string client_secret;  // may be empty (a public client refreshing its token)
  std::string refresh_token;  // Grant::refresh_token only
  std::string scope;          // may be empty for Grant::refresh_token
};

// application/x-www-form-urlencoded (RFC 6749 appendix B): the client authenticates in the
// body (client_secret_post), which Microsoft and Google both accept.
std::string form_body(const GrantRequest& request);
std::string form_encode(std::string_view value);

struct HttpsUrl {
  std::string host;  // without brackets for an IPv6 literal
  std::uint16_t port = 443;
  std::string target;  // path and query, "/" at least
};

// Only https URLs without user info or fragment; else the reason.
std::variant<HttpsUrl, std::string> parse_https_url(std::string_view url);

// Microsoft's v2.0 endpoint for a tenant (a domain or a GUID).
std::string microsoft_token_url(std::string_view tenant);

// The token endpoint's answer: a 200 with a JSON object holding access_token (expires_in
// optional), or else one line built from the provider's error and error_description ("HTTP 400:
// invalid_grant: Token has been expired or revoked."), its text bounded and made printable.
std::variant<IssuedToken, std::string> parse_token_response(unsigned http_status,
                                                            std::string_view body);

}  // namespace contribd::auth
