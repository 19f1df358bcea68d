// One pass over the watched folder: finish moves left half-done, then fetch every message the
// register has not examined, register it, and move what was registered.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>

#include "daemon/imap/imap_session.h"
#include "daemon/intake/folder_listing.h"
#include "daemon/intake/register_message.h"
#include "daemon/intake/sweep_counts.h"

namespace contribd {

// Each outcome is logged as one line (with journal fields CONTRIBD_UID, CONTRIBD_DOCUMENT,
// CONTRIBD_MESSAGE_ID, CONTRIBD_SENDER). A message that cannot be registered (disk full) is
// counted as failed and left in the folder; IMAP failures throw imap::ImapError, and whatever
// was committed before stays committed (a move left undone is completed by the next pass).
// `stop_requested`, when given, is looked at between batches: once it is true no further batch
// is fetched; those fetched already are registered and moved, and the rest wait, unread, for
// the next run.
// `seen`, when given, is what the last complete pass on this session saw of the watched folder:
// the pass lists only what folder_listing.h says may be new, and leaves `seen` set when it is
// complete itself, nullopt otherwise.
boost::asio::awaitable<SweepCounts> sweep_mailbox(imap::Session& session, IntakeContext& context,
                                                  const bool* stop_requested = nullptr,
                                                  std::optional<FolderSeen>* seen = nullptr);

}  // namespace contribd
