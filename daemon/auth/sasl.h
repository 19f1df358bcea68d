// The SASL messages of the OAuth 2.0 mechanisms, built and read apart from any connection:
// XOAUTH2 (Google's and Microsoft's) and OAUTHBEARER (RFC 7628). Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/auth/credentials.h"

namespace contribd::auth {

// RFC 4648 base64, padded, one line.
std::string base64_encode(std::string_view bytes);
// The decoded bytes, or nullopt for anything that is not padded base64 (whitespace included).
std::optional<std::string> base64_decode(std::string_view text);

// XOAUTH2: "user=" USER "\x01auth=Bearer " TOKEN "\x01\x01", not yet base64-encoded.
std::string xoauth2_message(std::string_view user, std::string_view token);

// OAUTHBEARER (RFC 7628 section 3.1): the GS2 header "n,a=USER," (USER with ',' and '=' escaped
// as RFC 5801 wants), then "\x01host=HOST\x01port=PORT\x01auth=Bearer TOKEN\x01\x01"; not yet
// base64-encoded. An empty host leaves host and port out (they are optional).
std::string oauthbearer_message(std::string_view user, std::string_view token,
                                std::string_view host, std::uint16_t port);

// The initial client response of `method` (a token method), base64-encoded: what follows
// "AUTHENTICATE XOAUTH2 " in IMAP or "AUTH XOAUTH2 " in SMTP.
std::string initial_response(Method method, std::string_view user, std::string_view token,
                             std::string_view host, std::uint16_t port);

// What the client answers to the server's error challenge, base64-encoded, so that the server
// can finish with its failure reply: empty for XOAUTH2 (Google's and Microsoft's documented
// behaviour), "\x01" for OAUTHBEARER (RFC 7628 section 3.2.3).
std::string error_challenge_reply(Method method);

// The server's error challenge: base64 of a JSON object such as
// {"status":"invalid_token","scope":"https://mail.google.com/","schemes":"bearer"}.
struct ServerError {
  std::string status;  // "invalid_token", "401", ...; empty when absent
  std::string scope;
  std::string openid_configuration;
  std::string raw;  // the decoded text, printable and bounded, when it was not such JSON
};

// Never throws: a challenge that is not base64 JSON gives a ServerError with only `raw` set
// (or nothing at all for an empty challenge).
ServerError parse_server_error(std::string_view base64_challenge);

// "status invalid_token, scope https://mail.google.com/", or the raw text, or "" when the
// server said nothing. Never contains the token.
std::string describe(const ServerError& error);

}  // namespace contribd::auth
