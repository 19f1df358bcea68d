// The IMAP side of `contribd accept`: held messages a person accepted wait in the review
// folder; each is found there by its Message-ID, fetched, registered by the usual rules (the
// hold rules and limits aside) and moved to the processed folder. The command only writes the
// register; the daemon does this at its next wake (within a second or two with IDLE).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "daemon/imap/imap_session.h"
#include "daemon/intake/register_message.h"
#include "daemon/intake/sweep_counts.h"

namespace contribd {

// Registers every accepted message; leaves the review folder selected. A message that cannot
// be found or fetched stays accepted with the error noted (`contribd review` shows it) and is
// tried again at the next pass; IMAP failures throw imap::ImapError.
boost::asio::awaitable<void> register_accepted(imap::Session& session, IntakeContext& context,
                                               SweepCounts& counts);

}  // namespace contribd
