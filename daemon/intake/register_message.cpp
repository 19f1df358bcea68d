#include "daemon/intake/register_message.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "daemon/intake/part_sink.h"
#include "daemon/policy/deadline.h"
#include "daemon/policy/reply_decision.h"
#include "parsers/mime_extract.h"

namespace contribd {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

mime::ExtractLimits extract_limits(const LimitsConfig& limits) {
  mime::ExtractLimits result;
  result.max_parts = static_cast<std::size_t>(limits.max_parts);
  result.max_depth = limits.max_depth;
  return result;
}

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

// The facts the reply policy decides on, taken from the message and the register. The
// hourly count needs the recipient, which the policy itself chooses: ask it twice.
policy::ReplyDecision decide(const IntakeContext& context, const mime::ParsedMessage& message,
                             UtcTime now) {
  policy::ReplyInput input;
  for (const auto& field : message.headers) input.headers.emplace_back(field.name, field.value);
  input.from_address = message.from_address;
  input.reply_to_address = message.reply_to_address;
  input.return_path = message.return_path;
  input.is_report = message.top_content_type == "multipart/report";
  input.secretariat_address = context.config.smtp.from;
  input.loop_marker = context.config.smtp.from;
  input.max_per_hour = context.config.replies.max_per_sender_per_hour;
  const std::string recipient = policy::decide_reply(input).recipient;
  if (!recipient.empty()) {
    input.replies_last_hour =
        context.register_.replies_sent_or_queued_to(recipient, now - std::chrono::hours(1));
  }
  return policy::decide_reply(input);
}

reply::ReplyFacts reply_facts(const IntakeContext& context, const mime::ParsedMessage& message,
                              const Meeting& meeting, bool late, bool duplicate,
                              const std::string& document_number,
                              const std::vector<storage::StoredFile>& files,
                              const std::string& recipient, UtcTime received, UtcTime now) {
  reply::ReplyFacts facts;
  facts.kind = late ? reply::ReplyKind::late : reply::ReplyKind::ack;
  facts.document_number = document_number;
  facts.duplicate = duplicate;
  facts.meeting_id = meeting.id;
  facts.meeting_title = meeting.title;
  facts.meeting_timezone = meeting.timezone;
  facts.received = received;
  facts.deadline = meeting.deadline;
  facts.original_subject = message.subject;
  facts.original_message_id = message.message_id;
  facts.original_references = message.references;
  for (const auto& file : files) facts.files.push_back({file.filename, file.size, file.sha256_hex});
  facts.recipient = recipient;
  facts.sender = message.from_address;
  facts.from_address = context.config.smtp.from;
  facts.from_name = context.config.smtp.from_name;
  facts.loop_marker = context.config.smtp.from;
  facts.now = now;
  return facts;
}

std::vector<storage::StoredFile> stored_view(const mime::ParsedMessage& message) {
  std::vector<storage::StoredFile> files;
  for (const auto& file : message.files) {
    files.push_back({file.filename, file.content_type, file.size, file.sha256_hex, ""});
  }
  return files;
}

// A message seen before under another UIDVALIDITY is recognised by Message-ID and content
// hash and recorded under its new key; it is never registered twice. Inside a transaction.
std::optional<IntakeResult> adopt_known_content(IntakeContext& context,
                                                const storage::MessageKey& key,
                                                const std::string& message_id,
                                                const std::string& raw_sha256) {
  auto known = context.register_.examined_by_content(message_id, raw_sha256);
  if (!known) return std::nullopt;
  storage::Examined record = *known;
  record.moved = false;
  record.reason = "already examined under an earlier UIDVALIDITY";
  context.register_.record_examined(key, message_id, raw_sha256, record);
  const bool move = known->outcome == storage::Outcome::registered ||
                    known->outcome == storage::Outcome::duplicate;
  return IntakeResult{known->outcome, known->document_number, record.reason, move};
}

void log_defects(const storage::MessageKey& key, const mime::ParsedMessage& message) {
  for (const auto& defect : message.defects) {
    spdlog::debug("UID {} {}: MIME defect: {}", key.uid, message.message_id, defect);
  }
}

// Inside a transaction. `batched`: the files wait for FileStore::sync_deferred() before the
// commit; otherwise they are durable when stored.
IntakeResult examine_in_transaction(IntakeContext& context, const storage::MessageKey& key,
                                    UtcTime received, const mime::ParsedMessage& message,
                                    UtcTime now, bool batched = false) {
  if (auto known = adopt_known_content(context, key, message.message_id, message.raw_sha256_hex)) {
    return *known;
  }
  if (message.files.empty()) {
    const IntakeResult result{storage::Outcome::skipped, std::nullopt, "no attached file", false};
    context.register_.record_examined(key, message.message_id, message.raw_sha256_hex,
                                      {result.outcome, std::nullopt, result.reason, false});
    return result;
  }

  const policy::Assignment assignment = policy::assign_meeting(context.config.meetings, received);
  const Meeting& meeting = *assignment.meeting;
  const std::string sender = lower(message.from_address);

  IntakeResult result;
  std::vector<storage::StoredFile> files;
  std::optional<std::int64_t> contribution_id;
  if (auto existing = context.register_.find_duplicate(sender, file_hashes(message))) {
    result = {storage::Outcome::duplicate, *existing,
              fmt::format("the same files from {} are already registered", sender), true};
    files = stored_view(message);
  } else {
    const std::string number =
        context.register_.next_document_number(meeting.document_prefix, meeting.first_number);
    files = batched ? context.files.store_deferred(meeting.id, number, new_files(message))
                    : context.files.store(meeting.id, number, new_files(message));
    storage::Contribution contribution;
    contribution.document_number = number;
    contribution.meeting_id = meeting.id;
    contribution.sender = sender;
    contribution.subject = message.subject;
    contribution.message_id = message.message_id;
    contribution.received_at = received;
    contribution.late = assignment.late;
    contribution.files = files;
    contribution_id = context.register_.insert_contribution(contribution);
    result = {storage::Outcome::registered, number, "", true};
  }

  const policy::ReplyDecision decision = decide(context, message, now);
  const storage::ReplyKind kind =
      assignment.late ? storage::ReplyKind::late : storage::ReplyKind::ack;
  std::string reply_message;
  if (decision.send) {
    reply_message = reply::compose_reply(
        reply_facts(context, message, meeting, assignment.late,
                    result.outcome == storage::Outcome::duplicate, *result.document_number, files,
                    decision.recipient, received, now),
        context.templates);
  }
  context.register_.queue_reply(
      contribution_id, *result.document_number, kind,
      decision.send ? storage::ReplyState::queued : storage::ReplyState::withheld,
      decision.send ? "" : fmt::format("{}: {}", decision.rule, decision.reason),
      decision.recipient, context.config.smtp.envelope_from, reply_message, now);
  if (!decision.send)
    result.reason = fmt::format("reply withheld ({}: {})", decision.rule, decision.reason);

  context.register_.record_examined(key, message.message_id, message.raw_sha256_hex,
                                    {result.outcome, result.document_number, result.reason, false});
  return result;
}

// A spooled message taken apart: its large files wait in the sink's part files.
struct Examinable {
  const SpooledIntake* intake;
  std::unique_ptr<PartSink> parts;
  mime::ParsedMessage message;  // raw_sha256_hex identifies it after a UIDVALIDITY change
};

Examinable take_apart(IntakeContext& context, const SpooledIntake& intake) {
  Examinable item{&intake, std::make_unique<PartSink>(intake.spool->folder()), {}};
  item.message =
      mime::extract_message_from_file(intake.spool->fd(), intake.body.offset, intake.body.size,
                                      extract_limits(context.config.limits), *item.parts);
  log_defects(intake.key, item.message);
  return item;
}

std::optional<IntakeResult> register_alone(IntakeContext& context, const SpooledIntake& intake,
                                           UtcTime now) {
  try {
    // Taken apart again: the failed batch may have moved some part files already.
    const Examinable item = take_apart(context, intake);
    auto transaction = context.register_.begin();
    IntakeResult result =
        examine_in_transaction(context, item.intake->key, item.intake->received, item.message, now);
    transaction.commit();
    return result;
  } catch (const std::exception& error) {
    // The register or the file store failed (disk full, permissions): nothing was committed,
    // so the message stays in the folder and is tried again on the next pass.
    spdlog::error("UID {}: could not be registered, will try again: {}", intake.key.uid,
                  error.what());
    return std::nullopt;
  }
}

}  // namespace

std::vector<std::optional<IntakeResult>> register_batch(IntakeContext& context,
                                                        const std::vector<SpooledIntake>& batch,
                                                        UtcTime now) {
  std::vector<std::optional<IntakeResult>> results(batch.size());
  std::vector<Examinable> items;
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      items.push_back(take_apart(context, batch[i]));
      positions.push_back(i);
    } catch (const std::exception& error) {
      spdlog::error("UID {}: could not be registered, will try again: {}", batch[i].key.uid,
                    error.what());
    }
  }
  try {
    auto transaction = context.register_.begin();
    for (std::size_t i = 0; i < items.size(); ++i) {
      results[positions[i]] = examine_in_transaction(
          context, items[i].intake->key, items[i].intake->received, items[i].message, now, true);
    }
    const auto sync_started = std::chrono::steady_clock::now();
    context.files.sync_deferred();
    transaction.commit();
    spdlog::debug(
        "batch of {} messages: files and register made durable in {:.3f} s", items.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_started).count());
    return results;
  } catch (const std::exception& error) {
    context.files.drop_deferred();
    spdlog::warn("a batch of {} messages could not be registered together ({}); trying each alone",
                 items.size(), error.what());
  }
  items.clear();  // their part files go
  for (std::size_t position : positions) {
    results[position] = register_alone(context, batch[position], now);
  }
  return results;
}

void record_rejected(IntakeContext& context, const storage::MessageKey& key,
                     const std::string& reason) {
  auto transaction = context.register_.begin();
  context.register_.record_examined(key, "", "",
                                    {storage::Outcome::rejected, std::nullopt, reason, false});
  transaction.commit();
}

}  // namespace contribd
