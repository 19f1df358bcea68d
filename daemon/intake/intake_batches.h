// The body of a mailbox pass: fetch, register and move the messages the register has not
// examined yet, in batches. Each batch is fetched with one UID FETCH into spool files while
// the previous batch is extracted and registered (one transaction) on a worker thread; a
// batch is moved to the processed folder once its transaction is committed, so the order
// "registered and reply queued, then moved" holds for every message.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <vector>

#include "daemon/imap/imap_session.h"
#include "daemon/intake/register_message.h"
#include "daemon/intake/sweep.h"

namespace contribd {

struct PendingMessage {
  storage::MessageKey key;
  std::uint64_t size = 0;  // RFC822.SIZE, to keep each batch's spool bounded
};

// Messages that could not be registered are counted as failed and stay in the folder; an
// IMAP error ends the pass (what was committed is moved on the next pass). `pending` is in
// UID order, all under the selected folder's UIDVALIDITY.
boost::asio::awaitable<void> fetch_and_register(imap::Session& session, IntakeContext& context,
                                                std::vector<PendingMessage> pending,
                                                SweepCounts& counts);

// One log line for what became of a message.
void log_result(const storage::MessageKey& key, const IntakeResult& result);

}  // namespace contribd
