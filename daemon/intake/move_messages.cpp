#include "daemon/intake/move_messages.h"

#include <spdlog/spdlog.h>

#include <map>
#include <utility>

namespace contribd {

using boost::asio::awaitable;

std::optional<std::string> destination_folder(const ImapConfig& imap, Destination destination) {
  switch (destination) {
    case Destination::processed:
      return imap.processed_folder;
    case Destination::review:
      return imap.review_folder;
    case Destination::stay:
      break;
  }
  return std::nullopt;
}

awaitable<void> move_messages(imap::Session& session, std::vector<std::uint32_t> uids,
                              const std::string& folder, const RecordMoved& record) {
  if (uids.empty()) co_return;
  co_await session.move_batch(uids, folder);
  record(uids);
}

void record_moved(storage::Register& register_, const std::string& mailbox,
                  std::uint32_t uidvalidity, const std::vector<std::uint32_t>& uids) {
  auto transaction = register_.begin();
  for (std::uint32_t uid : uids) register_.mark_moved({mailbox, uidvalidity, uid});
  transaction.commit();
}

awaitable<void> complete_moves(imap::Session& session, IntakeContext& context,
                               const std::string& mailbox, std::uint32_t uidvalidity) {
  const ImapConfig& imap = context.config.imap;
  std::map<std::string, std::vector<std::uint32_t>> by_folder;
  for (const storage::Register::PendingMove& move : context.register_.pending_moves(mailbox)) {
    if (move.key.uidvalidity != uidvalidity) continue;
    const std::string& folder = move.held ? imap.review_folder : imap.processed_folder;
    if (folder == mailbox) continue;  // already where it belongs
    by_folder[folder].push_back(move.key.uid);
  }
  for (auto& [folder, uids] : by_folder) {
    spdlog::info("{} messages of {}: completing the move to {} left from an earlier run",
                 uids.size(), mailbox, folder);
    const RecordMoved record = [&](const std::vector<std::uint32_t>& moved) {
      record_moved(context.register_, mailbox, uidvalidity, moved);
    };
    co_await move_messages(session, std::move(uids), folder, record);
  }
}

}  // namespace contribd
