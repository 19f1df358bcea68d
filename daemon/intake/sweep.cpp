#include "daemon/intake/sweep.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "daemon/intake/accepted.h"
#include "daemon/intake/intake_batches.h"
#include "daemon/intake/move_messages.h"

namespace contribd {
using boost::asio::awaitable;

awaitable<SweepCounts> sweep_mailbox(imap::Session& session, IntakeContext& context,
                                     const bool* stop_requested, std::optional<FolderSeen>* seen) {
  const ImapConfig& imap = context.config.imap;
  SweepCounts counts;
  // Forgotten until this pass proves complete: a failure on the way leaves nothing to trust.
  std::optional<FolderSeen> last;
  if (seen) last = std::exchange(*seen, std::nullopt);
  // First what people accepted from the review folder, so that the watched folder is the one
  // left selected (IDLE watches it).
  co_await register_accepted(session, context, counts);
  const imap::MailboxState state = co_await session.select(imap.folder);
  counts.uidvalidity = state.uidvalidity;

  co_await complete_moves(session, context, imap.folder, state.uidvalidity);

  const ListingPlan plan = plan_listing(last, state);
  std::vector<imap::MessageSummary> waiting;
  if (plan.kind == ListingPlan::Kind::none) {
    spdlog::debug("{}: not listed ({}; UIDNEXT {}, EXISTS {})", imap.folder, plan.reason,
                  state.uidnext, state.exists);
  } else {
    spdlog::debug("{}: listing UIDs from {} ({})", imap.folder, plan.from_uid, plan.reason);
    waiting = co_await session.list_messages(plan.from_uid);
  }
  // Numbers follow the order of receipt: the server may assign UIDs to messages delivered in
  // the same second in another order.
  std::stable_sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) {
    return std::tie(a.internal_date, a.uid) < std::tie(b.internal_date, b.uid);
  });
  std::vector<PendingMessage> pending;
  std::vector<std::uint32_t> oversized;  // held without being fetched
  for (const imap::MessageSummary& summary : waiting) {
    const storage::MessageKey key{imap.folder, state.uidvalidity, summary.uid};
    if (context.register_.examined(key)) continue;

    if (summary.size > context.config.limits.max_message_bytes) {
      const std::string reason =
          fmt::format("limits.max_message_bytes: {} bytes is over the limit of {} bytes",
                      summary.size, context.config.limits.max_message_bytes);
      const IntakeResult held = hold_unfetched(context, key, summary.internal_date, reason);
      log_result(key, held);
      count_outcome(counts, held.outcome);
      oversized.push_back(key.uid);
      continue;
    }
    pending.push_back({key, summary.size, context.register_.failures(key)});
  }
  const RecordMoved record = [&](const std::vector<std::uint32_t>& moved) {
    record_moved(context.register_, imap.folder, state.uidvalidity, moved);
  };
  co_await move_messages(session, std::move(oversized), imap.review_folder, record);
  co_await fetch_and_register(session, context, std::move(pending), counts, stop_requested);
  const bool stopped = stop_requested && *stop_requested;
  if (seen && counts.failed == 0 && !stopped) {
    *seen = FolderSeen{state.uidvalidity, state.uidnext, session.exists(), state.highestmodseq};
  }
  co_return counts;
}

}  // namespace contribd
