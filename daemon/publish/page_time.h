// How the published list writes times: always UTC, receipts to the minute ("2020-07-20 08:00
// UTC"), with the exact second in the machine-readable form (RFC 3339) beside them.
#pragma once

#include <string>

#include "daemon/policy/meeting.h"

namespace contribd::publish {

std::string minutes_utc(UtcTime time);  // "2020-07-20 08:00 UTC"
std::string date_utc(UtcTime time);     // "2020-07-20"

}  // namespace contribd::publish
