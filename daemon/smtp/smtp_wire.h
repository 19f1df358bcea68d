// The bytes contribd writes to an SMTP server, built apart from any connection.
#pragma once

#include <string>
#include <string_view>

namespace contribd::smtp {

// The DATA payload (RFC 5321 section 4.5.2): line ends normalised to CRLF (a bare LF or CR
// becomes CRLF), a '.' starting a line doubled, a final CRLF added when missing, then the
// terminating ".\r\n". Any bytes are accepted.
std::string dot_stuff(std::string_view message);

// The initial response of AUTH PLAIN (RFC 4616): base64 of "\0username\0password".
std::string auth_plain_response(std::string_view username, std::string_view password);

// True for what may follow MAIL FROM:< or RCPT TO:<: a plain address with no CR, LF, space,
// control character or angle bracket. The empty string is a valid MAIL FROM (the null path)
// but never a recipient, so callers check that themselves.
bool is_safe_path(std::string_view address);

// True for an EHLO argument we can send: a host name (letters, digits, '-', '.') or an
// address literal in brackets.
bool is_valid_helo_name(std::string_view name);

}  // namespace contribd::smtp
