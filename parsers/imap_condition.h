// What a server's NO, BAD or BYE asks of the client, as data: the response codes contribd acts
// on (RFC 5530 and the IANA IMAP response code registry), and the waits that large providers
// name. Pure: a parsed Response in, a Condition out; any response, however odd, gives one.
//
// Microsoft 365 names neither THROTTLED nor UNAVAILABLE in a response code; it writes them in
// the text ("NO Request is throttled. Suggested Backoff Time: 299609 milliseconds", "NO Server
// Unavailable. 15"), and those two phrasings are recognised as the codes they stand for. Gmail
// appends "[THROTTLED]" to the text of commands that succeeded ("OK Success [THROTTLED]"): that
// is a tagged OK, not a failure, and it is not read as one.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "parsers/imap_response.h"

namespace contribd::imap {

enum class KnownCode {
  none,                  // the response carries no code (and no provider phrasing of one)
  alreadyexists,         // CREATE of a folder that exists (RFC 5530)
  authenticationfailed,  // wrong credentials (RFC 5530)
  nonexistent,           // the folder does not exist (RFC 5530)
  trycreate,             // COPY/MOVE to a folder that does not exist (RFC 3501)
  throttled,             // slow down, come back later (IANA registry; Microsoft's phrasing)
  unavailable,           // a subsystem is down for now; try again later (RFC 5530; Microsoft)
  other,                 // a code contribd does not act on
};

struct Condition {
  KnownCode code = KnownCode::none;
  // How long the server asks the client to wait: "[THROTTLED 120]" in seconds, or Microsoft's
  // "Suggested Backoff Time: N milliseconds" rounded up to whole seconds; nullopt when unsaid.
  std::optional<std::chrono::seconds> wait;
};

// The condition of a status response (NO, BAD, BYE; an OK gives `none` unless it has a code).
Condition condition_of(const Response& response);

// "THROTTLED", "UNAVAILABLE", ...; "" for none, "other" for other. For log lines.
std::string_view code_name(KnownCode code);

// True for the conditions that end by themselves: throttling and an unavailable subsystem.
// A session that meets one is dropped and opened again after a wait, as in any outage.
bool is_temporary(KnownCode code);

}  // namespace contribd::imap
