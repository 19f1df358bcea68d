#include "daemon/intake/intake_batches.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "daemon/event_log.h"
#include "daemon/intake/extract_message.h"
#include "daemon/intake/move_messages.h"
#include "daemon/intake/part_sink.h"
#include "daemon/notify.h"

namespace contribd {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

std::vector<std::uint32_t> uids_of(const std::vector<PendingMessage>& batch) {
  std::vector<std::uint32_t> uids;
  for (const PendingMessage& message : batch) uids.push_back(message.key.uid);
  return uids;
}

using Clock = std::chrono::steady_clock;

// Batches fetched and not yet settled, one per stage (registering, being taken apart, just
// fetched): bounds the spool files (each at most plan_batches()'s max_bytes, in memory up to
// SpoolFile::kSpoolInMemoryBytes) while the fetch runs ahead of the registration.
constexpr std::size_t kQueuedBatches = 3;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct FetchedBatch {
  std::vector<PendingMessage> pending;
  imap::SpooledBatch spooled;
  double fetch_seconds = 0;
};

awaitable<void> fetch_into(imap::Session& session, std::vector<PendingMessage> pending,
                           std::filesystem::path folder, FetchedBatch& out) {
  const Clock::time_point start = Clock::now();
  std::uint64_t expected_bytes = 0;
  for (const PendingMessage& message : pending) expected_bytes += message.size;
  out.spooled = co_await session.fetch_batch(uids_of(pending), std::move(folder), expected_bytes);
  out.pending = std::move(pending);
  out.fetch_seconds = seconds_since(start);
}

// The fetched messages in the order they were planned (the numbers follow it), not the
// server's UID order.
std::vector<SpooledIntake> intakes_of(FetchedBatch& batch) {
  std::map<std::uint32_t, const imap::SpooledMessage*> by_uid;
  for (const imap::SpooledMessage& message : batch.spooled.messages) {
    by_uid[message.uid] = &message;
  }
  std::vector<SpooledIntake> intakes;
  for (const PendingMessage& planned : batch.pending) {
    const auto found = by_uid.find(planned.key.uid);
    if (found == by_uid.end()) continue;
    const imap::SpooledMessage& message = *found->second;
    intakes.push_back({planned.key, message.internal_date, &batch.spooled.file, message.body,
                       std::nullopt, planned.failures});
  }
  return intakes;
}

// One batch's registration, handed to the extract and register threads and back. It owns
// everything they read, spool files included, and they hold it too: should the pass be torn
// down while they run, nothing is freed under them. They get their own copy of what SIGHUP may
// replace meanwhile (meetings, reply settings, templates); the register and the file store are
// the register thread's alone until it returns.
struct Registration {
  Registration(const IntakeContext& shared, FetchedBatch fetched)
      : config(shared.config),
        templates(shared.templates),
        context{config, shared.register_, shared.files, templates, shared.jail},
        batch(std::move(fetched)),
        intakes(intakes_of(batch)) {}
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  Config config;
  reply::Templates templates;
  IntakeContext context;
  FetchedBatch batch;
  std::vector<SpooledIntake> intakes;     // point into batch.spooled
  std::optional<TakenApart> taken_apart;  // the extract thread's, then the register thread's
  std::vector<std::optional<IntakeResult>> results;
  double take_apart_seconds = 0;
  double register_seconds = 0;
  bool done = false;  // read and written on the I/O thread only
};

void log_results(Registration& work) {
  spdlog::debug(
      "batch of {} messages: fetched in {:.3f} s, taken apart in {:.3f} s, registered in {:.3f} s",
      work.intakes.size(), work.batch.fetch_seconds, work.take_apart_seconds,
      work.register_seconds);
  for (std::size_t i = 0; i < work.intakes.size(); ++i) {
    if (work.results[i]) log_result(work.intakes[i].key, *work.results[i]);
  }
}

// Takes a batch apart on the extract thread, while the register thread registers the batch
// before it: nothing here touches the IMAP session or the register.
void take_apart_now(Registration& work) {
  const Clock::time_point start = Clock::now();
  notify::work_started();
  try {
    work.taken_apart = take_apart_batch(work.context, work.intakes);
  } catch (const std::exception& error) {
    // take_apart_batch() keeps each message's own error; this is what is left (memory).
    spdlog::error("a batch of {} messages could not be taken apart: {}", work.intakes.size(),
                  error.what());
  }
  work.take_apart_seconds = seconds_since(start);
  notify::work_finished();
}

// Registers a batch on the register thread: nothing here touches the IMAP session. The results
// are logged here too, so that the I/O thread can go on fetching at once.
void register_now(Registration& work) {
  const Clock::time_point start = Clock::now();
  notify::work_started();
  try {
    if (work.taken_apart) {
      work.results = register_taken_apart(work.context, work.intakes, std::move(*work.taken_apart),
                                          storage::now_utc());
    }
    work.taken_apart.reset();  // part files not registered go
    work.register_seconds = seconds_since(start);
    log_results(work);
  } catch (const std::exception& error) {
    // register_taken_apart() reports each message's own failure; this is what is left (the log).
    spdlog::error("a batch of {} messages: {}", work.intakes.size(), error.what());
  }
  if (work.results.size() != work.intakes.size()) work.results.assign(work.intakes.size(), {});
  notify::work_finished();
}

// Batches handed on in the order they were fetched, taken apart on the extract thread, then
// registered on the register thread, and taken back in the same order: while one batch
// registers, the next is taken apart and the one after it fetched. The register and the file
// store are the register thread's alone until the pass ends.
class RegistrationQueue {
 public:
  explicit RegistrationQueue(asio::any_io_executor io)
      : io_(std::move(io)), signal_(std::make_shared<Signal>(io_)) {}
  RegistrationQueue(const RegistrationQueue&) = delete;
  RegistrationQueue& operator=(const RegistrationQueue&) = delete;
  ~RegistrationQueue() {
    extractor_.join();  // it hands its batches on to the register thread
    registrar_.join();
  }

  void submit(std::shared_ptr<Registration> work) {
    queued_.push_back(work);
    asio::post(extractor_,
               [work, registrar = registrar_.get_executor(), io = io_, signal = signal_] {
                 take_apart_now(*work);
                 asio::post(registrar, [work, io, signal] {
                   register_now(*work);
                   // Back on the I/O thread, which alone reads `done`.
                   asio::post(io, [work, signal] {
                     work->done = true;
                     signal->timer.cancel();
                   });
                 });
               });
  }

  // Runs `job` on the register thread: what touches the register during a pass runs there,
  // one thing at a time.
  template <typename Job>
  void on_register_thread(Job job) {
    asio::post(registrar_, std::move(job));
  }

  bool empty() const { return queued_.empty(); }
  std::size_t size() const { return queued_.size(); }
  bool oldest_done() const { return !queued_.empty() && queued_.front()->done; }

  // The oldest batch, once registered.
  awaitable<std::shared_ptr<Registration>> take_oldest() {
    std::shared_ptr<Registration> oldest = queued_.front();
    while (!oldest->done) {
      co_await signal_->timer.async_wait(asio::as_tuple(asio::use_awaitable));  // woken by cancel
    }
    queued_.pop_front();
    co_return oldest;
  }

 private:
  // Shared with the handlers, which may outlive the queue when the I/O context is torn down.
  struct Signal {
    explicit Signal(const asio::any_io_executor& io)
        : timer(io, asio::steady_timer::time_point::max()) {}
    asio::steady_timer timer;
  };

  asio::any_io_executor io_;
  std::shared_ptr<Signal> signal_;
  std::deque<std::shared_ptr<Registration>> queued_;
  asio::thread_pool extractor_{1};
  asio::thread_pool registrar_{1};
};

void note_vanished(const FetchedBatch& batch, SweepCounts& counts) {
  if (batch.spooled.messages.size() == batch.pending.size()) return;
  const std::size_t missing = batch.pending.size() - batch.spooled.messages.size();
  spdlog::warn(
      "{} of {} messages were not returned by the server (expunged meanwhile?); "
      "they are looked at again on the next pass",
      missing, batch.pending.size());
  counts.failed += static_cast<int>(missing);
}

// Counts the results and notes where each committed message goes, by folder.
std::map<std::string, std::vector<std::uint32_t>> settle(const Registration& work,
                                                         SweepCounts& counts) {
  note_vanished(work.batch, counts);
  std::map<std::string, std::vector<std::uint32_t>> moves;
  for (std::size_t i = 0; i < work.intakes.size(); ++i) {
    const std::optional<IntakeResult>& result = work.results[i];
    if (!result) {
      ++counts.failed;
      continue;
    }
    count_outcome(counts, result->outcome);
    const std::optional<std::string> folder =
        destination_folder(work.config.imap, result->destination);
    if (folder) moves[*folder].push_back(work.intakes[i].key.uid);
  }
  return moves;
}

// SPEC step 5: a batch's messages leave the watched folder as soon as it is committed, with one
// UID MOVE per destination, while the next batch registers. The moves are recorded on the
// register thread, after the registration it may be running (the register is that thread's
// during a pass); a failure to record leaves them to the next pass.
awaitable<void> move_settled(imap::Session& session, RegistrationQueue& queue,
                             const Registration& work,
                             std::map<std::string, std::vector<std::uint32_t>> moves) {
  if (work.intakes.empty()) co_return;
  const storage::MessageKey& any_key = work.intakes.front().key;
  storage::Register& register_ = work.context.register_;
  const RecordMoved record_on_register_thread = [&](const std::vector<std::uint32_t>& uids) {
    queue.on_register_thread([&register_, any_key, uids] {
      try {
        record_moved(register_, any_key.mailbox, any_key.uidvalidity, uids);
      } catch (const std::exception& error) {
        spdlog::error("{} messages moved but not recorded as moved (the next pass does it): {}",
                      uids.size(), error.what());
      }
    });
  };
  for (auto& [folder, uids] : moves) {
    co_await move_messages(session, std::move(uids), folder, record_on_register_thread);
  }
}

}  // namespace

std::filesystem::path spool_folder(const IntakeContext& context) {
  const std::filesystem::path folder = context.files.files_dir() / ".contribd-spool";
  std::filesystem::create_directories(folder);
  PartSink::remove_stale(folder);
  return folder;
}

std::vector<std::vector<PendingMessage>> plan_batches(std::vector<PendingMessage> pending,
                                                      std::size_t first_messages,
                                                      std::size_t max_messages,
                                                      std::uint64_t max_bytes) {
  std::vector<std::vector<PendingMessage>> batches;
  std::size_t batch_messages = std::max<std::size_t>(1, std::min(first_messages, max_messages));
  std::uint64_t bytes = 0;
  for (PendingMessage& message : pending) {
    const bool full = !batches.empty() &&
                      (batches.back().size() >= batch_messages || bytes + message.size > max_bytes);
    if (batches.empty() || full) {
      if (full) batch_messages = std::min(batch_messages * 2, max_messages);
      batches.emplace_back();
      bytes = 0;
    }
    bytes += message.size;
    batches.back().push_back(std::move(message));
  }
  // The last batch is registered with nothing left to fetch beside it: halved until small,
  // each half is fetched while the one before it registers.
  while (batches.size() > 1 && batches.back().size() >= 2 * first_messages) {
    std::vector<PendingMessage>& last = batches.back();
    const auto middle = last.begin() + static_cast<std::ptrdiff_t>((last.size() + 1) / 2);
    std::vector<PendingMessage> tail(std::make_move_iterator(middle),
                                     std::make_move_iterator(last.end()));
    last.erase(middle, last.end());
    batches.push_back(std::move(tail));
  }
  return batches;
}

void log_result(const storage::MessageKey& key, const IntakeResult& result) {
  const std::string uid = std::to_string(key.uid);
  const std::string document = result.document_number ? result.document_number->text() : "";
  const std::string& sender = result.sender;
  const std::string& message_id = result.message_id;
  const std::string outcome = storage::to_string(result.outcome);
  const std::string suffix = result.reason.empty() ? "" : "; " + result.reason;
  if (result.seen_before) {
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
    case storage::Outcome::held:
      log_event(spdlog::level::warn,
                fmt::format("UID {}: held for a person (contribd review), from {}: {}", uid,
                            sender.empty() ? "an unknown sender" : sender, result.reason),
                {{"CONTRIBD_UID", uid},
                 {"CONTRIBD_SENDER", sender},
                 {"CONTRIBD_MESSAGE_ID", message_id},
                 {"CONTRIBD_OUTCOME", outcome}});
      break;
  }
}

awaitable<void> fetch_and_register(imap::Session& session, IntakeContext& context,
                                   std::vector<PendingMessage> pending, SweepCounts& counts,
                                   const bool* stop_requested) {
  const auto stopping = [&] { return stop_requested && *stop_requested; };
  if (pending.empty() || stopping()) co_return;
  const std::filesystem::path folder = spool_folder(context);
  std::vector<std::vector<PendingMessage>> batches = plan_batches(std::move(pending));
  RegistrationQueue queue(co_await asio::this_coro::executor);
  std::exception_ptr failure;
  // Takes the oldest batch once registered, counts it and moves what it committed; after an
  // IMAP failure the moves are left to the next pass (the register knows them as not moved).
  const auto settle_oldest = [&]() -> awaitable<void> {
    std::shared_ptr<Registration> work = co_await queue.take_oldest();
    auto moves = settle(*work, counts);
    if (failure) co_return;
    try {
      co_await move_settled(session, queue, *work, std::move(moves));
    } catch (...) {
      failure = std::current_exception();
    }
  };
  try {
    for (std::vector<PendingMessage>& planned : batches) {
      // A batch not fetched yet stays unread in the folder for the next run.
      if (stopping() || failure) break;
      while (queue.size() >= kQueuedBatches) co_await settle_oldest();
      if (failure) break;
      FetchedBatch fetched;
      co_await fetch_into(session, std::move(planned), folder, fetched);
      queue.submit(std::make_shared<Registration>(context, std::move(fetched)));
      while (queue.oldest_done() && !failure) co_await settle_oldest();
    }
  } catch (...) {
    failure = std::current_exception();
  }
  // What was fetched is registered in any case: the register thread must be done with the
  // register before anyone else uses it.
  while (!queue.empty()) co_await settle_oldest();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace contribd
