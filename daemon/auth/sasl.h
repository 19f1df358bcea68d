// The SASL messages of the OAuth 2.0 mechanisms that carry our credentials, built apart from
// any connection: XOAUTH2 (Google's and Microsoft's) and OAUTHBEARER (RFC 7628). Pure
// functions, no I/O. Reading what the server answers is wire syntax: parsers/sasl_wire.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/auth/credentials.h"
#include "parsers/sasl_wire.h"

namespace contribd::auth {

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

// The IMAP and SMTP sessions read the server's error challenge through auth::, next to the
// messages they answer it with; the parsing itself is sasl::'s. describe() never contains the
// token: the server's challenge does not carry it.
using sasl::describe;
using sasl::parse_server_error;
using sasl::ServerError;

}  // namespace contribd::auth
