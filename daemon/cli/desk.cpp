#include "daemon/cli/desk.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "daemon/reply/composer.h"
#include "daemon/terminal_text.h"
#include "storage/utc_text.h"

namespace contribd::desk {
namespace {

using storage::UtcTime;

void note(storage::Register& register_, UtcTime now, const std::string& actor, std::string action,
          std::optional<storage::DocumentNumber> document_number,
          std::optional<std::string> message_id, std::string detail) {
  register_.record_event(storage::Event{now, actor, std::move(action), std::move(document_number),
                                        std::move(message_id), std::move(detail)});
}

Outcome refused(std::string line) {
  return Outcome{1, std::move(line)};
}

Outcome unknown_document(const storage::Register& register_,
                         const storage::DocumentNumber& number) {
  return refused(fmt::format("{}: no such contribution in {}", escape_for_terminal(number.text()),
                             register_.path()));
}

bool meeting_exists(const Config& config, const std::string& id) {
  for (const Meeting& meeting : config.meetings) {
    if (meeting.id == id) return true;
  }
  return false;
}

// The stored reply with a fresh Message-ID: a second copy must not be taken by the recipient's
// system for the first one again.
std::string with_fresh_message_id(const std::string& message, const std::string& from) {
  const std::string domain = from.substr(from.rfind('@') + 1);
  const std::size_t header_end = message.find("\r\n\r\n");
  const std::size_t field = message.find("\r\nMessage-ID: ");
  if (field == std::string::npos || field > header_end) return message;
  const std::size_t value = field + std::string_view("\r\nMessage-ID: ").size();
  const std::size_t line_end = message.find("\r\n", value);
  std::string fresh = message;
  fresh.replace(value, line_end - value, reply::make_message_id(domain));
  return fresh;
}

std::string files_summary(const std::vector<storage::HeldFile>& files) {
  if (files.empty()) return "no files read";
  std::string summary;
  for (const auto& file : files) {
    if (!summary.empty()) summary += ", ";
    summary += fmt::format("{} ({} bytes)", escape_for_terminal(file.filename), file.size);
  }
  return summary;
}

}  // namespace

std::string operator_name() {
  for (const char* variable : {"SUDO_USER", "USER", "LOGNAME"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') return value;
  }
  if (const passwd* user = ::getpwuid(::getuid()); user != nullptr && user->pw_name != nullptr) {
    return user->pw_name;
  }
  return fmt::format("uid {}", ::getuid());
}

nlohmann::json review_json(const std::vector<storage::HeldMessage>& held) {
  nlohmann::json array = nlohmann::json::array();
  for (const storage::HeldMessage& message : held) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& file : message.files) {
      files.push_back({{"filename", file.filename}, {"size", file.size}});
    }
    const auto optional_time = [](const std::optional<UtcTime>& at) {
      return at ? nlohmann::json(storage::format_utc(*at)) : nlohmann::json(nullptr);
    };
    const auto optional_text = [](const std::optional<std::string>& text) {
      return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
    };
    array.push_back({{"message_id", message.message_id},
                     {"uid", message.found.uid},
                     {"found_in", message.found.mailbox},
                     {"folder", message.review_folder},
                     {"received_at", storage::format_utc(message.received_at)},
                     {"sender", message.sender},
                     {"subject", message.subject},
                     {"cause", storage::to_string(message.cause)},
                     {"reason", message.reason},
                     {"files", files},
                     {"held_at", storage::format_utc(message.held_at)},
                     {"state", storage::to_string(message.state)},
                     {"accepted_by", optional_text(message.accepted_by)},
                     {"accepted_at", optional_time(message.accepted_at)},
                     {"meeting", optional_text(message.accept_meeting)},
                     {"last_error", optional_text(message.last_error)}});
  }
  return array;
}

std::string review_table(const std::vector<storage::HeldMessage>& held) {
  if (held.empty()) return "nothing is held\n";
  std::ostringstream out;
  for (const storage::HeldMessage& message : held) {
    out << fmt::format(
        "{}  {}  UID {} in {}  received {}\n",
        escape_for_terminal(message.message_id.empty() ? "(no Message-ID)" : message.message_id),
        storage::to_string(message.state), message.found.uid,
        escape_for_terminal(message.review_folder), storage::format_utc(message.received_at));
    out << fmt::format("  from {}: {}\n", escape_for_terminal(message.sender),
                       escape_for_terminal(message.subject));
    out << fmt::format("  held ({}): {}\n", storage::to_string(message.cause),
                       escape_for_terminal(message.reason));
    out << fmt::format("  files: {}\n", files_summary(message.files));
    if (message.accepted_by) {
      out << fmt::format("  accepted by {} at {}\n", escape_for_terminal(*message.accepted_by),
                         message.accepted_at ? storage::format_utc(*message.accepted_at) : "");
    }
    if (message.last_error) {
      out << fmt::format("  last error: {}\n", escape_for_terminal(*message.last_error));
    }
  }
  return out.str();
}

Outcome accept(storage::Register& register_, const Config& config, const std::string& message_id,
               const std::optional<std::string>& meeting, const std::string& actor, UtcTime now) {
  if (meeting && !meeting_exists(config, *meeting)) {
    return refused(fmt::format("{}: no such meeting in {}", escape_for_terminal(*meeting),
                               config.source.string()));
  }
  auto transaction = register_.begin();
  const auto held = register_.find_held(message_id);
  if (!held || held->state != storage::HeldState::held) {
    const std::string state =
        held ? fmt::format(" (it was {})", storage::to_string(held->state)) : "";
    return refused(fmt::format("{}: not a held message{}",
                               escape_for_terminal(storage::bracketed_message_id(message_id)),
                               state));
  }
  register_.accept_held(held->id, meeting, actor, now);
  note(register_, now, actor, "accepted", std::nullopt, held->message_id,
       fmt::format("held for: {}", held->reason));
  transaction.commit();
  return Outcome{
      0, fmt::format("accepted {} from {}: the daemon registers it within seconds "
                     "(or run `contribd run --once`)",
                     escape_for_terminal(held->message_id), escape_for_terminal(held->sender))};
}

std::variant<storage::DocumentNumber, Outcome> typed_document_number(std::string_view command,
                                                                     std::string_view text) {
  if (auto number = storage::DocumentNumber::parse(text)) return *std::move(number);
  return refused(fmt::format(
      "contribd {}: \"{}\" is not a document number (a prefix and at least three digits, such "
      "as QIT4N-I-007)",
      command, escape_for_terminal(text)));
}

Outcome withdraw(storage::Register& register_, const storage::DocumentNumber& document_number,
                 const std::string& reason, const std::string& actor, UtcTime now) {
  auto transaction = register_.begin();
  const auto contribution = register_.find(document_number);
  if (!contribution) return unknown_document(register_, document_number);
  if (contribution->withdrawn) {
    return refused(fmt::format("{} was withdrawn already, on {}", document_number,
                               storage::format_utc(contribution->withdrawn->at)));
  }
  register_.withdraw(document_number, reason, now);
  note(register_, now, actor, "withdrawn", document_number, contribution->message_id, reason);
  transaction.commit();
  return Outcome{0, fmt::format("withdrew {}; its number stays taken{}", document_number,
                                reason.empty() ? "" : " (" + escape_for_terminal(reason) + ")")};
}

Outcome release(storage::Register& register_, const storage::DocumentNumber& document_number,
                const std::string& actor, UtcTime now) {
  auto transaction = register_.begin();
  const auto contribution = register_.find(document_number);
  if (!contribution) return unknown_document(register_, document_number);
  const auto released = register_.release_withheld(document_number, now);
  if (!released) return refused(fmt::format("{}: no reply is withheld", document_number));
  const auto reply = register_.latest_reply(document_number);
  const std::string recipient = reply ? reply->recipient : "";
  note(register_, now, actor, "reply released", document_number, contribution->message_id,
       fmt::format("to {}", recipient));
  transaction.commit();
  return Outcome{0, fmt::format("released the reply about {} to {}: the daemon sends it within "
                                "seconds (or run `contribd run --once`)",
                                document_number, escape_for_terminal(recipient))};
}

Outcome resend(storage::Register& register_, const Config& config,
               const storage::DocumentNumber& document_number, const std::string& actor,
               UtcTime now) {
  auto transaction = register_.begin();
  const auto contribution = register_.find(document_number);
  if (!contribution) return unknown_document(register_, document_number);
  const auto reply = register_.latest_reply(document_number);
  if (!reply || reply->recipient.empty()) {
    return refused(
        fmt::format("{}: there is no reply to send (no address to answer)", document_number));
  }
  register_.queue_reply(contribution->id, document_number, reply->kind, storage::ReplyState::queued,
                        "resent by " + actor, reply->recipient, reply->envelope_from,
                        with_fresh_message_id(reply->message, config.smtp.from), now);
  note(register_, now, actor, "reply resent", document_number, contribution->message_id,
       fmt::format("to {}", reply->recipient));
  transaction.commit();
  return Outcome{0, fmt::format("queued the reply about {} to {} again: the daemon sends it "
                                "within seconds (or run `contribd run --once`)",
                                document_number, escape_for_terminal(reply->recipient))};
}

}  // namespace contribd::desk
