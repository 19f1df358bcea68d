// Where access tokens come from, and the in-memory cache in front of every source: a token is
// reused until shortly before it expires, and fetched again early when a server refused it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <stdexcept>
#include <string>

#include "daemon/auth/token_cache.h"

namespace contribd::auth {

// One line naming the account, the source and the provider's or the command's own words:
// "no access token for tsbfgqit4n@itu.int: token endpoint https://login.example/token refused
// the grant: HTTP 401: invalid_client: bad secret". Never the token, the client secret or the
// refresh token.
class TokenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A token that should be valid now. `fresh` skips any cached one: the server refused it.
  // Throws TokenError.
  virtual boost::asio::awaitable<std::string> access_token(bool fresh) = 0;
};

// Obtains one new token each call (runs a command, asks a token endpoint). Throws TokenError
// naming the source (not the account: the cache adds that).
class TokenFetcher {
 public:
  virtual ~TokenFetcher() = default;
  virtual boost::asio::awaitable<IssuedToken> fetch() = 0;
};

class CachingTokenSource final : public TokenSource {
 public:
  // `account` (the user name) is named in every error; `fallback_lifetime` is
  // how long a token is reused when its source gave no expires_in.
  CachingTokenSource(std::string account, std::unique_ptr<TokenFetcher> fetcher,
                     std::chrono::seconds fallback_lifetime);

  boost::asio::awaitable<std::string> access_token(bool fresh) override;

 private:
  std::string account_;
  std::unique_ptr<TokenFetcher> fetcher_;
  TokenCache cache_;
};

// Empty when `token` can travel in a SASL message: non-empty, at most 64 KiB, printable ASCII
// without spaces. Else why not (without the token).
std::string token_text_problem(const std::string& token);

}  // namespace contribd::auth
