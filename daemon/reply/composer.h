// The reply to a registered contribution, as RFC 5322 bytes ready for SMTP DATA: an
// acknowledgement or a late notice, text/plain UTF-8 in quoted-printable, marked as an automatic
// reply (RFC 3834) and threaded to the original. Whatever the original's subject or Message-ID
// hold, the header block has exactly the fields listed in compose_reply(), one line each.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/policy/meeting.h"
#include "daemon/reply/templates.h"
#include "storage/document_number.h"

namespace contribd::reply {

enum class ReplyKind { ack, late };

struct FileFact {
  std::string name;  // decoded filename, as registered
  std::uint64_t size = 0;
  std::string sha256_hex;
};

// Made with its number, {.document_number = ...} (a DocumentNumber has no default).
struct ReplyFacts {
  ReplyKind kind = ReplyKind::ack;
  storage::DocumentNumber document_number;  // for a duplicate, the number registered before
  std::optional<int> revision{};            // about this revision: "QIT4N-I-007 Rev.1"
  bool duplicate = false;  // the same files from the same sender were registered before
  std::string meeting_id{};
  std::string meeting_title{};
  std::string meeting_timezone{};  // IANA zone for local times, "" for UTC only
  UtcTime received{};
  UtcTime deadline{};
  std::string original_subject{};     // decoded UTF-8; may hold anything, CR/LF included
  std::string original_message_id{};  // "<id@host>" as found; ignored unless a valid msg-id
  std::string original_references{};  // raw References value of the original
  std::vector<FileFact> files{};
  // What the cover sheet said (SPEC step 10), so that the participant sees what the meeting
  // will see; the title falls back to the subject, a missing source is said to be missing.
  std::string title{};
  std::string source{};
  // No .docx used the base template: one paragraph asks for it, linking base_template_url.
  bool ask_for_template = false;
  std::string base_template_url{};
  std::string sender{};             // the participant's address for {sender}; "" -> recipient
  std::string recipient{};          // plain addr-spec, from the reply decision
  std::string from_address{};       // the secretariat's address
  std::string from_name{};          // display name, UTF-8
  std::string loop_marker{};        // X-Contribd-Loop value; "" -> from_address
  std::string message_id_domain{};  // "" -> the domain of from_address
  std::string message_id{};         // "" -> a fresh one; set it to reuse a recorded id
  UtcTime now{};
};

// The message, header fields in this order: From, To, Subject, Date, Message-ID,
// In-Reply-To and References (only when the original Message-ID is a valid msg-id),
// Auto-Submitted: auto-replied, X-Contribd-Loop, MIME-Version, Content-Type,
// Content-Transfer-Encoding. CRLF line ends, no line over 78 characters in the header block
// (save a single msg-id over 76), none over 76 in the body.
// Throws std::invalid_argument when recipient or from_address is not a plain address, when the
// Message-ID domain is not a host name, or (from render_template) for an unknown placeholder
// in a template that did not come from load_templates().
std::string compose_reply(const ReplyFacts& facts, const Templates& templates);

// The subject line's text before encoding: "Received: <subject> [<number>]" or
// "Late contribution received: <subject> [<number>]", the subject made one printable line; the
// number is "<number> Rev.<n>" for a revision, as in the {document_number} of the templates.
std::string reply_subject(const ReplyFacts& facts);

// "<32 random hex digits@domain>"; throws std::invalid_argument for a domain that is not a
// host name (letters, digits, '-', '.').
std::string make_message_id(std::string_view domain);

// The valid msg-ids of an In-Reply-To or References value, in order.
std::vector<std::string> msg_ids_in(std::string_view field_value);

// True for "<left@right>" as RFC 5322 section 3.6.4 allows it (dot-atom text on both sides, or
// a [literal] on the right), at most 250 characters: safe to copy into our header block.
bool is_msg_id(std::string_view text);

}  // namespace contribd::reply
