#include "daemon/intake/sweep.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <tuple>

#include "daemon/event_log.h"

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

// A message met again after a UIDVALIDITY change comes back with its earlier outcome; the
// register tells it apart only by this reason (register_message.cpp, adopt_known_content).
bool seen_under_earlier_uidvalidity(const IntakeResult& result) {
  return result.reason.starts_with("already examined under an earlier UIDVALIDITY");
}

void log_result(IntakeContext& context, const storage::MessageKey& key,
                const IntakeResult& result) {
  const std::string uid = std::to_string(key.uid);
  const std::string document = result.document_number.value_or("");
  std::optional<storage::Contribution> contribution;
  if (result.outcome == storage::Outcome::registered) {
    contribution = context.register_.find(document);
  }
  const std::string sender = contribution ? contribution->sender : "";
  const std::string message_id = contribution ? contribution->message_id : "";
  const std::string outcome = storage::to_string(result.outcome);
  const std::string suffix = result.reason.empty() ? "" : "; " + result.reason;
  if (seen_under_earlier_uidvalidity(result)) {
    log_event(spdlog::level::info,
              fmt::format("UID {}: {} as {} before the UIDVALIDITY change, not registered again",
                          uid, outcome, document.empty() ? "examined" : document),
              {{"CONTRIBD_UID", uid}, {"CONTRIBD_DOCUMENT", document}});
    return;
  }
  switch (result.outcome) {
    case storage::Outcome::registered:
      log_event(spdlog::level::info,
                fmt::format("UID {}: registered {} from {}{}", uid, document, sender, suffix),
                {{"CONTRIBD_UID", uid},
                 {"CONTRIBD_DOCUMENT", document},
                 {"CONTRIBD_SENDER", sender},
                 {"CONTRIBD_MESSAGE_ID", message_id},
                 {"CONTRIBD_OUTCOME", outcome}});
      break;
    case storage::Outcome::duplicate:
      log_event(
          spdlog::level::info,
          fmt::format("UID {}: not registered again, same files as {}: {}", uid, document,
                      result.reason),
          {{"CONTRIBD_UID", uid}, {"CONTRIBD_DOCUMENT", document}, {"CONTRIBD_OUTCOME", outcome}});
      break;
    case storage::Outcome::skipped:
      log_event(spdlog::level::info,
                fmt::format("UID {}: left in the folder for people: {}", uid, result.reason),
                {{"CONTRIBD_UID", uid}, {"CONTRIBD_OUTCOME", outcome}});
      break;
    case storage::Outcome::rejected:
      log_event(spdlog::level::warn, fmt::format("UID {}: rejected: {}", uid, result.reason),
                {{"CONTRIBD_UID", uid}, {"CONTRIBD_OUTCOME", outcome}});
      break;
  }
}

void count(SweepCounts& counts, storage::Outcome outcome) {
  switch (outcome) {
    case storage::Outcome::registered:
      ++counts.registered;
      break;
    case storage::Outcome::duplicate:
      ++counts.duplicates;
      break;
    case storage::Outcome::skipped:
      ++counts.skipped;
      break;
    case storage::Outcome::rejected:
      ++counts.rejected;
      break;
  }
}

}  // namespace

awaitable<SweepCounts> sweep_mailbox(imap::Session& session, IntakeContext& context,
                                     const bool* stop_requested) {
  const auto stopping = [&] { return stop_requested && *stop_requested; };
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
  for (const imap::MessageSummary& summary : waiting) {
    if (stopping()) break;
    const storage::MessageKey key{imap.folder, state.uidvalidity, summary.uid};
    if (context.register_.examined(key)) continue;

    if (summary.size > context.config.limits.max_message_bytes) {
      const std::string reason =
          fmt::format("{} bytes is over the limit of {} bytes (limits.max_message_bytes)",
                      summary.size, context.config.limits.max_message_bytes);
      record_rejected(context, key, reason);
      log_result(context, key, {storage::Outcome::rejected, std::nullopt, reason, false});
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
    log_result(context, key, result);
    count(counts, result.outcome);
    if (result.move) co_await move_to_processed(session, context, key);
  }
  co_return counts;
}

}  // namespace contribd
