// The move step (SPEC step 5): once a message's outcome is committed it leaves the watched
// folder, registered and duplicate messages for the processed folder, held ones for the review
// folder. The register records each move after it was made, so that a crash between commit and
// move leaves the move to be completed by the next pass (a UID no longer in the folder moves
// nothing).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/imap/imap_session.h"
#include "daemon/intake/register_message.h"

namespace contribd {

// The folder a committed message goes to; nullopt for Destination::stay.
std::optional<std::string> destination_folder(const ImapConfig& imap, Destination destination);

// Called with the UIDs one UID MOVE has moved, to record them as moved.
using RecordMoved = std::function<void(const std::vector<std::uint32_t>& uids)>;

// Moves `uids` of the selected folder to `folder` with one UID MOVE, then records them; nothing
// when `uids` is empty. IMAP failures throw imap::ImapError, before anything is recorded.
boost::asio::awaitable<void> move_messages(imap::Session& session, std::vector<std::uint32_t> uids,
                                           const std::string& folder, const RecordMoved& record);

// Records the moves of `uids` (keys under `mailbox` and `uidvalidity`) in one transaction.
void record_moved(storage::Register& register_, const std::string& mailbox,
                  std::uint32_t uidvalidity, const std::vector<std::uint32_t>& uids);

// Completes the moves an earlier run committed and did not make, for messages of `mailbox` (the
// selected folder, under `uidvalidity`): one UID MOVE per destination. Keys under another
// UIDVALIDITY name messages that no longer exist and are left alone.
boost::asio::awaitable<void> complete_moves(imap::Session& session, IntakeContext& context,
                                            const std::string& mailbox, std::uint32_t uidvalidity);

}  // namespace contribd
