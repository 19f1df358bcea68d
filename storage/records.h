// The plain values that the register stores and returns: contributions with their files and
// replies, what became of each examined message, and the outbox entries waiting for SMTP.
// No behaviour here beyond naming the enums; the register (register.h) gives them meaning.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "storage/document_number.h"

namespace contribd::storage {

using UtcTime = std::chrono::sys_seconds;

// The current time in whole seconds, as the register keeps times.
inline UtcTime now_utc() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Every failure of the register or the file store. The text names the database or file path,
// what was being done and the underlying reason: "DBPATH: what: sqlite message".
class StorageError : public std::runtime_error {
 public:
  explicit StorageError(const std::string& what, bool busy = false)
      : std::runtime_error(what), busy_(busy) {}
  // Another connection (an operator's command, a backup, an sqlite3 shell) held the write lock
  // past the busy timeout: the same work succeeds once it lets go.
  bool busy() const { return busy_; }

 private:
  bool busy_ = false;
};

// One message in one IMAP mailbox; UIDs are only meaningful together with the UIDVALIDITY.
struct MessageKey {
  std::string mailbox;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uid = 0;
};

// What became of a message. held: moved to the review folder for a person (SPEC step 7).
enum class Outcome { registered, duplicate, skipped, rejected, held };

struct Examined {
  Outcome outcome;
  std::optional<DocumentNumber>
      document_number;  // registered: its number; duplicate: the original's
  std::string reason;   // why it was skipped, rejected or a duplicate
  bool moved = false;   // already moved to the processed (held: the review) folder
};

// Why a message was held for a person.
enum class HoldCause { robot, limit, failure, withdrawn };
enum class HeldState { held, accepted, registered };

struct HeldFile {
  std::string filename;
  std::uint64_t size = 0;
};

struct HeldMessage {
  std::int64_t id = 0;
  std::string message_id;
  std::string raw_sha256;
  MessageKey found;           // where it was found (the watched folder)
  std::string review_folder;  // where it was moved
  UtcTime received_at;
  std::string sender;
  std::string subject;
  HoldCause cause = HoldCause::robot;
  std::string reason;
  std::vector<HeldFile> files;
  UtcTime held_at;
  HeldState state = HeldState::held;
  std::optional<std::string> accept_meeting;  // accepted with --meeting
  std::optional<std::string> accepted_by;
  std::optional<UtcTime> accepted_at;
  std::optional<DocumentNumber> document_number;  // once registered
  std::optional<std::string> last_error;          // why registering an accepted message failed
};

// One change, for the history `show` prints and the audit trail.
struct Event {
  UtcTime at;
  std::string actor;   // "contribd" or the operator's user name
  std::string action;  // "registered", "reply queued", "withdrawn", ...
  std::optional<DocumentNumber> document_number;
  std::optional<std::string> message_id;
  std::string detail;
};

struct Withdrawal {
  UtcTime at;
  std::string reason;
};

// A file about to be stored; data is only borrowed for the duration of FileStore::store().
// When spooled_path is set the bytes are in that file instead (data is ignored): it must be
// on the same file system as files_dir, and FileStore::store() moves it into place.
struct NewFile {
  std::string filename;  // decoded, as the sender wrote it (may be hostile)
  std::string content_type;
  std::string_view data;
  std::string sha256_hex;
  std::string spooled_path{};
};

struct StoredFile {
  std::string filename;  // decoded, as the sender wrote it (the stored name is in path)
  std::string content_type;
  std::uint64_t size = 0;
  std::string sha256_hex;
  std::string path;  // absolute path of the stored copy
};

enum class ReplyKind { ack, late, none };
enum class ReplyState { queued, sent, withheld, failed };

struct ReplyRecord {
  std::int64_t id = 0;
  ReplyKind kind = ReplyKind::none;
  ReplyState state = ReplyState::queued;
  std::string reason;  // why withheld, the last retry error, or the server's text when failed
  std::string recipient;
  int attempts = 0;
  std::optional<UtcTime> sent_at;
  UtcTime created_at;
};

// A person named in the cover sheet's Contact rows (SPEC step 10).
struct Contact {
  std::string name;
  std::string organization;
  std::string country;
  std::string email;
};

// Whether the .docx files followed the group's base template (SPEC step 10): itu when a cover
// table was found in one of them, none when none had one.
enum class TemplateUse { itu, none };

// What the document says of itself (SPEC step 10): the cover sheet of the first .docx that
// had one, the title falling back to the core properties' title, then to the subject.
struct DocumentFacts {
  std::optional<std::string> title;
  std::optional<std::string> source;
  std::optional<std::string> purpose;
  std::optional<std::string> keywords;
  std::optional<std::string> abstract;
  std::vector<Contact> contacts;
  std::optional<TemplateUse> template_use;  // nullopt: no .docx among the files
};

// A corrected version of a contribution (SPEC step 9): the same number, shown "Rev.<n>".
struct Revision {
  int number = 0;  // 1, 2, ...
  std::string message_id;
  std::string subject;
  UtcTime received_at;
  bool late = false;                 // by its own receipt time
  std::vector<StoredFile> files;     // stored under <meeting>/<number>/rev<n>/
  std::vector<ReplyRecord> replies;  // oldest first
};

// Made with its number, {.document_number = ...} (a DocumentNumber has no default); the
// other members start empty.
struct Contribution {
  std::int64_t id = 0;
  DocumentNumber document_number;
  std::string meeting_id{};
  std::string sender{};
  std::string subject{};
  std::string message_id{};
  UtcTime received_at{};
  bool late = false;
  std::vector<StoredFile> files{};              // in the order they were registered
  std::vector<ReplyRecord> replies{};           // oldest first
  std::optional<std::string> authentication{};  // trusted Authentication-Results seen (step 4)
  std::optional<Withdrawal> withdrawn{};
  DocumentFacts document{};           // from the cover sheet (step 10)
  std::vector<Revision> revisions{};  // oldest first (step 9)
};

struct OutboxEntry {
  std::int64_t reply_id = 0;
  std::string recipient;
  std::string envelope_from;  // empty means the null reverse-path <>
  std::string message;        // RFC 5322 bytes, ready for DATA
  int attempts = 0;
  DocumentNumber document_number;  // what the reply is about, for the log
};

// Names used in the database, the log and `list --json`.
std::string to_string(Outcome);            // "registered", "duplicate", "skipped", "rejected"
std::string to_string(ReplyKind);          // "ack", "late", "none"
std::string to_string(ReplyState);         // "queued", "sent", "withheld", "failed"
std::string to_string(HoldCause);          // "robot", "limit", "failure", "withdrawn"
std::string to_string(const MessageKey&);  // mailbox "INBOX" UIDVALIDITY 1 UID 7
std::string to_string(HeldState);          // "held", "accepted", "registered"
std::string to_string(TemplateUse);        // "itu", "none"

// The reverse of to_string(); nullopt for any other text.
std::optional<Outcome> outcome_from_string(std::string_view);
std::optional<ReplyKind> reply_kind_from_string(std::string_view);
std::optional<ReplyState> reply_state_from_string(std::string_view);
std::optional<HoldCause> hold_cause_from_string(std::string_view);
std::optional<HeldState> held_state_from_string(std::string_view);
std::optional<TemplateUse> template_use_from_string(std::string_view);

}  // namespace contribd::storage
