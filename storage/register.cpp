#include "storage/register.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <system_error>

#include "storage/schema.h"

namespace contribd::storage {
namespace {

using sqlite::Blob;
using sqlite::Database;
using sqlite::Statement;

constexpr int busy_timeout_ms = 5000;

}  // namespace

std::string file_hash_set(std::vector<std::string> hashes) {
  for (auto& hash : hashes) {
    std::transform(hash.begin(), hash.end(), hash.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return fmt::format("{}", fmt::join(hashes, ","));
}

namespace {

void create_parent_folders(const std::filesystem::path& database) {
  const auto parent = database.parent_path();
  if (parent.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw StorageError(fmt::format("{}: create folder {}: {}", database.string(), parent.string(),
                                   error.message()));
  }
}

void configure_connection(Database& db) {
  if (sqlite3_busy_timeout(db.handle(), busy_timeout_ms) != SQLITE_OK) {
    throw db.error("set the busy timeout");
  }
  db.exec("PRAGMA foreign_keys = ON", "turn on foreign keys");
}

void enable_wal(Database& db) {
  Statement wal(db, "PRAGMA journal_mode = WAL", "turn on WAL");
  if (!wal.step() || wal.text(0) != "wal") {
    throw StorageError(
        fmt::format("{}: turn on WAL: the journal mode stayed \"{}\"", db.path(), wal.text(0)));
  }
  // FULL: a commit that returned survives a power cut, since the move to the processed folder
  // follows it. Commits are per message, so this costs one fsync per message, not per row.
  db.exec("PRAGMA synchronous = FULL", "set synchronous mode");
}

ReplyKind kind_column(const Statement& row, int column, const std::string& path) {
  const auto text = row.text(column);
  if (auto kind = reply_kind_from_string(text)) return *kind;
  throw StorageError(fmt::format("{}: unknown reply kind \"{}\"", path, text));
}

ReplyState state_column(const Statement& row, int column, const std::string& path) {
  const auto text = row.text(column);
  if (auto state = reply_state_from_string(text)) return *state;
  throw StorageError(fmt::format("{}: unknown reply state \"{}\"", path, text));
}

constexpr std::string_view contribution_columns =
    "id, document_number, meeting_id, sender, subject, message_id, received_at, late, "
    "authentication, withdrawn_at, withdrawn_reason, title, source, purpose, keywords, abstract, "
    "contacts, template";

// The Message-ID field of a reply we composed (one line, our own format); empty if none.
std::string reply_message_id(std::string_view message) {
  std::size_t line_start = 0;
  while (line_start < message.size()) {
    std::size_t line_end = message.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = message.size();
    std::string_view line = message.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the header block
    constexpr std::string_view field = "message-id:";
    if (line.size() > field.size() &&
        std::equal(field.begin(), field.end(), line.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      line.remove_prefix(field.size());
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      return std::string(line);
    }
    line_start = line_end + 1;
  }
  return "";
}

}  // namespace

// --- Transaction ---

Register::Transaction::Transaction(Database& db) : db_(&db) {
  db.exec("BEGIN IMMEDIATE", "begin a transaction");
}

Register::Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), open_(std::exchange(other.open_, false)) {}

Register::Transaction::~Transaction() {
  // After a failed COMMIT SQLite may already have rolled back; ROLLBACK then fails harmlessly.
  if (open_) sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Register::Transaction::commit() {
  if (!open_) throw StorageError(fmt::format("{}: commit: the transaction is closed", db_->path()));
  db_->exec("COMMIT", "commit");
  open_ = false;
}

// --- Opening ---

Register::Register(Database db) : db_(std::make_unique<Database>(std::move(db))) {}

Register Register::open(const std::filesystem::path& database) {
  create_parent_folders(database);
  Database db(database, Database::Mode::read_write_create);
  configure_connection(db);
  enable_wal(db);
  migrate(db);
  return Register(std::move(db));
}

Register Register::open_read_only(const std::filesystem::path& database) {
  Database db(database, Database::Mode::read_only);
  configure_connection(db);
  const int version = schema_version(db);
  const int expected = static_cast<int>(schema_migrations().size());
  if (version != expected) {
    throw StorageError(fmt::format("{}: schema version {}, this contribd reads version {}",
                                   db.path(), version, expected));
  }
  return Register(std::move(db));
}

Register::Transaction Register::begin() {
  issued_.clear();
  return Transaction(*db_);
}

// --- Examined messages ---

namespace {

Examined read_examined(const Statement& row, const std::string& path) {
  const auto outcome_text = row.text(0);
  const auto outcome = outcome_from_string(outcome_text);
  if (!outcome) {
    throw StorageError(fmt::format("{}: unknown examined outcome \"{}\"", path, outcome_text));
  }
  return Examined{*outcome, row.optional_document_number(1), row.text(2), row.integer(3) != 0};
}

}  // namespace

std::optional<Examined> Register::examined(const MessageKey& key) {
  Statement query(*db_,
                  "SELECT outcome, document_number, reason, moved FROM examined "
                  "WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
                  "look up examined " + to_string(key));
  query.bind(key.mailbox, key.uidvalidity, key.uid);
  if (!query.step()) return std::nullopt;
  return read_examined(query, path());
}

std::optional<Examined> Register::examined_by_content(std::string_view message_id,
                                                      std::string_view raw_sha256) {
  Statement query(*db_,
                  "SELECT outcome, document_number, reason, moved FROM examined "
                  "WHERE message_id = ?1 AND raw_sha256 = ?2 ORDER BY id LIMIT 1",
                  fmt::format("look up examined Message-ID {} SHA-256 {}", message_id, raw_sha256));
  query.bind(message_id, raw_sha256);
  if (!query.step()) return std::nullopt;
  return read_examined(query, path());
}

std::vector<Register::PendingMove> Register::pending_moves(const std::string& mailbox) {
  Statement query(*db_,
                  "SELECT uidvalidity, uid, outcome = 'held' FROM examined "
                  "WHERE mailbox = ?1 AND moved = 0 "
                  "AND outcome IN ('registered', 'duplicate', 'held') ORDER BY uidvalidity, uid",
                  fmt::format("list messages of \"{}\" still to move", mailbox));
  query.bind(mailbox);
  std::vector<PendingMove> moves;
  while (query.step()) {
    moves.push_back({MessageKey{mailbox, static_cast<std::uint32_t>(query.integer(0)),
                                static_cast<std::uint32_t>(query.integer(1))},
                     query.integer(2) != 0});
  }
  return moves;
}

void Register::mark_moved(const MessageKey& key) {
  Statement update(*db_,
                   "UPDATE examined SET moved = 1 "
                   "WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
                   "mark moved " + to_string(key));
  update.bind(key.mailbox, key.uidvalidity, key.uid).run();
  if (db_->changes() == 0) {
    throw StorageError(
        fmt::format("{}: mark moved: {} was never examined", path(), to_string(key)));
  }
}

void Register::record_examined(const MessageKey& key, std::string_view message_id,
                               std::string_view raw_sha256, const Examined& examined) {
  Statement upsert(*db_,
                   "INSERT INTO examined (mailbox, uidvalidity, uid, message_id, raw_sha256, "
                   "outcome, document_number, reason, moved) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                   "ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET "
                   "message_id = excluded.message_id, raw_sha256 = excluded.raw_sha256, "
                   "outcome = excluded.outcome, document_number = excluded.document_number, "
                   "reason = excluded.reason, moved = excluded.moved",
                   "record examined " + to_string(key));
  upsert
      .bind(key.mailbox, key.uidvalidity, key.uid, message_id, raw_sha256,
            to_string(examined.outcome), examined.document_number, examined.reason, examined.moved)
      .run();
}

// --- Registering ---

DocumentNumber Register::next_document_number(std::string_view prefix, std::int64_t first_number) {
  const auto what = fmt::format("next document number for prefix \"{}\"", prefix);
  if (!db_->in_transaction()) {
    throw StorageError(fmt::format("{}: {}: no transaction is open", path(), what));
  }
  Statement query(*db_, "SELECT max(number) FROM contributions WHERE prefix = ?1", what);
  query.bind(prefix);
  std::int64_t number = first_number;
  if (query.step() && !query.is_null(0)) number = std::max(query.integer(0) + 1, first_number);
  auto document_number = DocumentNumber::from_parts(prefix, number);
  issued_[document_number.text()] = {std::string(prefix), number};
  return document_number;
}

std::pair<std::string, std::int64_t> Register::series_of(
    const DocumentNumber& document_number) const {
  if (auto issued = issued_.find(document_number.text()); issued != issued_.end()) {
    return issued->second;
  }
  // Not handed out by next_document_number: the trailing digits are the number.
  return {std::string(document_number.prefix()), document_number.number()};
}

std::optional<DocumentNumber> Register::find_duplicate(std::string_view sender,
                                                       std::vector<std::string> sha256_set) {
  if (sha256_set.empty()) return std::nullopt;
  const auto key = file_hash_set(std::move(sha256_set));
  Statement query(*db_,
                  "SELECT c.document_number FROM contributions c "
                  "WHERE c.sender = ?1 COLLATE NOCASE AND (c.file_hashes = ?2 OR ?2 = "
                  "(SELECT r.file_hashes FROM revisions r WHERE r.contribution_id = c.id "
                  "ORDER BY r.number DESC LIMIT 1)) ORDER BY c.id LIMIT 1",
                  fmt::format("look for a duplicate from {}", sender));
  query.bind(sender, key);
  if (!query.step()) return std::nullopt;
  return query.document_number(0);
}

std::int64_t Register::insert_contribution(const Contribution& c) {
  const auto what = fmt::format("insert contribution {}", c.document_number);
  const auto [prefix, number] = series_of(c.document_number);
  std::vector<std::string> hashes;
  for (const auto& file : c.files) hashes.push_back(file.sha256_hex);

  // A savepoint keeps the contribution and its files together even outside a transaction.
  db_->exec("SAVEPOINT insert_contribution", what);
  try {
    Statement insert(*db_,
                     "INSERT INTO contributions (document_number, prefix, number, meeting_id, "
                     "sender, subject, message_id, received_at, late, file_hashes) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                     what);
    insert
        .bind(c.document_number, prefix, number, c.meeting_id, c.sender, c.subject, c.message_id,
              c.received_at, c.late, file_hash_set(std::move(hashes)))
        .run();
    const std::int64_t id = db_->last_insert_rowid();
    set_document_facts(id, c.document);
    insert_stored_files("files", "contribution_id", id, c.files, what);
    db_->exec("RELEASE insert_contribution", what);
    return id;
  } catch (...) {
    sqlite3_exec(db_->handle(), "ROLLBACK TO insert_contribution; RELEASE insert_contribution",
                 nullptr, nullptr, nullptr);
    throw;
  }
}

// --- Replies and the outbox ---

std::int64_t Register::queue_reply(std::optional<std::int64_t> contribution_id,
                                   const DocumentNumber& document_number, ReplyKind kind,
                                   ReplyState state, std::string reason, std::string recipient,
                                   std::string envelope_from, std::string message, UtcTime now,
                                   std::optional<int> revision) {
  std::optional<UtcTime> next_attempt_at;
  if (state == ReplyState::queued) next_attempt_at = now;
  Statement insert(
      *db_,
      "INSERT INTO replies (contribution_id, document_number, kind, state, reason, "
      "recipient, envelope_from, message, attempts, next_attempt_at, created_at, revision, "
      "reply_message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, ?11, ?12)",
      fmt::format("queue {} reply for {} to {}", to_string(kind), document_number, recipient));
  const std::string own_message_id = reply_message_id(message);
  insert
      .bind(contribution_id, document_number, to_string(kind), to_string(state), reason, recipient,
            envelope_from, Blob{message}, next_attempt_at, now, revision,
            own_message_id.empty() ? std::nullopt : std::optional<std::string>(own_message_id))
      .run();
  return db_->last_insert_rowid();
}

int Register::replies_sent_or_queued_to(std::string_view recipient, UtcTime since) {
  Statement query(*db_,
                  "SELECT count(*) FROM replies WHERE recipient = ?1 COLLATE NOCASE "
                  "AND created_at >= ?2 AND state IN ('queued', 'sent', 'failed')",
                  fmt::format("count replies to {}", recipient));
  query.bind(recipient, since);
  return query.step() ? static_cast<int>(query.integer(0)) : 0;
}

std::vector<OutboxEntry> Register::due_replies(UtcTime now) {
  Statement query(*db_,
                  "SELECT id, recipient, envelope_from, message, attempts, document_number "
                  "FROM replies "
                  "WHERE state = 'queued' AND next_attempt_at <= ?1 ORDER BY id",
                  "list due replies");
  query.bind(now);
  std::vector<OutboxEntry> due;
  while (query.step()) {
    due.push_back(OutboxEntry{query.integer(0), query.text(1), query.text(2), query.text(3),
                              static_cast<int>(query.integer(4)), query.document_number(5)});
  }
  return due;
}

std::optional<UtcTime> Register::next_due() {
  Statement query(*db_, "SELECT min(next_attempt_at) FROM replies WHERE state = 'queued'",
                  "find the next due reply");
  if (!query.step()) return std::nullopt;
  return query.optional_time(0);
}

void Register::finish_reply(std::int64_t reply_id, std::string_view sql, std::string_view what,
                            std::string_view reason, std::optional<UtcTime> at) {
  const auto context = fmt::format("{} reply {}", what, reply_id);
  Statement update(*db_, sql, context);
  update.bind(reply_id, reason, at).run();
  if (db_->changes() == 0) {
    throw StorageError(fmt::format("{}: {}: no queued reply has this id", path(), context));
  }
}

void Register::mark_sent(std::int64_t reply_id, UtcTime now) {
  finish_reply(reply_id,
               "UPDATE replies SET state = 'sent', attempts = attempts + 1, reason = ?2, "
               "sent_at = ?3, next_attempt_at = NULL WHERE id = ?1 AND state = 'queued'",
               "mark sent", "", now);
}

void Register::mark_retry(std::int64_t reply_id, std::string error, UtcTime next_attempt_at) {
  finish_reply(reply_id,
               "UPDATE replies SET attempts = attempts + 1, reason = ?2, next_attempt_at = ?3 "
               "WHERE id = ?1 AND state = 'queued'",
               "schedule a retry of", error, next_attempt_at);
}

void Register::mark_failed(std::int64_t reply_id, std::string server_text) {
  finish_reply(reply_id,
               "UPDATE replies SET state = 'failed', attempts = attempts + 1, reason = ?2, "
               "next_attempt_at = ?3 WHERE id = ?1 AND state = 'queued'",
               "mark failed", server_text, std::nullopt);
}

// --- Reading ---

Contribution Register::read_contribution(const Statement& row) {
  Contribution c{.id = row.integer(0), .document_number = row.document_number(1)};
  c.meeting_id = row.text(2);
  c.sender = row.text(3);
  c.subject = row.text(4);
  c.message_id = row.text(5);
  c.received_at = row.time(6);
  c.late = row.integer(7) != 0;
  c.authentication = row.optional_text(8);
  if (auto at = row.optional_time(9)) c.withdrawn = Withdrawal{*at, row.text(10)};
  c.document = read_document_facts(row, 11);
  return c;
}

void Register::insert_stored_files(std::string_view table, std::string_view owner_column,
                                   std::int64_t owner, const std::vector<StoredFile>& files,
                                   const std::string& what) {
  Statement file_row(*db_,
                     fmt::format("INSERT INTO {} ({}, position, filename, content_type, size, "
                                 "sha256, path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                 table, owner_column),
                     what + " file");
  for (std::size_t position = 0; position < files.size(); ++position) {
    const StoredFile& file = files[position];
    file_row.bind(owner, position, file.filename, file.content_type, file.size, file.sha256_hex,
                  file.path);
    file_row.run();
    file_row.reset();
  }
}

StoredFile Register::read_stored_file(const Statement& row) {
  return StoredFile{row.text(0), row.text(1), static_cast<std::uint64_t>(row.integer(2)),
                    row.text(3), row.text(4)};
}

void Register::load_details(Contribution& c) {
  Statement files(*db_,
                  "SELECT filename, content_type, size, sha256, path FROM files "
                  "WHERE contribution_id = ?1 ORDER BY position",
                  "read the files of " + c.document_number.text());
  files.bind(c.id);
  while (files.step()) {
    c.files.push_back(read_stored_file(files));
  }
  // Replies to a duplicate name the original's number, so they belong to its history too.
  Statement replies(*db_,
                    "SELECT id, kind, state, reason, recipient, attempts, sent_at, created_at, "
                    "revision FROM replies WHERE contribution_id = ?1 OR document_number = ?2 "
                    "ORDER BY id",
                    "read the replies of " + c.document_number.text());
  replies.bind(c.id, c.document_number);
  std::map<int, std::vector<ReplyRecord>> revision_replies;
  while (replies.step()) {
    ReplyRecord reply;
    reply.id = replies.integer(0);
    reply.kind = kind_column(replies, 1, path());
    reply.state = state_column(replies, 2, path());
    reply.reason = replies.text(3);
    reply.recipient = replies.text(4);
    reply.attempts = static_cast<int>(replies.integer(5));
    reply.sent_at = replies.optional_time(6);
    reply.created_at = replies.time(7);
    if (replies.is_null(8)) {
      c.replies.push_back(std::move(reply));
    } else {
      revision_replies[static_cast<int>(replies.integer(8))].push_back(std::move(reply));
    }
  }
  load_revisions(c);
  for (auto& revision : c.revisions)
    revision.replies = std::move(revision_replies[revision.number]);
}

std::vector<Contribution> Register::list(std::optional<std::string> meeting_id) {
  Statement query(*db_,
                  fmt::format("SELECT {} FROM contributions WHERE ?1 IS NULL OR meeting_id = ?1 "
                              "ORDER BY prefix, number",
                              contribution_columns),
                  "list contributions");
  query.bind(meeting_id);
  std::vector<Contribution> found;
  while (query.step()) found.push_back(read_contribution(query));
  for (auto& c : found) load_details(c);
  return found;
}

std::optional<Contribution> Register::find(const DocumentNumber& document_number) {
  Statement query(
      *db_,
      fmt::format("SELECT {} FROM contributions WHERE document_number = ?1", contribution_columns),
      fmt::format("find contribution {}", document_number));
  query.bind(document_number);
  if (!query.step()) return std::nullopt;
  auto c = read_contribution(query);
  load_details(c);
  return c;
}

}  // namespace contribd::storage
