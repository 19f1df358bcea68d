#include "daemon/intake/register_message.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/policy/deadline.h"
#include "daemon/policy/reply_decision.h"
#include "parsers/mime_extract.h"
#include "parsers/sha256.h"

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
    files.push_back({file.filename, file.content_type, file.data, file.sha256_hex});
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
    files.push_back({file.filename, file.content_type, file.data.size(), file.sha256_hex, ""});
  }
  return files;
}

// A message seen before under another UIDVALIDITY is recognised by Message-ID and content
// hash and recorded under its new key; it is never registered twice.
std::optional<IntakeResult> adopt_known_content(IntakeContext& context,
                                                const storage::MessageKey& key,
                                                const std::string& message_id,
                                                const std::string& raw_sha256) {
  auto known = context.register_.examined_by_content(message_id, raw_sha256);
  if (!known) return std::nullopt;
  auto transaction = context.register_.begin();
  storage::Examined record = *known;
  record.moved = false;
  record.reason = "already examined under an earlier UIDVALIDITY";
  context.register_.record_examined(key, message_id, raw_sha256, record);
  transaction.commit();
  const bool move = known->outcome == storage::Outcome::registered ||
                    known->outcome == storage::Outcome::duplicate;
  return IntakeResult{known->outcome, known->document_number, record.reason, move};
}

}  // namespace

IntakeResult register_message(IntakeContext& context, const storage::MessageKey& key,
                              UtcTime received, std::string_view raw, UtcTime now) {
  const std::string raw_sha256 = mime::sha256_hex(raw);
  const mime::ParsedMessage message =
      mime::extract_message(raw, extract_limits(context.config.limits));
  for (const auto& defect : message.defects) {
    spdlog::debug("UID {} {}: MIME defect: {}", key.uid, message.message_id, defect);
  }
  if (auto known = adopt_known_content(context, key, message.message_id, raw_sha256)) {
    return *known;
  }

  auto transaction = context.register_.begin();
  if (message.files.empty()) {
    const IntakeResult result{storage::Outcome::skipped, std::nullopt, "no attached file", false};
    context.register_.record_examined(key, message.message_id, raw_sha256,
                                      {result.outcome, std::nullopt, result.reason, false});
    transaction.commit();
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
    files = context.files.store(meeting.id, number, new_files(message));
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

  context.register_.record_examined(key, message.message_id, raw_sha256,
                                    {result.outcome, result.document_number, result.reason, false});
  transaction.commit();
  return result;
}

void record_rejected(IntakeContext& context, const storage::MessageKey& key,
                     const std::string& reason) {
  auto transaction = context.register_.begin();
  context.register_.record_examined(key, "", "",
                                    {storage::Outcome::rejected, std::nullopt, reason, false});
  transaction.commit();
}

}  // namespace contribd
