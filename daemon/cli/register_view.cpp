#include "daemon/cli/register_view.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/json_optional.h"
#include "daemon/policy/deadline.h"
#include "daemon/terminal_text.h"
#include "parsers/utf8.h"
#include "storage/utc_text.h"

namespace contribd {
namespace {

// The reply a reader cares about is the latest one.
const storage::ReplyRecord* latest_reply(const storage::Contribution& contribution) {
  if (contribution.replies.empty()) return nullptr;
  return &*std::max_element(contribution.replies.begin(), contribution.replies.end(),
                            [](const auto& a, const auto& b) { return a.id < b.id; });
}

nlohmann::json reply_json(const storage::ReplyRecord* reply) {
  if (!reply) return {{"kind", "none"}, {"state", nullptr}, {"reason", nullptr}};
  const bool has_reason =
      reply->state == storage::ReplyState::withheld || reply->state == storage::ReplyState::failed;
  return {{"kind", storage::to_string(reply->kind)},
          {"state", storage::to_string(reply->state)},
          {"reason", has_reason ? nlohmann::json(reply->reason) : nlohmann::json(nullptr)},
          {"recipient", reply->recipient},
          {"attempts", reply->attempts}};
}

// Cuts at a UTF-8 character boundary so that a table cell never holds half a character.
std::string clip(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  return std::string(utf8_prefix(text, max_bytes - 3)) + "...";
}

std::string files_text(const std::vector<storage::StoredFile>& files, std::string_view indent) {
  std::string out = fmt::format("{}Files ({}):\n", indent, files.size());
  for (const auto& file : files) {
    out += fmt::format("{0}  {1}  {2} bytes  {3}\n{0}    sha256 {4}\n{0}    stored {5}\n", indent,
                       escape_for_terminal(file.filename), file.size,
                       escape_for_terminal(file.content_type), file.sha256_hex,
                       escape_for_terminal(file.path));
  }
  return out;
}

std::string replies_text(const std::vector<storage::ReplyRecord>& replies,
                         std::string_view indent = "") {
  std::string out = fmt::format("{}Replies ({}):\n", indent, replies.size());
  for (const auto& reply : replies) {
    out +=
        fmt::format("{}  {} to {}: {}{}{}, {} attempt{}\n", indent, storage::to_string(reply.kind),
                    escape_for_terminal(reply.recipient), storage::to_string(reply.state),
                    reply.reason.empty() ? "" : " - ", escape_for_terminal(reply.reason),
                    reply.attempts, reply.attempts == 1 ? "" : "s");
  }
  return out;
}

std::string optional_line(std::string_view label, const std::optional<std::string>& text) {
  if (!text) return "";
  return fmt::format("{:<17}{}\n", label, escape_for_terminal(*text));
}

// The cover sheet's fields (SPEC step 10), the lines of those that were found.
std::string document_details(const storage::DocumentFacts& document) {
  std::string out;
  out += optional_line("Title:", document.title);
  out += optional_line("Source:", document.source);
  out += optional_line("Purpose:", document.purpose);
  out += optional_line("Keywords:", document.keywords);
  out += optional_line("Abstract:", document.abstract);
  for (const auto& contact : document.contacts) {
    out += fmt::format("Contact:         {}, {}, {}, {}\n", escape_for_terminal(contact.name),
                       escape_for_terminal(contact.organization),
                       escape_for_terminal(contact.country), escape_for_terminal(contact.email));
  }
  if (document.template_use) {
    out += fmt::format("Template:        {}\n", storage::to_string(*document.template_use));
  }
  return out;
}

std::string revision_details(const storage::DocumentNumber& document_number,
                             const storage::Revision& revision) {
  std::string out = fmt::format("{} Rev.{}: received {}, {}\n", document_number, revision.number,
                                policy::format_utc_for_people(revision.received_at),
                                revision.late ? "late" : "on time");
  out += fmt::format("  Subject:    {}\n  Message-ID: {}\n", escape_for_terminal(revision.subject),
                     escape_for_terminal(revision.message_id));
  out += files_text(revision.files, "  ");
  out += replies_text(revision.replies, "  ");
  return out;
}

}  // namespace

nlohmann::json files_json(const std::vector<storage::StoredFile>& stored, PathsShown paths) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : stored) {
    nlohmann::json entry = {{"filename", file.filename},
                            {"content_type", file.content_type},
                            {"size", file.size},
                            {"sha256", file.sha256_hex}};
    if (paths == PathsShown::yes) entry["path"] = file.path;
    files.push_back(std::move(entry));
  }
  return files;
}

namespace {

nlohmann::json contacts_json(const std::vector<storage::Contact>& contacts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& contact : contacts) {
    out.push_back({{"name", contact.name},
                   {"organization", contact.organization},
                   {"country", contact.country},
                   {"email", contact.email}});
  }
  return out;
}

nlohmann::json revisions_json(const std::vector<storage::Revision>& revisions, PathsShown paths) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& revision : revisions) {
    const storage::ReplyRecord* reply = nullptr;
    for (const auto& candidate : revision.replies) {
      if (!reply || candidate.id > reply->id) reply = &candidate;
    }
    out.push_back({{"revision", revision.number},
                   {"message_id", revision.message_id},
                   {"subject", revision.subject},
                   {"received_at", storage::format_utc(revision.received_at)},
                   {"status", revision.late ? "late" : "on_time"},
                   {"files", files_json(revision.files, paths)},
                   {"reply", reply_json(reply)}});
  }
  return out;
}

}  // namespace

nlohmann::json contribution_json(const storage::Contribution& contribution, PathsShown paths) {
  nlohmann::json replies = nlohmann::json::array();
  for (const auto& reply : contribution.replies) replies.push_back(reply_json(&reply));
  const storage::DocumentFacts& document = contribution.document;
  return {
      {"document_number", contribution.document_number.text()},
      {"meeting", contribution.meeting_id},
      {"sender", contribution.sender},
      {"subject", contribution.subject},
      {"message_id", contribution.message_id},
      {"received_at", storage::format_utc(contribution.received_at)},
      {"status", contribution.late ? "late" : "on_time"},
      {"files", files_json(contribution.files, paths)},
      {"reply", reply_json(latest_reply(contribution))},
      {"replies", replies},
      {"withdrawn", contribution.withdrawn
                        ? nlohmann::json{{"at", storage::format_utc(contribution.withdrawn->at)},
                                         {"reason", contribution.withdrawn->reason}}
                        : nlohmann::json(nullptr)},
      {"authentication", json_or_null(contribution.authentication)},
      {"title", json_or_null(document.title)},
      {"source", json_or_null(document.source)},
      {"purpose", json_or_null(document.purpose)},
      {"keywords", json_or_null(document.keywords)},
      {"abstract", json_or_null(document.abstract)},
      {"contacts", contacts_json(document.contacts)},
      {"template", document.template_use
                       ? nlohmann::json(storage::to_string(*document.template_use))
                       : nlohmann::json(nullptr)},
      {"revisions", revisions_json(contribution.revisions, paths)}};
}

std::string contributions_table(const std::vector<storage::Contribution>& contributions) {
  std::string out = fmt::format("{:<14} {:<10} {:<20} {:<9} {:<5} {:<4} {:<14} {:<28} {}\n",
                                "DOCUMENT", "MEETING", "RECEIVED (UTC)", "STATUS", "FILES", "REVS",
                                "REPLY", "SENDER", "TITLE");
  for (const auto& c : contributions) {
    const auto* reply = latest_reply(c);
    const std::string reply_text = reply ? fmt::format("{} {}", storage::to_string(reply->kind),
                                                       storage::to_string(reply->state))
                                         : "none";
    out += fmt::format(
        "{:<14} {:<10} {:<20} {:<9} {:<5} {:<4} {:<14} {:<28} {}\n", c.document_number,
        c.meeting_id, policy::format_utc_for_people(c.received_at).substr(0, 19),
        c.withdrawn ? "withdrawn"
        : c.late    ? "late"
                    : "on time",
        c.files.size(), c.revisions.size(), reply_text, clip(escape_for_terminal(c.sender), 28),
        clip(escape_for_terminal(c.document.title.value_or(c.subject)), 60));
  }
  out += fmt::format("{} contribution{}\n", contributions.size(),
                     contributions.size() == 1 ? "" : "s");
  return out;
}

std::string contribution_details(const storage::Contribution& c,
                                 const std::vector<storage::Event>& history) {
  std::string out;
  out += fmt::format("Document number: {}\n", c.document_number);
  if (c.withdrawn) {
    out += fmt::format(
        "Withdrawn:       {} ({})\n", policy::format_utc_for_people(c.withdrawn->at),
        c.withdrawn->reason.empty() ? "no reason given" : escape_for_terminal(c.withdrawn->reason));
  }
  out += fmt::format("Meeting:         {}\n", c.meeting_id);
  out += fmt::format("Status:          {}\n", c.late ? "late" : "on time");
  out += fmt::format("Received:        {}\n", policy::format_utc_for_people(c.received_at));
  out += fmt::format("Sender:          {}\n", escape_for_terminal(c.sender));
  out += fmt::format("Subject:         {}\n", escape_for_terminal(c.subject));
  out += fmt::format("Message-ID:      {}\n", escape_for_terminal(c.message_id));
  out += document_details(c.document);
  out += files_text(c.files, "");
  out += replies_text(c.replies);
  for (const auto& revision : c.revisions) out += revision_details(c.document_number, revision);
  if (!history.empty()) {
    out += fmt::format("History ({}):\n", history.size());
    for (const auto& event : history) {
      out += fmt::format("  {}  {}  {}{}{}\n", policy::format_utc_for_people(event.at),
                         escape_for_terminal(event.actor), event.action,
                         event.detail.empty() ? "" : ": ", escape_for_terminal(event.detail));
    }
  }
  return out;
}

}  // namespace contribd
