// SASL as it crosses the wire (RFC 4422, RFC 4954 section 4, IMAP AUTHENTICATE): the error
// challenge a server sends when it refuses an XOAUTH2 or OAUTHBEARER token (RFC 7628 section
// 3.2.2), read into its JSON status. The base64 that carries it is parsers/base64.h.
// Pure: bytes in, values out, never an exception.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace contribd::sasl {

// Each text of a ServerError keeps at most this many bytes of what the server sent, control
// characters shown as '?', then "..." when it was cut.
inline constexpr std::size_t kMaxShownError = 200;
// A challenge longer than this is not decoded: it is shown raw (cut as above). Real ones are a
// few dozen bytes; this keeps a hostile server from making us parse megabytes of JSON.
inline constexpr std::size_t kMaxChallenge = 16 * 1024;

// The server's error challenge: base64 of a JSON object such as
// {"status":"invalid_token","scope":"https://mail.google.com/","schemes":"bearer"}.
struct ServerError {
  std::string status;  // "invalid_token", "401", ...; empty when absent
  std::string scope;
  std::string openid_configuration;
  std::string raw;  // the decoded text, printable and bounded, when it was not such JSON
};

// A challenge that is not base64 JSON (or is too long) gives a ServerError with only `raw` set,
// or nothing at all for an empty challenge. A member that is not a string is shown as JSON.
ServerError parse_server_error(std::string_view base64_challenge);

// "status invalid_token, scope https://mail.google.com/", or the raw text, or "" when the
// server said nothing.
std::string describe(const ServerError& error);

}  // namespace contribd::sasl
