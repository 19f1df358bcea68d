#include "daemon/intake/queue_reply.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "daemon/intake/revisions.h"
#include "daemon/policy/revision.h"

namespace contribd {
namespace {

// Replies of the past hour: all of them, and those to the recipient the rules will choose
// (Reply-To, else From), counted under one key whatever "+tag" or case they used.
void count_recent_replies(IntakeContext& context, policy::ReplyInput& input, UtcTime now) {
  const std::vector<std::string> recent =
      context.register_.recipients_since(now - std::chrono::hours(1));
  input.all_replies_last_hour = static_cast<int>(recent.size());
  const std::string& recipient =
      input.reply_to_address.empty() ? input.from_address : input.reply_to_address;
  if (recipient.empty()) return;
  const std::string key = policy::rate_limit_key(recipient);
  input.replies_last_hour =
      static_cast<int>(std::count_if(recent.begin(), recent.end(), [&](const std::string& other) {
        return policy::rate_limit_key(other) == key;
      }));
}

reply::ReplyFacts reply_facts(const IntakeContext& context, const mime::ParsedMessage& message,
                              const Meeting& meeting, bool late, bool duplicate,
                              const storage::DocumentNumber& document_number,
                              std::optional<int> revision,
                              const std::vector<storage::StoredFile>& files,
                              const storage::DocumentFacts& document, const std::string& recipient,
                              UtcTime received, UtcTime now) {
  reply::ReplyFacts facts{.document_number = document_number, .revision = revision};
  facts.title = document.title.value_or(message.subject);
  facts.source = document.source.value_or("");
  facts.ask_for_template = document.template_use == storage::TemplateUse::none;
  facts.base_template_url = context.config.publish.base_template_url;
  facts.kind = late ? reply::ReplyKind::late : reply::ReplyKind::ack;
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

}  // namespace

policy::ReplyInput reply_input(const IntakeContext& context, const mime::ParsedMessage& message) {
  policy::ReplyInput input;
  for (const auto& field : message.headers) input.headers.emplace_back(field.name, field.value);
  input.from_address = message.from_address;
  input.reply_to_address = message.reply_to_address;
  input.return_path = message.return_path;
  input.is_report = message.top_content_type == "multipart/report";
  input.secretariat_address = context.config.smtp.from;
  input.loop_marker = context.config.smtp.from;
  input.max_per_hour = context.config.replies.max_per_sender_per_hour;
  input.max_all_per_hour = context.config.replies.max_per_hour;
  return input;
}

std::optional<policy::SenderTrust> judge_sender(const IntakeContext& context,
                                                const policy::ReplyInput& input) {
  const TrustConfig& trust = context.config.trust;
  if (trust.authserv_id.empty()) return std::nullopt;
  return policy::decide_sender_trust(input.from_address, input.headers, trust.authserv_id);
}

policy::ReplyDecision decide_the_reply(IntakeContext& context, policy::ReplyInput& input,
                                       const std::optional<policy::SenderTrust>& trust,
                                       const std::optional<policy::HoldDecision>& robot,
                                       UtcTime now) {
  if (robot) {
    // Accepted by a person, but still a robot's message (SPEC: withheld, reason robot). The
    // reply is composed all the same, so that `contribd release` can send it.
    policy::ReplyDecision decision;
    decision.rule = policy::ReplyRule::robot;
    decision.reason = fmt::format("an accepted robot or list message gets no reply ({}: {})",
                                  policy::to_string(robot->rule), robot->reason);
    decision.recipient =
        input.reply_to_address.empty() ? input.from_address : input.reply_to_address;
    return decision;
  }
  if (trust) {
    input.sender_authenticated = trust->authenticated;
    input.authentication_reason = trust->reason;
    input.reply_unauthenticated =
        context.config.trust.unauthenticated == TrustConfig::Unauthenticated::reply;
  }
  count_recent_replies(context, input, now);
  // robot_or_list() found a person's message: its rules are not asked twice.
  return policy::decide_reply_to_person(input);
}

void queue_the_reply(IntakeContext& context, const mime::ParsedMessage& message, Registered& done,
                     UtcTime received, const policy::ReplyDecision& decision, UtcTime now) {
  const Placement& placement = done.placement;
  IntakeResult& result = done.result;
  const storage::ReplyKind kind =
      placement.late ? storage::ReplyKind::late : storage::ReplyKind::ack;
  std::string reply_message;
  const std::string about = done.revision
                                ? policy::revision_label(*result.document_number, *done.revision)
                                : result.document_number->text();
  if (!decision.recipient.empty() && policy::is_plain_address(decision.recipient)) {
    reply::ReplyFacts facts =
        reply_facts(context, message, *placement.meeting, placement.late,
                    result.outcome == storage::Outcome::duplicate, *result.document_number,
                    done.revision, done.files, done.document, decision.recipient, received, now);
    if (done.revision) {
      facts.original_subject =
          policy::revision_subject(message.subject, series_prefixes(context.config));
    }
    reply_message = reply::compose_reply(facts, context.templates);
  }
  const std::string withheld_reason =
      decision.send ? "" : fmt::format("{}: {}", policy::to_string(decision.rule), decision.reason);
  context.register_.queue_reply(
      done.contribution_id, *result.document_number, kind,
      decision.send ? storage::ReplyState::queued : storage::ReplyState::withheld, withheld_reason,
      decision.recipient, context.config.smtp.envelope_from, reply_message, now, done.revision);
  note_event(context, decision.send ? "reply queued" : "reply withheld", result.document_number,
             message.message_id,
             decision.send ? fmt::format("{} about {} to {}", storage::to_string(kind), about,
                                         decision.recipient)
                           : withheld_reason,
             now);
  if (!decision.send) {
    const std::string withheld = fmt::format("reply withheld ({})", withheld_reason);
    result.reason = result.reason.empty() ? withheld : result.reason + "; " + withheld;
  }
}

}  // namespace contribd
