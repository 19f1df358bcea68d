// Whether a mailbox pass lists the watched folder, and from which UID: a pass that can prove
// nothing arrived since the last complete one skips the UID FETCH, and one that can prove what
// it saw before lists only what came after. Pure.
//
// Why it is safe. UIDs are given in strictly ascending order and UIDNEXT, the UID the next new
// message will get, "MUST NOT change unless new messages are added to the mailbox" and "MUST
// change whenever new messages are added" (RFC 3501 section 2.3.1.1; RFC 9051 the same), as long
// as UIDVALIDITY stays. So with the same UIDVALIDITY:
//  - UIDNEXT unchanged since the last pass's SELECT: nothing was added since then. The last
//    pass listed the folder after that SELECT, and every message it listed was settled
//    (registered, skipped, held or moved; that is what "complete" means below), so there is
//    nothing to do. EXISTS must also equal what the session counted once that pass had moved
//    its messages, a second witness that costs nothing.
//  - with CONDSTORE (RFC 7162 section 3.1), every change to the folder, an added message
//    included, gives a mod-sequence above the HIGHESTMODSEQ seen before; the same HIGHESTMODSEQ
//    as at the last pass's SELECT proves that nothing at all changed, also on a server that does
//    not report UIDNEXT (Microsoft 365 offers no CONDSTORE; Gmail and Dovecot do).
//  - otherwise only messages with a UID from the last UIDNEXT on can be new: "UID FETCH n:*"
//    lists them (the RFC 4549 section 3 way of finding new messages), whatever the folder held
//    before.
// A pass that was not complete (a failure to try again, a stop request, an IMAP error), a new
// connection and a changed UIDVALIDITY forget what was seen: the next pass lists everything
// ("UID FETCH 1:*"), as every pass did before. An empty folder (EXISTS 0) is never listed.
// CHANGEDSINCE is not used: it finds messages whose flags changed, which contribd ignores, and
// new messages, which the UID range finds without it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "daemon/imap/imap_session.h"

namespace contribd {

// The watched folder as the last complete pass left it.
struct FolderSeen {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;       // from that pass's SELECT; 0 when the server gave none
  std::uint32_t exists_after = 0;  // EXISTS once that pass had moved what it settled
  std::optional<std::uint64_t> highestmodseq;  // from that pass's SELECT, with CONDSTORE
};

struct ListingPlan {
  enum class Kind { none, from_uid, all };
  Kind kind = Kind::all;
  std::uint32_t from_uid = 1;  // Kind::from_uid: list UIDs from this one on
  std::string_view reason;     // for the debug log
};

// `last`: nullopt when there was no complete pass on this connection. `now`: this pass's SELECT.
ListingPlan plan_listing(const std::optional<FolderSeen>& last, const imap::MailboxState& now);

}  // namespace contribd
