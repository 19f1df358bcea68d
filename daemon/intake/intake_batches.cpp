#include "daemon/intake/intake_batches.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>

#include "daemon/intake/part_sink.h"

namespace contribd {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace asio::experimental::awaitable_operators;

// A batch is one UID FETCH: short enough a command line, bounded spool, and small enough
// that a stop request waits for at most one batch's registration.
constexpr std::size_t kBatchMessages = 100;
constexpr std::uint64_t kBatchBytes = 32ull << 20;

UtcTime now_utc() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::vector<std::vector<PendingMessage>> plan_batches(std::vector<PendingMessage> pending) {
  std::vector<std::vector<PendingMessage>> batches;
  std::uint64_t bytes = 0;
  for (PendingMessage& message : pending) {
    if (batches.empty() || batches.back().size() >= kBatchMessages ||
        (bytes + message.size > kBatchBytes && !batches.back().empty())) {
      batches.emplace_back();
      bytes = 0;
    }
    bytes += message.size;
    batches.back().push_back(std::move(message));
  }
  return batches;
}

std::vector<std::uint32_t> uids_of(const std::vector<PendingMessage>& batch) {
  std::vector<std::uint32_t> uids;
  for (const PendingMessage& message : batch) uids.push_back(message.key.uid);
  return uids;
}

// Beside the stored files, on the same file system; the dot keeps it apart from the meeting
// folders (safe names never start with one).
std::filesystem::path spool_folder(const IntakeContext& context) {
  const std::filesystem::path folder = context.files.files_dir() / ".contribd-spool";
  std::filesystem::create_directories(folder);
  PartSink::remove_stale(folder);
  return folder;
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

struct FetchedBatch {
  std::vector<PendingMessage> pending;
  std::vector<imap::SpooledMessage> spooled;
};

awaitable<void> fetch_into(imap::Session& session, std::vector<PendingMessage> pending,
                           std::filesystem::path folder, FetchedBatch& out) {
  out.spooled = co_await session.fetch_batch(uids_of(pending), std::move(folder));
  out.pending = std::move(pending);
}

// One batch's registration, handed to the worker thread and back.
struct Registration {
  IntakeContext* context = nullptr;
  std::vector<SpooledIntake> intakes;
  std::vector<std::optional<IntakeResult>> results;
};

// Runs on the worker thread: nothing here touches the IMAP session.
awaitable<void> register_on_worker(Registration& work) {
  work.results = register_batch(*work.context, work.intakes, now_utc());
  co_return;
}

awaitable<void> register_elsewhere(asio::thread_pool& worker, Registration& work) {
  co_await asio::co_spawn(worker, register_on_worker(work), asio::use_awaitable);
}

std::vector<SpooledIntake> intakes_of(FetchedBatch& batch) {
  std::vector<SpooledIntake> intakes;
  for (imap::SpooledMessage& message : batch.spooled) {
    storage::MessageKey key = batch.pending.front().key;
    key.uid = message.uid;
    intakes.push_back(
        {key, message.internal_date, &message.body, message.body.finish_sha256_hex()});
  }
  return intakes;
}

// Logs and counts the results; returns the UIDs to move.
std::vector<std::uint32_t> settle(const std::vector<SpooledIntake>& intakes,
                                  const std::vector<std::optional<IntakeResult>>& results,
                                  SweepCounts& counts) {
  std::vector<std::uint32_t> to_move;
  for (std::size_t i = 0; i < intakes.size(); ++i) {
    if (!results[i]) {
      ++counts.failed;
      continue;
    }
    log_result(intakes[i].key, *results[i]);
    count(counts, results[i]->outcome);
    if (results[i]->move) to_move.push_back(intakes[i].key.uid);
  }
  return to_move;
}

awaitable<void> move_committed(imap::Session& session, IntakeContext& context,
                               const storage::MessageKey& any_key,
                               const std::vector<std::uint32_t>& uids) {
  if (uids.empty()) co_return;
  co_await session.move_batch(uids, context.config.imap.processed_folder);
  auto transaction = context.register_.begin();
  storage::MessageKey key = any_key;
  for (std::uint32_t uid : uids) {
    key.uid = uid;
    context.register_.mark_moved(key);
  }
  transaction.commit();
}

void note_vanished(const FetchedBatch& batch, SweepCounts& counts) {
  if (batch.spooled.size() == batch.pending.size()) return;
  const std::size_t missing = batch.pending.size() - batch.spooled.size();
  spdlog::warn(
      "{} of {} messages were not returned by the server (expunged meanwhile?); "
      "they are looked at again on the next pass",
      missing, batch.pending.size());
  counts.failed += static_cast<int>(missing);
}

}  // namespace

void log_result(const storage::MessageKey& key, const IntakeResult& result) {
  switch (result.outcome) {
    case storage::Outcome::registered:
      spdlog::info("UID {}: registered {}{}", key.uid, *result.document_number,
                   result.reason.empty() ? "" : "; " + result.reason);
      break;
    case storage::Outcome::duplicate:
      spdlog::info("UID {}: not registered again: {} (existing {})", key.uid, result.reason,
                   *result.document_number);
      break;
    case storage::Outcome::skipped:
      spdlog::info("UID {}: left in the folder for people: {}", key.uid, result.reason);
      break;
    case storage::Outcome::rejected:
      spdlog::warn("UID {}: rejected: {}", key.uid, result.reason);
      break;
  }
}

awaitable<void> fetch_and_register(imap::Session& session, IntakeContext& context,
                                   std::vector<PendingMessage> pending, SweepCounts& counts) {
  if (pending.empty()) co_return;
  const std::filesystem::path folder = spool_folder(context);
  std::vector<std::vector<PendingMessage>> batches = plan_batches(std::move(pending));
  asio::thread_pool worker(1);

  FetchedBatch current;
  co_await fetch_into(session, std::move(batches[0]), folder, current);
  for (std::size_t next = 1; next <= batches.size(); ++next) {
    note_vanished(current, counts);
    Registration work;
    work.context = &context;
    work.intakes = intakes_of(current);
    FetchedBatch following;
    // The server streams the next batch while this one is extracted and registered.
    if (next < batches.size()) {
      co_await (register_elsewhere(worker, work) &&
                fetch_into(session, std::move(batches[next]), folder, following));
    } else {
      co_await register_elsewhere(worker, work);
    }
    const std::vector<std::uint32_t> to_move = settle(work.intakes, work.results, counts);
    co_await move_committed(session, context, current.pending.front().key, to_move);
    current = std::move(following);
  }
}

}  // namespace contribd
