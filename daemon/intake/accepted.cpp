#include "daemon/intake/accepted.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "daemon/intake/intake_batches.h"
#include "daemon/intake/move_messages.h"

namespace contribd {
namespace {

using boost::asio::awaitable;

void note_error(IntakeContext& context, const storage::HeldMessage& held,
                const std::string& error) {
  spdlog::warn("accepted message {}: {}; tried again at the next pass", held.message_id, error);
  auto transaction = context.register_.begin();
  context.register_.note_held_error(held.id, error);
  transaction.commit();
}

// The accepted message, fetched from the review folder into a spool file; nullopt (the error
// noted) when it is not there.
awaitable<std::optional<imap::SpooledBatch>> fetch_accepted(imap::Session& session,
                                                            IntakeContext& context,
                                                            const storage::HeldMessage& held,
                                                            const std::filesystem::path& spool) {
  if (held.message_id.empty()) {
    note_error(context, held, "it has no Message-ID to find it by in " + held.review_folder);
    co_return std::nullopt;
  }
  const std::vector<std::uint32_t> uids =
      co_await session.search_header("Message-ID", held.message_id);
  if (uids.empty()) {
    note_error(context, held, "it is no longer in " + held.review_folder);
    co_return std::nullopt;
  }
  // Named, not braced: g++ 12 mishandles initializer lists inside co_await.
  std::vector<std::uint32_t> first{uids.front()};
  imap::SpooledBatch batch = co_await session.fetch_batch(std::move(first), spool);
  if (batch.messages.empty()) {
    note_error(context, held, "it vanished from " + held.review_folder + " while being fetched");
    co_return std::nullopt;
  }
  co_return batch;
}

awaitable<void> register_one(imap::Session& session, IntakeContext& context,
                             const storage::HeldMessage& held, std::uint32_t uidvalidity,
                             const std::filesystem::path& spool, SweepCounts& counts) {
  std::optional<imap::SpooledBatch> batch = co_await fetch_accepted(session, context, held, spool);
  if (!batch) co_return;
  const imap::SpooledMessage& message = batch->messages.front();
  const storage::MessageKey key{held.review_folder, uidvalidity, message.uid};
  const SpooledIntake intake{key,
                             held.received_at,
                             &batch->file,
                             message.body,
                             Acceptance{held.id, held.accept_meeting},
                             context.register_.failures(key)};
  const std::vector<SpooledIntake> batch_of_one{intake};
  const std::optional<IntakeResult> result =
      register_batch(context, batch_of_one, storage::now_utc()).front();
  if (!result) co_return;  // logged; tried again at the next pass
  log_result(key, *result);
  count_outcome(counts, result->outcome);
  if (result->outcome == storage::Outcome::skipped) {
    auto transaction = context.register_.begin();
    context.register_.reject_acceptance(held.id, "it carries no file to register");
    transaction.commit();
    co_return;
  }
  if (result->destination != Destination::processed) co_return;
  std::vector<std::uint32_t> to_move{message.uid};
  const RecordMoved record = [&](const std::vector<std::uint32_t>& moved) {
    record_moved(context.register_, key.mailbox, key.uidvalidity, moved);
  };
  co_await move_messages(session, std::move(to_move), context.config.imap.processed_folder, record);
}

}  // namespace

awaitable<void> register_accepted(imap::Session& session, IntakeContext& context,
                                  SweepCounts& counts) {
  const std::vector<storage::HeldMessage> accepted =
      context.register_.held_messages(storage::HeldState::accepted);
  if (accepted.empty() &&
      context.register_.pending_moves(context.config.imap.review_folder).empty())
    co_return;
  const imap::MailboxState review = co_await session.select(context.config.imap.review_folder);
  // Accepted messages registered before a crash and not yet moved on.
  co_await complete_moves(session, context, context.config.imap.review_folder, review.uidvalidity);
  const std::filesystem::path spool = spool_folder(context);
  for (const storage::HeldMessage& held : accepted) {
    co_await register_one(session, context, held, review.uidvalidity, spool, counts);
  }
}

}  // namespace contribd
