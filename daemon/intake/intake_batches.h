// The body of a mailbox pass: fetch, register and move the messages the register has not
// examined yet, in batches, in a pipeline of three threads: each batch is fetched with one UID
// FETCH into spool files on the I/O thread while the one before it is taken apart on the
// extract thread and the one before that registered (one transaction) on the register thread; as
// soon as a batch is committed its messages are moved (one UID MOVE per destination), so the order
// "registered and reply queued, then moved" holds for every message (SPEC step 5).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "daemon/imap/imap_session.h"
#include "daemon/intake/register_message.h"
#include "daemon/intake/sweep_counts.h"

namespace contribd {

struct PendingMessage {
  storage::MessageKey key;
  std::uint64_t size = 0;  // RFC822.SIZE, to keep each batch's spool bounded
  int failures = 0;        // SpooledIntake::failures, read before the pass hands the register on
};

// How `pending` is cut into UID FETCH commands, in its order: the first batches are small so
// that the first replies leave early and a stop request waits for little, later ones grow to
// `max_messages`, and the last ones shrink again (the last registration overlaps nothing); a
// batch holds at most `max_bytes` (a larger message is a batch of its own).
std::vector<std::vector<PendingMessage>> plan_batches(std::vector<PendingMessage> pending,
                                                      std::size_t first_messages = 4,
                                                      std::size_t max_messages = 100,
                                                      std::uint64_t max_bytes = 32ull << 20);

// `pending` is in the order the numbers are to be given, all under the selected folder's
// UIDVALIDITY. Messages that could not be registered are counted as failed and stay in the
// folder; an IMAP error ends the pass (what was committed is moved on the next pass). Once
// `*stop_requested` is true, the batch in hand is finished and moved, and the pass ends.
boost::asio::awaitable<void> fetch_and_register(imap::Session& session, IntakeContext& context,
                                                std::vector<PendingMessage> pending,
                                                SweepCounts& counts,
                                                const bool* stop_requested = nullptr);

// Where fetched messages are spooled: beside the stored files, on the same file system (part
// files are renamed into place); the dot keeps it apart from the meeting folders (safe names
// never start with one). Created when missing; part files left by a crash are removed.
std::filesystem::path spool_folder(const IntakeContext& context);

// One log line (and journal entry) for what became of a message.
void log_result(const storage::MessageKey& key, const IntakeResult& result);

}  // namespace contribd
