#include "daemon/intake/sweep.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

namespace contribd {
namespace {

using boost::asio::awaitable;

UtcTime now_utc() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Registered and duplicate messages leave the watched folder; the register remembers the move
// so that a crash between commit and move is completed on the next pass.
awaitable<void> move_to_processed(imap::Session& session, IntakeContext& context,
                                  const storage::MessageKey& key) {
  co_await session.move(key.uid, context.config.imap.processed_folder);
  context.register_.mark_moved(key);
}

void log_result(const storage::MessageKey& key, const IntakeResult& result) {
  switch (result.outcome) {
    case storage::Outcome::registered:
      spdlog::info("UID {}: registered {}{}", key.uid, *result.document_number,
                   result.reason.empty() ? "" : "; " + result.reason);
      break;
    case storage::Outcome::duplicate:
      spdlog::info("UID {}: not registered again: {} (existing {}){}", key.uid, result.reason,
                   *result.document_number, "");
      break;
    case storage::Outcome::skipped:
      spdlog::info("UID {}: left in the folder for people: {}", key.uid, result.reason);
      break;
    case storage::Outcome::rejected:
      spdlog::warn("UID {}: rejected: {}", key.uid, result.reason);
      break;
  }
}

void count(SweepCounts& counts, storage::Outcome outcome) {
  switch (outcome) {
    case storage::Outcome::registered: ++counts.registered; break;
    case storage::Outcome::duplicate: ++counts.duplicates; break;
    case storage::Outcome::skipped: ++counts.skipped; break;
    case storage::Outcome::rejected: ++counts.rejected; break;
  }
}

}  // namespace

awaitable<SweepCounts> sweep_mailbox(imap::Session& session, IntakeContext& context) {
  const ImapConfig& imap = context.config.imap;
  SweepCounts counts;
  const imap::MailboxState state = co_await session.select(imap.folder);

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
  for (const imap::MessageSummary& summary : waiting) {
    const storage::MessageKey key{imap.folder, state.uidvalidity, summary.uid};
    if (context.register_.examined(key)) continue;

    if (summary.size > context.config.limits.max_message_bytes) {
      const std::string reason =
          fmt::format("{} bytes is over the limit of {} bytes (limits.max_message_bytes)",
                      summary.size, context.config.limits.max_message_bytes);
      record_rejected(context, key, reason);
      log_result(key, {storage::Outcome::rejected, std::nullopt, reason, false});
      ++counts.rejected;
      continue;
    }

    const imap::FetchedMessage fetched = co_await session.fetch(summary.uid);
    IntakeResult result;
    try {
      result = register_message(context, key, fetched.internal_date, fetched.body, now_utc());
    } catch (const std::exception& error) {
      // The register or the file store failed (disk full, permissions): nothing was committed,
      // so the message stays in the folder and is tried again on the next pass.
      spdlog::error("UID {}: could not be registered, will try again: {}", key.uid, error.what());
      ++counts.failed;
      continue;
    }
    log_result(key, result);
    count(counts, result.outcome);
    if (result.move) co_await move_to_processed(session, context, key);
  }
  co_return counts;
}

}  // namespace contribd
