// IMAP INTERNALDATE (RFC 3501 date-time): "17-Jul-1996 02:44:25 -0700", the server's receipt
// time of a message. contribd uses it, never the sender's Date header, to decide on time or
// late. Pure; malformed or out-of-range input gives std::nullopt, never an exception.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace contribd::imap {

// Accepts the day as two digits, one digit, or space and digit (" 7-Jul-1996 ..."); month
// names in any case; a zone of +hhmm/-hhmm. The date must exist (no 31-Apr) and the year
// lie in 1900..9999; seconds up to 60 (a leap second counts as the next minute's first).
// Returns the instant in UTC.
std::optional<std::chrono::sys_seconds> parse_internal_date(std::string_view text);

// The same instant written back as an INTERNALDATE in UTC: "17-Jul-1996 09:44:25 +0000".
std::string format_internal_date(std::chrono::sys_seconds when);

}  // namespace contribd::imap
