// Quoted-printable body encoding (RFC 2045 section 6.7) for the replies' text/plain part.
#pragma once

#include <string>
#include <string_view>

namespace contribd::reply {

// Encodes text whose lines end in LF or CRLF (a lone CR is encoded, not taken as a line end).
// Output lines end in CRLF and are at most 76 characters; spaces and tabs at a line's end, '=',
// control characters and bytes >= 0x7F are written =XX. Any bytes are accepted.
std::string encode_quoted_printable(std::string_view text);

}  // namespace contribd::reply
