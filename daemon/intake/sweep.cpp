#include "daemon/intake/sweep.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "daemon/intake/intake_batches.h"

namespace contribd {
namespace {

using boost::asio::awaitable;

// Registered and duplicate messages leave the watched folder; the register remembers the move
// so that a crash between commit and move is completed on the next pass.
awaitable<void> move_to_processed(imap::Session& session, IntakeContext& context,
                                  const storage::MessageKey& key) {
  co_await session.move(key.uid, context.config.imap.processed_folder);
  context.register_.mark_moved(key);
}

}  // namespace

awaitable<SweepCounts> sweep_mailbox(imap::Session& session, IntakeContext& context,
                                     const bool* stop_requested) {
  const ImapConfig& imap = context.config.imap;
  SweepCounts counts;
  const imap::MailboxState state = co_await session.select(imap.folder);
  counts.uidvalidity = state.uidvalidity;

  for (const storage::MessageKey& key : context.register_.pending_moves(imap.folder)) {
    if (key.uidvalidity != state.uidvalidity) continue;
    spdlog::info("UID {}: completing the move to {} left from an earlier run", key.uid,
                 imap.processed_folder);
    co_await move_to_processed(session, context, key);
  }

  // Numbers follow the order of receipt: the server may assign UIDs to messages delivered in
  // the same second in another order.
  std::vector<imap::MessageSummary> waiting = co_await session.list_messages();
  std::stable_sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) {
    return std::tie(a.internal_date, a.uid) < std::tie(b.internal_date, b.uid);
  });
  std::vector<PendingMessage> pending;
  for (const imap::MessageSummary& summary : waiting) {
    const storage::MessageKey key{imap.folder, state.uidvalidity, summary.uid};
    if (context.register_.examined(key)) continue;

    if (summary.size > context.config.limits.max_message_bytes) {
      const std::string reason =
          fmt::format("{} bytes is over the limit of {} bytes (limits.max_message_bytes)",
                      summary.size, context.config.limits.max_message_bytes);
      record_rejected(context, key, reason);
      const IntakeResult rejected{storage::Outcome::rejected, std::nullopt, reason, false};
      log_result(context, key, rejected);
      count_outcome(counts, rejected.outcome);
      continue;
    }
    pending.push_back({key, summary.size});
  }
  co_await fetch_and_register(session, context, std::move(pending), counts, stop_requested);
  co_return counts;
}

}  // namespace contribd
