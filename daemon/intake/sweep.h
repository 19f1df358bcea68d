// One pass over the watched folder: finish moves left half-done, then fetch every message the
// register has not examined, register it, and move what was registered.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "daemon/imap/imap_session.h"
#include "daemon/intake/register_message.h"

namespace contribd {

struct SweepCounts {
  int registered = 0;
  int duplicates = 0;
  int skipped = 0;
  int rejected = 0;
  int failed = 0;  // could not be processed this time (will be tried again)
};

boost::asio::awaitable<SweepCounts> sweep_mailbox(imap::Session& session, IntakeContext& context);

}  // namespace contribd
