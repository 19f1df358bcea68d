// What an IMAP or SMTP session signs in with: a user name and either a password or a source of
// OAuth 2.0 access tokens, with the SASL mechanism that carries them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace contribd::auth {

class TokenSource;

// The `auth` key of [imap] and [smtp]. `password` means AUTHENTICATE/AUTH PLAIN or LOGIN.
enum class Method { password, xoauth2, oauthbearer };

// "password", "xoauth2", "oauthbearer"; the SASL name ("XOAUTH2") for the token methods.
std::string_view method_name(Method method);
std::string_view sasl_name(Method method);

struct Credentials {
  // Constructors, not an aggregate: g++ 12 miscompiles an aggregate temporary built inside a
  // co_await expression (`co_await Session::connect(ex, endpoint, {user, password})` frees its
  // strings twice). Keep them.
  Credentials() = default;
  Credentials(std::string username, std::string password)
      : username(std::move(username)), password(std::move(password)) {}
  Credentials(std::string username, Method method, std::shared_ptr<TokenSource> tokens)
      : username(std::move(username)), method(method), tokens(std::move(tokens)) {}

  bool uses_token() const { return method != Method::password; }

  std::string username;  // SMTP: empty means no AUTH at all
  std::string password;  // Method::password only
  Method method = Method::password;
  // The token methods only. Shared: the IMAP reconnects and every SMTP delivery of one run use
  // the same cache.
  std::shared_ptr<TokenSource> tokens;
};

}  // namespace contribd::auth
