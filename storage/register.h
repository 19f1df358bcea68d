// The register: every contribution under its document number, every examined IMAP message,
// and the outbox of replies, in one SQLite database (WAL, so `contribd list` can read while
// the daemon writes). One process writes. Every failure throws StorageError naming the
// database path, the step and SQLite's reason; a failed write inside a Transaction leaves the
// database as it was once the Transaction is rolled back. A Register is for one thread at a
// time (in the daemon, the intake's register thread during a pass, the I/O thread between
// passes); readers in other processes open their own.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/document_number.h"
#include "storage/records.h"
#include "storage/sqlite.h"

namespace contribd::storage {

// "<id@host>" whether or not the operator typed the angle brackets.
std::string bracketed_message_id(std::string_view message_id);

// The canonical text of a SHA-256 set, as duplicates are compared: lower-case, sorted,
// distinct, comma-separated.
std::string file_hash_set(std::vector<std::string> hashes);

class Register {
 public:
  // BEGIN IMMEDIATE on construction (waits up to the busy timeout for another writer);
  // commit() makes the work durable; the destructor rolls back anything not committed.
  // Must not outlive its Register (moving the Register is fine).
  class Transaction {
   public:
    Transaction(Transaction&& other) noexcept;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    void commit();  // throws StorageError; the transaction is then rolled back by the destructor

   private:
    friend class Register;
    explicit Transaction(sqlite::Database& db);
    sqlite::Database* db_;
    bool open_ = true;
  };

  // Creates the parent folders and the file if missing, turns on WAL, a busy timeout,
  // foreign keys and full fsync at commit, then applies the schema migrations.
  static Register open(const std::filesystem::path& database);
  // For readers such as `contribd list`: never creates or migrates; throws StorageError if the
  // file is missing or its schema is not the one this contribd writes.
  static Register open_read_only(const std::filesystem::path& database);

  Register(Register&&) noexcept = default;
  Register& operator=(Register&&) noexcept = default;
  ~Register() = default;

  const std::string& path() const { return db_->path(); }

  // Examined messages: keyed by mailbox + UIDVALIDITY + UID, also findable by Message-ID plus
  // the SHA-256 of the raw message, which survives a UIDVALIDITY change.
  std::optional<Examined> examined(const MessageKey& key);
  std::optional<Examined> examined_by_content(std::string_view message_id,
                                              std::string_view raw_sha256);
  // Registered, duplicate (destination: the processed folder) or held (the review folder)
  // messages of this mailbox (any UIDVALIDITY) not yet marked moved, in UIDVALIDITY then UID
  // order.
  struct PendingMove {
    MessageKey key;
    bool held = false;
  };
  std::vector<PendingMove> pending_moves(const std::string& mailbox);
  void mark_moved(const MessageKey& key);  // throws StorageError if the key was never recorded

  Transaction begin();

  // Inside a transaction (next_document_number throws StorageError outside one):
  // The next number of the series: the highest registered with this prefix + 1, but never
  // below first_number. A rolled-back transaction therefore leaves no gap, and two calls
  // without an insert in between return the same number.
  DocumentNumber next_document_number(std::string_view prefix, std::int64_t first_number);
  // The earliest contribution from the same sender (ASCII case-insensitive) whose files, or
  // whose latest revision's files, have exactly this set of SHA-256 values (order and repetition
  // do not matter); nullopt for an empty set.
  std::optional<DocumentNumber> find_duplicate(std::string_view sender,
                                               std::vector<std::string> sha256_set);
  // Files must already carry their stored paths; the document facts are stored with it. Returns
  // the new id; throws StorageError if the document number is already used (and inserts nothing).
  std::int64_t insert_contribution(const Contribution& contribution);
  // Inserts, or replaces what an earlier examination of the same key recorded.
  void record_examined(const MessageKey& key, std::string_view message_id,
                       std::string_view raw_sha256, const Examined& examined);
  // A queued reply is due at once (next_attempt_at = now); other states never leave. The
  // reply's own Message-ID is kept, so that an answer to it finds its contribution (step 9);
  // `revision`: the reply is about that revision of the contribution.
  std::int64_t queue_reply(std::optional<std::int64_t> contribution_id,
                           const DocumentNumber& document_number, ReplyKind kind, ReplyState state,
                           std::string reason, std::string recipient, std::string envelope_from,
                           std::string message, UtcTime now,
                           std::optional<int> revision = std::nullopt);
  // Replies to this recipient (ASCII case-insensitive) created at or after `since` that were
  // queued, sent or failed: every reply that was meant to leave. Withheld ones do not count.
  int replies_sent_or_queued_to(std::string_view recipient, UtcTime since);

  // Outbox. The mark_* calls apply to queued replies only and throw StorageError otherwise.
  std::vector<OutboxEntry> due_replies(UtcTime now);  // next_attempt_at <= now, oldest first
  std::optional<UtcTime> next_due();                  // earliest next_attempt_at while queued
  void mark_sent(std::int64_t reply_id, UtcTime now);
  void mark_retry(std::int64_t reply_id, std::string error, UtcTime next_attempt_at);
  void mark_failed(std::int64_t reply_id, std::string server_text);

  // Held messages (SPEC step 7), inside a transaction. hold() records a message as held
  // (replacing an earlier record of the same key); the caller records it as examined too.
  std::int64_t hold(const HeldMessage& message);
  // Held messages in the given state (all states when nullopt), oldest first.
  std::vector<HeldMessage> held_messages(std::optional<HeldState> state = HeldState::held);
  // The held message with this Message-ID (angle brackets optional), latest first.
  std::optional<HeldMessage> find_held(std::string_view message_id);
  // A person's decision: state held -> accepted. False when no message with this id is held.
  bool accept_held(std::int64_t held_id, std::optional<std::string> meeting, std::string actor,
                   UtcTime now);
  // An accepted message was registered (or found a duplicate of) `document_number`.
  void mark_held_registered(std::int64_t held_id, const DocumentNumber& document_number);
  // Registering an accepted message failed this time; it stays accepted and is tried again.
  void note_held_error(std::int64_t held_id, const std::string& error);
  // An accepted message could not be registered even so (still over a limit, unreadable): it
  // is held again, with the reason.
  void reject_acceptance(std::int64_t held_id, const std::string& error);

  // Failure counts (SPEC step 7: held at the third failure). A batch of messages about to be
  // processed is marked in flight, committed before the work starts: a crash leaves the mark,
  // and the next start processes each such message alone, counting one failure per attempt.
  void mark_in_flight(const std::vector<MessageKey>& keys);
  // Messages of this mailbox left in flight by an earlier process, or that failed before.
  std::vector<MessageKey> suspects(const std::string& mailbox);
  // One more failure of this message (an exception, or a crash found by the next start);
  // returns the count so far.
  int count_failure(const MessageKey& key, const std::string& error);
  int failures(const MessageKey& key);
  std::string last_failure(const MessageKey& key);
  // The message is settled (recorded as examined): its marks go.
  void clear_attempts(const MessageKey& key);

  // Revisions (SPEC step 9), inside a transaction.
  // The contribution that one of our replies with one of these Message-IDs was about.
  std::optional<DocumentNumber> document_replied_to(const std::vector<std::string>& message_ids);
  // The number the next revision of the contribution gets: 1, 2, ...
  int next_revision_number(std::int64_t contribution_id);
  // Files must already carry their stored paths; the number is revision.number. Throws
  // StorageError when that number is taken.
  void insert_revision(std::int64_t contribution_id, const Revision& revision);
  // What the document says of itself (step 10): replaces what was stored.
  void set_document_facts(std::int64_t contribution_id, const DocumentFacts& facts);

  // Withdrawal: the number stays taken. False when the contribution was withdrawn already;
  // throws StorageError for an unknown number.
  bool withdraw(const DocumentNumber& document_number, std::string reason, UtcTime now);
  // The trusted Authentication-Results the reply decision saw.
  void set_authentication(std::int64_t contribution_id, const std::string& results);

  // Operators' commands on replies, inside a transaction. A withheld reply becomes queued
  // (due now); returns its id, nullopt when the contribution has none withheld.
  std::optional<std::int64_t> release_withheld(const DocumentNumber& document_number, UtcTime now);
  // The latest reply of the contribution (any state), to send it again.
  struct StoredReply {
    std::int64_t id = 0;
    ReplyKind kind = ReplyKind::none;
    ReplyState state = ReplyState::queued;
    std::string recipient;
    std::string envelope_from;
    std::string message;
  };
  std::optional<StoredReply> latest_reply(const DocumentNumber& document_number);
  // Replies (queued, sent or failed) created at or after `since`: their recipients.
  std::vector<std::string> recipients_since(UtcTime since);

  // The history of changes: the intake's and the operators'.
  void record_event(const Event& event);
  std::vector<Event> events(const DocumentNumber& document_number);
  // Changed by any connection (another process too) since the last call: PRAGMA data_version.
  bool changed_elsewhere();

  // Reading, with files and reply history. Ordered by prefix, then number (QIT4N-I-999 before
  // QIT4N-I-1000).
  std::vector<Contribution> list(std::optional<std::string> meeting_id = {});
  std::optional<Contribution> find(const DocumentNumber& document_number);

 private:
  explicit Register(sqlite::Database db);
  void finish_reply(std::int64_t reply_id, std::string_view sql, std::string_view what,
                    std::string_view reason, std::optional<UtcTime> at);
  Contribution read_contribution(const sqlite::Statement& row);
  void load_details(Contribution& contribution);
  void load_revisions(Contribution& contribution);
  DocumentFacts read_document_facts(const sqlite::Statement& row, int first_column);
  // A row of "SELECT filename, content_type, size, sha256, path" from files or revision_files.
  static StoredFile read_stored_file(const sqlite::Statement& row);
  // The files of a contribution (table "files", owner column "contribution_id") or of a
  // revision ("revision_files", "revision_id"), in their order.
  void insert_stored_files(std::string_view table, std::string_view owner_column,
                           std::int64_t owner, const std::vector<StoredFile>& files,
                           const std::string& what);
  std::pair<std::string, std::int64_t> series_of(const DocumentNumber& document_number) const;

  std::unique_ptr<sqlite::Database> db_;  // on the heap so a Transaction survives a move
  // Numbers handed out by next_document_number in the current transaction, so that
  // insert_contribution files them under the right prefix even when the prefix ends in digits.
  std::map<std::string, std::pair<std::string, std::int64_t>> issued_;
  std::int64_t data_version_ = -1;
};

}  // namespace contribd::storage
