#include "daemon/reply/composer.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <stdexcept>

#include "daemon/policy/deadline.h"
#include "daemon/policy/reply_decision.h"
#include "daemon/policy/revision.h"
#include "daemon/reply/header_encoding.h"
#include "daemon/reply/quoted_printable.h"

namespace contribd::reply {
namespace {

// RFC 5322 section 3.6.4 suggests trimming long reference chains; the first and the most
// recent ids are the ones that keep a thread together.
constexpr std::size_t kMaxReferences = 10;

bool is_atext(char c) {
  static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         specials.find(c) != std::string_view::npos;
}

bool is_dot_atom_text(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  if (text.find("..") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '.' || is_atext(c); });
}

bool is_domain_literal(std::string_view text) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return false;
  return std::all_of(text.begin() + 1, text.end() - 1, [](char c) {
    return c >= 33 && c <= 126 && c != '[' && c != ']' && c != '\\';
  });
}

bool is_host_name(std::string_view text) {
  return !text.empty() && text.front() != '.' && text.back() != '.' &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.';
         });
}

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 32> buffer{};
  bytes = std::min(bytes, buffer.size());
  if (RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
    std::random_device device;
    for (std::size_t i = 0; i < bytes; ++i) buffer[i] = static_cast<unsigned char>(device());
  }
  std::string hex;
  for (std::size_t i = 0; i < bytes; ++i) hex += fmt::format("{:02x}", buffer[i]);
  return hex;
}

std::vector<std::string> reply_references(const ReplyFacts& facts) {
  std::vector<std::string> ids = msg_ids_in(facts.original_references);
  if (ids.size() >= kMaxReferences) {
    ids.erase(ids.begin() + 1, ids.end() - static_cast<std::ptrdiff_t>(kMaxReferences - 2));
  }
  if (ids.empty() || ids.back() != facts.original_message_id) {
    ids.push_back(facts.original_message_id);
  }
  return ids;
}

std::string require_plain_address(std::string_view address, std::string_view role) {
  if (!policy::is_plain_address(address)) {
    throw std::invalid_argument(fmt::format("reply {} \"{}\" is not a plain e-mail address", role,
                                            clean_header_text(address, 100)));
  }
  return std::string(address);
}

std::string message_id_for(const ReplyFacts& facts) {
  if (!facts.message_id.empty()) {
    if (!is_msg_id(facts.message_id)) {
      throw std::invalid_argument(fmt::format("reply Message-ID \"{}\" is not a msg-id",
                                              clean_header_text(facts.message_id, 100)));
    }
    return facts.message_id;
  }
  std::string domain = facts.message_id_domain;
  if (domain.empty()) domain = facts.from_address.substr(facts.from_address.rfind('@') + 1);
  return make_message_id(domain);
}

// A zone that was accepted at start cannot go missing, but a reply is owed either way.
std::string local_time_text(UtcTime time, const std::string& timezone) {
  try {
    return policy::format_in_zone(time, timezone);
  } catch (const std::invalid_argument&) {
    return policy::format_utc_for_people(time);
  }
}

// UTC always; the meeting's local time beside it when the meeting has a zone.
std::string both_times_text(UtcTime time, const std::string& timezone) {
  const std::string utc = policy::format_utc_for_people(time);
  if (timezone.empty()) return utc;
  return fmt::format("{} ({})", utc, local_time_text(time, timezone));
}

std::string files_text(const std::vector<FileFact>& files) {
  if (files.empty()) return "(none)";
  std::string text;
  for (const FileFact& file : files) {
    if (!text.empty()) text += '\n';
    // Names are the sender's; one printable line each keeps the list readable.
    text += fmt::format("- {} ({} bytes)\n  SHA-256 {}", clean_header_text(file.name, 200),
                        file.size, file.sha256_hex);
  }
  return text;
}

// SPEC step 10: one paragraph, only when .docx files came and none used the base template.
std::string template_note(const ReplyFacts& facts) {
  if (!facts.ask_for_template) return "";
  std::string note =
      "None of the Word documents of this contribution used the group's base document "
      "template, so its title and source were not read from a cover sheet. Please use the "
      "base template for your next contribution";
  if (facts.base_template_url.empty()) return note + ".\n";
  return fmt::format("{}: {}\n", note, clean_header_text(facts.base_template_url, 400));
}

// The number the reply is about: "QIT4N-I-007", or "QIT4N-I-007 Rev.1" for a revision.
std::string number_text(const ReplyFacts& facts) {
  const std::string text = facts.revision
                               ? policy::revision_label(facts.document_number, *facts.revision)
                               : facts.document_number.text();
  return clean_header_text(text, 100);
}

std::map<std::string, std::string> template_values(const ReplyFacts& facts) {
  const std::string number = number_text(facts);
  std::string duplicate_note;
  if (facts.duplicate) {
    duplicate_note = fmt::format(
        "You sent these same files before: they were registered then under {} and have not "
        "been registered again.",
        number);
  }
  return {
      {"document_number", number},
      {"meeting_id", clean_header_text(facts.meeting_id, 100)},
      {"meeting_title", clean_header_text(facts.meeting_title, 400)},
      {"received", both_times_text(facts.received, facts.meeting_timezone)},
      {"deadline", both_times_text(facts.deadline, facts.meeting_timezone)},
      {"received_utc", policy::format_utc_for_people(facts.received)},
      {"received_local", local_time_text(facts.received, facts.meeting_timezone)},
      {"deadline_utc", policy::format_utc_for_people(facts.deadline)},
      {"deadline_local", local_time_text(facts.deadline, facts.meeting_timezone)},
      {"files", files_text(facts.files)},
      {"subject", clean_header_text(facts.original_subject)},
      {"sender", facts.sender.empty() ? facts.recipient : clean_header_text(facts.sender, 200)},
      {"duplicate_note", duplicate_note},
      {"title", clean_header_text(facts.title.empty() ? facts.original_subject : facts.title, 400)},
      {"source",
       facts.source.empty() ? "(not found in the document)" : clean_header_text(facts.source, 400)},
      {"template_note", template_note(facts)},
  };
}

std::string header_block(const ReplyFacts& facts) {
  const std::string from = require_plain_address(facts.from_address, "From");
  const std::string to = require_plain_address(facts.recipient, "recipient");
  std::string header = mailbox_field("From", facts.from_name, from);
  header += "To: " + to + "\r\n";
  header += unstructured_field("Subject", reply_subject(facts));
  header += "Date: " + rfc5322_date(facts.now) + "\r\n";
  header += "Message-ID: " + message_id_for(facts) + "\r\n";
  if (is_msg_id(facts.original_message_id)) {
    header += "In-Reply-To: " + facts.original_message_id + "\r\n";
    header += token_field("References", reply_references(facts));
  }
  header += "Auto-Submitted: auto-replied\r\n";
  const std::string marker = facts.loop_marker.empty() ? from : facts.loop_marker;
  header += unstructured_field(policy::kLoopHeader, clean_header_text(marker, 200));
  header += "MIME-Version: 1.0\r\n";
  header += "Content-Type: text/plain; charset=utf-8\r\n";
  header += "Content-Transfer-Encoding: quoted-printable\r\n";
  return header;
}

}  // namespace

bool is_msg_id(std::string_view text) {
  if (text.size() < 5 || text.size() > 250 || text.front() != '<' || text.back() != '>') {
    return false;
  }
  const std::string_view inside = text.substr(1, text.size() - 2);
  const auto at = inside.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view left = inside.substr(0, at);
  const std::string_view right = inside.substr(at + 1);
  return is_dot_atom_text(left) && (is_dot_atom_text(right) || is_domain_literal(right));
}

std::vector<std::string> msg_ids_in(std::string_view references) {
  std::vector<std::string> ids;
  for (std::size_t pos = 0; (pos = references.find('<', pos)) != std::string_view::npos;) {
    const auto close = references.find('>', pos);
    if (close == std::string_view::npos) break;
    const std::string_view candidate = references.substr(pos, close - pos + 1);
    if (is_msg_id(candidate)) ids.emplace_back(candidate);
    pos = close + 1;
  }
  return ids;
}

std::string make_message_id(std::string_view domain) {
  if (!is_host_name(domain)) {
    throw std::invalid_argument(
        fmt::format("Message-ID domain \"{}\" is not a host name", clean_header_text(domain, 100)));
  }
  return fmt::format("<{}@{}>", random_hex(16), domain);
}

std::string reply_subject(const ReplyFacts& facts) {
  std::string subject = clean_header_text(facts.original_subject);
  if (subject.empty()) subject = "(no subject)";
  const char* prefix = facts.kind == ReplyKind::late ? "Late contribution received" : "Received";
  return fmt::format("{}: {} [{}]", prefix, subject, number_text(facts));
}

std::string compose_reply(const ReplyFacts& facts, const Templates& templates) {
  const bool late = facts.kind == ReplyKind::late;
  const std::string body =
      render_template(late ? templates.late : templates.ack, template_values(facts),
                      late ? templates.late_source : templates.ack_source);
  return header_block(facts) + "\r\n" + encode_quoted_printable(body);
}

}  // namespace contribd::reply
