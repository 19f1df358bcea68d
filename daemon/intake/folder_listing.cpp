#include "daemon/intake/folder_listing.h"

namespace contribd {

ListingPlan plan_listing(const std::optional<FolderSeen>& last, const imap::MailboxState& now) {
  using Kind = ListingPlan::Kind;
  if (now.exists == 0) return {Kind::none, 1, "the folder is empty"};
  if (!last) return {Kind::all, 1, "no complete pass on this connection yet"};
  if (last->uidvalidity != now.uidvalidity) return {Kind::all, 1, "UIDVALIDITY changed"};
  if (last->highestmodseq && now.highestmodseq && *last->highestmodseq == *now.highestmodseq) {
    return {Kind::none, 1, "HIGHESTMODSEQ unchanged"};
  }
  if (last->uidnext == 0 || now.uidnext == 0) return {Kind::all, 1, "the server gives no UIDNEXT"};
  if (now.uidnext == last->uidnext && now.exists == last->exists_after) {
    return {Kind::none, 1, "UIDNEXT and EXISTS unchanged"};
  }
  // A UIDNEXT that went back breaks RFC 3501's promise: trust nothing seen before.
  if (now.uidnext < last->uidnext) return {Kind::all, 1, "UIDNEXT went back"};
  return {Kind::from_uid, last->uidnext, "only UIDs from the last UIDNEXT on can be new"};
}

}  // namespace contribd
