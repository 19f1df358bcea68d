// Writing header fields of outgoing replies (RFC 5322, RFC 2047): text taken from strangers is
// made into one printable line first, then encoded and folded so that no field can ever break
// into two. Total functions: any byte string in, a well-formed field out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/policy/meeting.h"

namespace contribd::reply {

// One line of printable UTF-8: control characters (C0, DEL, C1, U+2028, U+2029; so CR and LF)
// become spaces, runs of spaces shrink to one, the ends are trimmed, invalid UTF-8 becomes
// U+FFFD, and text past max_chars characters is cut and marked with "...".
std::string clean_header_text(std::string_view text, std::size_t max_chars = 400);

// "Subject: <text>\r\n", folded before 78 columns where the text has spaces. Words that are not
// plain ASCII (or contain "=?", or are too long to fold) are written as UTF-8 "Q" encoded-words
// that each hold whole characters; adjacent such words share encoded-words so that decoding
// restores the spaces between them. `text` should come from clean_header_text().
std::string unstructured_field(std::string_view name, std::string_view text);

// "From: <display name> <address>\r\n": the name quoted when ASCII, encoded-words otherwise,
// omitted when empty. `address` must already be a plain addr-spec.
std::string mailbox_field(std::string_view name, std::string_view display_name,
                          std::string_view address);

// "Name: token token\r\n" folded between tokens; for lists of msg-ids.
std::string token_field(std::string_view name, const std::vector<std::string>& tokens);

// RFC 5322 date-time in UTC with English names: "Mon, 20 Jul 2020 08:00:00 +0000".
std::string rfc5322_date(UtcTime time);

}  // namespace contribd::reply
