// How the register writes times: ISO-8601 UTC text with second precision,
// "2020-07-20T08:00:00Z". The fixed width makes text order equal time order, so SQL can
// compare and sort the column directly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/records.h"

namespace contribd::storage {

// Throws StorageError for a year outside 0000..9999, which the fixed-width text cannot hold.
std::string format_utc(UtcTime time);

// Accepts exactly the form format_utc() writes; nullopt for anything else (wrong length,
// non-digits, month 13, February 30, hour 24, ...).
std::optional<UtcTime> parse_utc(std::string_view text);

}  // namespace contribd::storage
