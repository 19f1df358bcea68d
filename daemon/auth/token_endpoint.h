// An access token from an OAuth 2.0 token endpoint over verified HTTPS: the client-credentials
// grant (Microsoft 365) or the refresh-token grant (Google).
#pragma once

#include <chrono>
#include <string>

#include "daemon/auth/oauth_grant.h"
#include "daemon/auth/token_source.h"

namespace contribd::auth {

class TokenEndpoint final : public TokenFetcher {
 public:
  // `ca_file` (may be empty) is trusted besides the system store; `timeout` bounds each step.
  TokenEndpoint(std::string url, GrantRequest request, std::string ca_file,
                std::chrono::seconds timeout);

  // Throws TokenError: "token endpoint URL: unreachable: host:443: cannot connect: ...", or
  // "token endpoint URL refused the grant: HTTP 401: invalid_client: <description>". Neither the
  // client secret nor the refresh token is ever part of it.
  boost::asio::awaitable<IssuedToken> fetch() override;

 private:
  std::string url_;
  GrantRequest request_;
  std::string ca_file_;
  std::chrono::seconds timeout_;
};

}  // namespace contribd::auth
