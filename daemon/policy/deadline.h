// Meeting times: reading them from the configuration, deciding which meeting a receipt belongs
// to and whether it is late, and writing times for replies and logs.
// Parsing throws std::invalid_argument with the reason (the caller adds file and key); the
// other functions are total over valid times.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/policy/meeting.h"

namespace contribd::policy {

// Reads "2020-07-22T23:59:59+02:00" or "...Z" (RFC 3339; 't', 'z' and a space for 'T' are
// accepted, fractions of a second are dropped), or a local "2020-07-22T23:59:59" read in the
// IANA zone `timezone` ("Europe/Zurich"; "Europe/Geneva", which IANA does not list, is read as
// Europe/Zurich). An explicit offset wins over the zone. A non-empty
// zone must exist even when the text has an offset, so that a bad zone is found at start.
// Throws std::invalid_argument for malformed text, an out-of-range field, a local time without
// a zone, an unknown zone, and a local time that the zone skips or repeats (a DST change).
UtcTime parse_meeting_time(std::string_view text, std::string_view timezone);

// The meeting a contribution received at `receipt` belongs to, and whether it is late.
struct Assignment {
  const Meeting* meeting = nullptr;  // points into the vector given; null only when it is empty
  bool late = false;
};

// `sorted_by_closes` must be sorted by Meeting::closes. The meeting is the first whose closes
// is at or after the receipt; a receipt at or before its deadline (to the second) is on time.
// After the last meeting closes, the contribution is late for the last meeting.
Assignment assign_meeting(const std::vector<Meeting>& sorted_by_closes, UtcTime receipt);

// "2020-07-20 08:00:00 UTC", for replies, pages and the terminal. The machine-readable form
// ("2020-07-20T08:00:00Z": the register, JSON, CSV) is storage::format_utc.
std::string format_utc_for_people(UtcTime time);

// "2020-07-20 10:00:00 CEST"; an empty zone gives format_utc_for_people(). Throws
// std::invalid_argument for an unknown zone.
std::string format_in_zone(UtcTime time, std::string_view timezone);

}  // namespace contribd::policy
