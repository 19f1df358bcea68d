#include "daemon/intake/register_message.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <variant>

#include "daemon/intake/crash_marker.h"
#include "daemon/intake/extract_message.h"
#include "daemon/intake/queue_reply.h"
#include "daemon/intake/registration.h"
#include "daemon/intake/revisions.h"
#include "daemon/notify.h"
#include "daemon/policy/deadline.h"
#include "daemon/policy/document_facts.h"
#include "daemon/policy/reply_decision.h"
#include "parsers/ascii_text.h"
#include "parsers/mime_extract.h"

namespace contribd {
namespace {

// A message that failed this many times is held (SPEC step 7).

std::vector<std::string> file_hashes(const mime::ParsedMessage& message) {
  std::vector<std::string> hashes;
  for (const auto& file : message.files) hashes.push_back(file.sha256_hex);
  return hashes;
}

std::vector<storage::NewFile> new_files(const mime::ParsedMessage& message) {
  std::vector<storage::NewFile> files;
  for (const auto& file : message.files) {
    files.push_back(
        {file.filename, file.content_type, file.data, file.sha256_hex, file.spooled_path});
  }
  return files;
}

std::vector<storage::StoredFile> stored_view(const mime::ParsedMessage& message) {
  std::vector<storage::StoredFile> files;
  for (const auto& file : message.files) {
    files.push_back({file.filename, file.content_type, file.size, file.sha256_hex, ""});
  }
  return files;
}

// Records the outcome of `key` and forgets its failures; inside the transaction.
void settle(IntakeContext& context, const storage::MessageKey& key,
            const mime::ParsedMessage& message, const IntakeResult& result) {
  context.register_.record_examined(key, message.message_id, message.raw_sha256_hex,
                                    {result.outcome, result.document_number, result.reason, false});
  context.register_.clear_attempts(key);
}

// A message seen before under another UIDVALIDITY is recognised by Message-ID and content
// hash and recorded under its new key; it is never registered twice. Inside a transaction.
std::optional<IntakeResult> adopt_known_content(IntakeContext& context,
                                                const storage::MessageKey& key,
                                                const mime::ParsedMessage& message) {
  auto known = context.register_.examined_by_content(message.message_id, message.raw_sha256_hex);
  if (!known) return std::nullopt;
  storage::Examined record = *known;
  record.moved = false;
  record.reason = "already examined under an earlier UIDVALIDITY";
  context.register_.record_examined(key, message.message_id, message.raw_sha256_hex, record);
  context.register_.clear_attempts(key);
  Destination destination = Destination::stay;
  if (known->outcome == storage::Outcome::registered ||
      known->outcome == storage::Outcome::duplicate) {
    destination = Destination::processed;
  } else if (known->outcome == storage::Outcome::held) {
    destination = Destination::review;
  }
  IntakeResult result{known->outcome,
                      known->document_number,
                      record.reason,
                      destination,
                      "",
                      message.message_id,
                      true};
  return result;
}

// Held for a person (SPEC step 7): recorded with its reason, no number, no reply; moved to
// the review folder once committed. Inside a transaction.
IntakeResult hold(IntakeContext& context, const storage::MessageKey& key, UtcTime received,
                  const mime::ParsedMessage& message, storage::HoldCause cause,
                  const std::string& reason, UtcTime now,
                  const std::optional<Acceptance>& accepted = std::nullopt) {
  if (accepted) {
    // Already in the review folder and listed there: it stays, with the new reason.
    context.register_.reject_acceptance(accepted->held_id, reason);
    IntakeResult result{storage::Outcome::held,
                        std::nullopt,
                        reason,
                        Destination::stay,
                        ascii::lower(message.from_address),
                        message.message_id};
    settle(context, key, message, result);
    note_event(context, "acceptance failed", std::nullopt, message.message_id, reason, now);
    return result;
  }
  storage::HeldMessage held;
  held.message_id = message.message_id;
  held.raw_sha256 = message.raw_sha256_hex;
  held.found = key;
  held.review_folder = context.config.imap.review_folder;
  held.received_at = received;
  held.sender = ascii::lower(message.from_address);
  held.subject = message.subject;
  held.cause = cause;
  held.reason = reason;
  for (const auto& file : message.files) held.files.push_back({file.filename, file.size});
  held.held_at = now;
  context.register_.hold(held);
  IntakeResult result{storage::Outcome::held, std::nullopt, reason,
                      Destination::review,    held.sender,  message.message_id};
  settle(context, key, message, result);
  note_event(context, "held", std::nullopt, message.message_id,
             fmt::format("{} (UID {}): {}", storage::to_string(cause), key.uid, reason), now);
  return result;
}

// The meeting by the receipt time (SPEC step 2), or the one a person chose on accepting.
Placement place(const IntakeContext& context, UtcTime received,
                const std::optional<Acceptance>& accepted) {
  if (accepted && accepted->meeting) {
    for (const Meeting& meeting : context.config.meetings) {
      if (meeting.id == *accepted->meeting) return {&meeting, received > meeting.deadline};
    }
  }
  const policy::Assignment assignment = policy::assign_meeting(context.config.meetings, received);
  return {assignment.meeting, assignment.late};
}

// The meeting of a contribution that is revised; on time or late by the revision's receipt.
Placement place_revision(const IntakeContext& context, const storage::Contribution& original,
                         UtcTime received, const Placement& by_time) {
  for (const Meeting& meeting : context.config.meetings) {
    if (meeting.id == original.meeting_id) return {&meeting, received > meeting.deadline};
  }
  return by_time;  // the meeting left the configuration: the receipt time decides
}

// Revision n of `original` (step 9): no new number, its files under rev<n>/, the document facts
// replaced when its cover sheet was found.
Registered register_revision(IntakeContext& context, const mime::ParsedMessage& message,
                             const storage::Contribution& original, const Placement& placement,
                             UtcTime received, bool batched) {
  Registered done;
  done.placement = placement;
  done.result.sender = ascii::lower(message.from_address);
  done.result.message_id = message.message_id;
  const storage::DocumentFacts own = policy::document_facts(message.files, message.subject);
  const int number = context.register_.next_revision_number(original.id);
  done.files = batched ? context.files.store_deferred(original.meeting_id, original.document_number,
                                                      new_files(message), number)
                       : context.files.store(original.meeting_id, original.document_number,
                                             new_files(message), number);
  storage::Revision revision;
  revision.number = number;
  revision.message_id = message.message_id;
  revision.subject = message.subject;
  revision.received_at = received;
  revision.late = placement.late;
  revision.files = done.files;
  context.register_.insert_revision(original.id, revision);
  // The meeting sees the latest cover sheet; without one the original's facts stay, and the
  // acknowledgement shows those (asking for the template when this revision's .docx lacked it).
  if (own.template_use == storage::TemplateUse::itu) {
    context.register_.set_document_facts(original.id, own);
    done.document = own;
  } else {
    done.document = original.document;
    done.document.template_use = own.template_use;
  }
  done.contribution_id = original.id;
  done.revision = number;
  done.result.outcome = storage::Outcome::registered;
  done.result.document_number = original.document_number;
  done.result.reason = "as " + policy::revision_label(original.document_number, number);
  done.result.destination = Destination::processed;
  return done;
}

// The same files from the same sender again (step 8): the reply names the existing number.
Registered duplicate_of(const mime::ParsedMessage& message, const storage::DocumentNumber& existing,
                        const Placement& placement) {
  Registered done;
  done.placement = placement;
  done.result.sender = ascii::lower(message.from_address);
  done.result.message_id = message.message_id;
  done.result.outcome = storage::Outcome::duplicate;
  done.result.document_number = existing;
  done.result.reason =
      fmt::format("the same files from {} are already registered", done.result.sender);
  done.result.destination = Destination::processed;
  done.files = stored_view(message);
  return done;
}

// A new number and the files stored (step 3).
Registered register_new(IntakeContext& context, const mime::ParsedMessage& message,
                        const Placement& placement, UtcTime received, bool batched) {
  const Meeting& meeting = *placement.meeting;
  Registered done;
  done.placement = placement;
  done.result.sender = ascii::lower(message.from_address);
  done.result.message_id = message.message_id;
  done.document = policy::document_facts(message.files, message.subject);
  const storage::DocumentNumber number =
      context.register_.next_document_number(meeting.document_prefix, meeting.first_number);
  done.files = batched ? context.files.store_deferred(meeting.id, number, new_files(message))
                       : context.files.store(meeting.id, number, new_files(message));
  storage::Contribution contribution{.document_number = number};
  contribution.meeting_id = meeting.id;
  contribution.sender = done.result.sender;
  contribution.subject = message.subject;
  contribution.message_id = message.message_id;
  contribution.received_at = received;
  contribution.late = placement.late;
  contribution.files = done.files;
  contribution.document = done.document;
  done.contribution_id = context.register_.insert_contribution(contribution);
  done.result.outcome = storage::Outcome::registered;
  done.result.document_number = number;
  done.result.destination = Destination::processed;
  return done;
}

// What ends the examination before anything is registered: content registered under an
// earlier UIDVALIDITY, a message over the limits, one without files. An accepted message was
// examined before (held): a person decided, it is examined anew.
std::optional<IntakeResult> screen(IntakeContext& context, const SpooledIntake& intake,
                                   const mime::ParsedMessage& message, UtcTime now) {
  if (!intake.accepted) {
    if (auto known = adopt_known_content(context, intake.key, message)) return known;
  }
  if (message.over_limit) {
    return hold(context, intake.key, intake.received, message, storage::HoldCause::limit,
                *message.over_limit, now, intake.accepted);
  }
  if (message.files.empty()) {
    IntakeResult result{storage::Outcome::skipped,
                        std::nullopt,
                        "no attached file",
                        Destination::stay,
                        ascii::lower(message.from_address),
                        message.message_id};
    settle(context, intake.key, message, result);
    return result;
  }
  return std::nullopt;
}

// A duplicate (step 8), a revision (step 9) or a new number (step 3). A revision of a withdrawn
// document is held for a person instead: then the hold's result comes back.
std::variant<Registered, IntakeResult> register_contribution(IntakeContext& context,
                                                             const SpooledIntake& intake,
                                                             const mime::ParsedMessage& message,
                                                             UtcTime now, bool batched) {
  const UtcTime received = intake.received;
  const Placement by_time = place(context, received, intake.accepted);
  const std::string sender = ascii::lower(message.from_address);
  if (auto existing = context.register_.find_duplicate(sender, file_hashes(message))) {
    return duplicate_of(message, *existing, by_time);
  }
  const policy::RevisionDecision revision = policy::decide_revision(
      sender, revision_candidates(context.register_, context.config, message));
  if (revision.verdict == policy::RevisionVerdict::hold_withdrawn && !intake.accepted) {
    return hold(context, intake.key, received, message, storage::HoldCause::withdrawn,
                fmt::format("a revision of {}, which was withdrawn", *revision.document_number),
                now);
  }
  if (revision.verdict == policy::RevisionVerdict::revision) {
    const auto original = context.register_.find(*revision.document_number);
    return register_revision(context, message, *original,
                             place_revision(context, *original, received, by_time), received,
                             batched);
  }
  return register_new(context, message, by_time, received, batched);
}

// What the register keeps beside the contribution: the sender's authentication evidence and
// the event; and in the log, the documents whose cover sheet could not be read.
void record_registration(IntakeContext& context, const SpooledIntake& intake,
                         const mime::ParsedMessage& message, const Registered& done,
                         const std::optional<policy::SenderTrust>& trust, UtcTime now) {
  const IntakeResult& result = done.result;
  if (trust && done.contribution_id && !done.revision && !trust->evidence.empty()) {
    context.register_.set_authentication(*done.contribution_id, trust->evidence);
  }
  for (const std::string& unread : policy::unread_documents(message.files)) {
    spdlog::warn("UID {} {}: cover sheet not read: {}", intake.key.uid, message.message_id, unread);
  }
  const std::string_view timing = done.placement.late ? "late" : "on time";
  if (done.revision) {
    note_event(context, "revision registered", result.document_number, message.message_id,
               fmt::format("{} from {}, {}, {} files", result.reason, result.sender, timing,
                           done.files.size()),
               now);
  } else if (result.outcome == storage::Outcome::registered) {
    note_event(context, intake.accepted ? "accepted and registered" : "registered",
               result.document_number, message.message_id,
               fmt::format("from {}, {}, {} files", result.sender, timing, done.files.size()), now);
  }
}

// Inside a transaction. `batched`: the files wait for FileStore::sync_deferred() before the
// commit; otherwise they are durable when stored. The steps in order: screen, hold robots,
// register, record, decide the reply and queue it, settle the message.
IntakeResult examine_in_transaction(IntakeContext& context, const SpooledIntake& intake,
                                    const mime::ParsedMessage& message, UtcTime now,
                                    bool batched = false) {
  if (auto screened = screen(context, intake, message, now)) return *screened;
  policy::ReplyInput input = reply_input(context, message);
  const std::optional<policy::HoldDecision> robot = policy::robot_or_list(input);
  if (robot && !intake.accepted) {
    return hold(context, intake.key, intake.received, message, storage::HoldCause::robot,
                fmt::format("{}: {}", policy::to_string(robot->rule), robot->reason), now);
  }
  auto registered = register_contribution(context, intake, message, now, batched);
  if (auto* held = std::get_if<IntakeResult>(&registered)) return *held;
  Registered& done = std::get<Registered>(registered);
  const std::optional<policy::SenderTrust> trust = judge_sender(context, input);
  record_registration(context, intake, message, done, trust, now);
  const policy::ReplyDecision decision = decide_the_reply(context, input, trust, robot, now);
  queue_the_reply(context, message, done, intake.received, decision, now);
  if (intake.accepted) {
    context.register_.mark_held_registered(intake.accepted->held_id, *done.result.document_number);
  }
  settle(context, intake.key, message, done.result);
  return done.result;
}

// Held because taking it apart failed for good; in its own transaction.
IntakeResult hold_failed(IntakeContext& context, const SpooledIntake& intake,
                         const std::string& reason, UtcTime now) {
  const mime::ParsedMessage facts = header_facts(intake);
  auto transaction = context.register_.begin();
  IntakeResult result = hold(context, intake.key, intake.received, facts,
                             storage::HoldCause::failure, reason, now, intake.accepted);
  transaction.commit();
  return result;
}

IntakeResult hold_failed_times(IntakeContext& context, const SpooledIntake& intake, int failures,
                               UtcTime now) {
  return hold_failed(context, intake,
                     fmt::format("its processing failed {} times; the last time: {}", failures,
                                 context.register_.last_failure(intake.key)),
                     now);
}

std::optional<IntakeResult> hold_after_failures(IntakeContext& context, const SpooledIntake& intake,
                                                int failures, UtcTime now) {
  try {
    return hold_failed_times(context, intake, failures, now);
  } catch (const std::exception& error) {
    spdlog::error("UID {}: could not be held, will try again: {}", intake.key.uid, error.what());
    return std::nullopt;
  }
}

// A message that could not be taken apart: held at once when the extraction process was
// contained (it crashed, hung or ran out of memory), held at the third failure otherwise;
// nullopt when it is to be tried again on the next pass.
std::optional<IntakeResult> handle_failure(IntakeContext& context, const SpooledIntake& intake,
                                           const std::exception& error, UtcTime now) {
  if (dynamic_cast<const ExtractionAborted*>(&error) != nullptr) return std::nullopt;
  // The register or the file store failed (locked, disk full, read-only): not the message's
  // fault, so not counted against it; it stays in the folder and is tried again.
  if (dynamic_cast<const storage::StorageError*>(&error) != nullptr ||
      dynamic_cast<const std::system_error*>(&error) != nullptr) {
    spdlog::error("UID {}: could not be registered, will try again: {}", intake.key.uid,
                  error.what());
    return std::nullopt;
  }
  if (dynamic_cast<const ParserContained*>(&error) != nullptr) {
    return hold_failed(context, intake, fmt::format("could not be taken apart: {}", error.what()),
                       now);
  }
  int failures = 0;
  {
    auto transaction = context.register_.begin();
    failures = context.register_.count_failure(intake.key, error.what());
    transaction.commit();
  }
  if (failures < kFailuresBeforeHold) {
    spdlog::error("UID {}: could not be registered (failure {} of {}), will try again: {}",
                  intake.key.uid, failures, kFailuresBeforeHold, error.what());
    return std::nullopt;
  }
  return hold_failed_times(context, intake, failures, now);
}

// Failures are counted and held in their own transactions; if even that fails (the register
// cannot be written), the message is simply tried again later.
std::optional<IntakeResult> handle_failure_safely(IntakeContext& context,
                                                  const SpooledIntake& intake,
                                                  const std::exception& error, UtcTime now) {
  try {
    return handle_failure(context, intake, error, now);
  } catch (const std::exception& second) {
    spdlog::error(
        "UID {}: could not be registered, will try again: {}; and recording the "
        "failure failed too: {}",
        intake.key.uid, error.what(), second.what());
    return std::nullopt;
  }
}

std::optional<IntakeResult> register_alone(IntakeContext& context, const SpooledIntake& intake,
                                           UtcTime now) {
  crash_marker::set_current(intake.key);
  try {
    // Taken apart again: the failed batch may have moved some part files already.
    const Examinable item = take_apart(context, intake);
    auto transaction = context.register_.begin();
    IntakeResult result = examine_in_transaction(context, intake, item.message, now);
    transaction.commit();
    crash_marker::set_current(std::nullopt);
    return result;
  } catch (const std::exception& error) {
    crash_marker::set_current(std::nullopt);
    return handle_failure_safely(context, intake, error, now);
  }
}

}  // namespace

void note_event(IntakeContext& context, std::string action,
                const std::optional<storage::DocumentNumber>& document_number,
                const std::string& message_id, std::string detail, UtcTime now) {
  context.register_.record_event(
      storage::Event{now, "contribd", std::move(action), document_number,
                     message_id.empty() ? std::nullopt : std::optional<std::string>(message_id),
                     std::move(detail)});
}

std::vector<std::optional<IntakeResult>> register_taken_apart(
    IntakeContext& context, const std::vector<SpooledIntake>& batch, TakenApart taken,
    UtcTime now) {
  std::vector<std::optional<IntakeResult>> results(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].failed_too_often()) {
      results[i] = hold_after_failures(context, batch[i], batch[i].failures, now);
    }
  }
  for (const auto& [position, error] : taken.errors) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& failure) {
      results[position] = handle_failure_safely(context, batch[position], failure, now);
    } catch (...) {
      spdlog::error("UID {}: could not be taken apart (an unknown error), will try again",
                    batch[position].key.uid);
    }
  }
  std::vector<Examinable>& items = taken.items;
  try {
    auto transaction = context.register_.begin();
    for (std::size_t i = 0; i < items.size(); ++i) {
      crash_marker::set_current(items[i].intake->key);
      results[taken.positions[i]] =
          examine_in_transaction(context, *items[i].intake, items[i].message, now, true);
    }
    crash_marker::set_current(std::nullopt);
    const auto sync_started = std::chrono::steady_clock::now();
    context.files.sync_deferred();
    transaction.commit();
    spdlog::debug(
        "batch of {} messages: files and register made durable in {:.3f} s", items.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_started).count());
    return results;
  } catch (const storage::StorageError& error) {
    crash_marker::set_current(std::nullopt);
    context.files.drop_deferred();
    if (error.busy()) {
      // Each alone would wait out the same lock again: the whole batch is tried on a later pass.
      spdlog::warn("register: a batch of {} messages waits: {}; tried again on the next pass",
                   items.size(), error.what());
      return results;
    }
    spdlog::warn("a batch of {} messages could not be registered together ({}); trying each alone",
                 items.size(), error.what());
  } catch (const std::exception& error) {
    crash_marker::set_current(std::nullopt);
    context.files.drop_deferred();
    spdlog::warn("a batch of {} messages could not be registered together ({}); trying each alone",
                 items.size(), error.what());
  }
  items.clear();  // their part files go
  for (std::size_t position : taken.positions) {
    results[position] = register_alone(context, batch[position], now);
  }
  return results;
}

std::vector<std::optional<IntakeResult>> register_batch(IntakeContext& context,
                                                        const std::vector<SpooledIntake>& batch,
                                                        UtcTime now) {
  return register_taken_apart(context, batch, take_apart_batch(context, batch), now);
}

IntakeResult hold_unfetched(IntakeContext& context, const storage::MessageKey& key,
                            UtcTime received, const std::string& reason) {
  mime::ParsedMessage nothing;
  nothing.raw_sha256_hex = fmt::format("unfetched:{}:{}:{}", key.mailbox, key.uidvalidity, key.uid);
  auto transaction = context.register_.begin();
  IntakeResult result =
      hold(context, key, received, nothing, storage::HoldCause::limit, reason, storage::now_utc());
  transaction.commit();
  return result;
}

}  // namespace contribd
