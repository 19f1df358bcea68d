#include "storage/sqlite.h"

#include <fmt/format.h>

#include <utility>

namespace contribd::storage::sqlite {

Database::Database(const std::filesystem::path& path, Mode mode) : path_(path.string()) {
  const int flags = (mode == Mode::read_only ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // SQLite may hand back a handle even on failure, only to carry the message.
    const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    close();
    throw StorageError(fmt::format("{}: open: {}", path_, reason));
  }
  sqlite3_extended_result_codes(db_, 1);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      cache_(std::move(other.cache_)) {
  other.cache_.clear();
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
    other.cache_.clear();
  }
  return *this;
}

Database::~Database() {
  close();
}

void Database::close() noexcept {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.statement);
  cache_.clear();
  // sqlite3_close_v2 defers the close until any statement still alive is finalized.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

void Database::exec(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string reason = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StorageError(fmt::format("{}: {}: {}", path_, what, reason));
  }
}

StorageError Database::error(std::string_view what) const {
  const int primary = sqlite3_extended_errcode(db_) & 0xff;
  return StorageError(fmt::format("{}: {}: {}", path_, what, sqlite3_errmsg(db_)),
                      primary == SQLITE_BUSY || primary == SQLITE_LOCKED);
}

sqlite3_stmt* Database::acquire(std::string_view sql, std::string_view what) const {
  auto found = cache_.find(sql);
  if (found == cache_.end()) {
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) throw error(what);
    found = cache_.emplace(std::string(sql), Cached{statement, false}).first;
  }
  if (found->second.in_use) return nullptr;
  found->second.in_use = true;
  return found->second.statement;
}

void Database::release(sqlite3_stmt* statement) const noexcept {
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  for (auto& [sql, cached] : cache_) {
    if (cached.statement == statement) cached.in_use = false;
  }
}

Statement::Statement(const Database& db, std::string_view sql, std::string what)
    : db_(&db), what_(std::move(what)) {
  stmt_ = db.acquire(sql, what_);
  cached_ = stmt_ != nullptr;
  if (cached_) return;
  const int rc =
      sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) throw db.error(what_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      cached_(other.cached_),
      what_(std::move(other.what_)) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (cached_) {
    db_->release(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw db_->error(what_);
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) throw db_->error(fmt::format("{} (binding value {})", what_, index));
}

void Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(stmt_, index), index);
}

void Statement::bind_integer(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_, index, value), index);
}

void Statement::bind_text(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so temporaries passed to bind() may die before step().
  check_bind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
}

void Statement::bind_blob(int index, std::string_view bytes) {
  check_bind(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT),
             index);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string Statement::text(int column) const {
  // Works for TEXT and BLOB columns alike; the size call must follow the pointer call.
  const void* bytes = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (bytes == nullptr) return {};
  return std::string(static_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

UtcTime Statement::time(int column) const {
  const std::string stored = text(column);
  const auto parsed = parse_utc(stored);
  if (!parsed) {
    throw StorageError(fmt::format("{}: {}: column {} holds \"{}\", not an ISO-8601 UTC time",
                                   db_->path(), what_, sqlite3_column_name(stmt_, column), stored));
  }
  return *parsed;
}

std::optional<UtcTime> Statement::optional_time(int column) const {
  if (is_null(column)) return std::nullopt;
  return time(column);
}

DocumentNumber Statement::document_number(int column) const {
  const std::string stored = text(column);
  auto parsed = DocumentNumber::parse(stored);
  if (!parsed) {
    throw StorageError(fmt::format("{}: {}: column {} holds \"{}\", not a document number",
                                   db_->path(), what_, sqlite3_column_name(stmt_, column), stored));
  }
  return std::move(*parsed);
}

std::optional<DocumentNumber> Statement::optional_document_number(int column) const {
  if (is_null(column)) return std::nullopt;
  return document_number(column);
}

}  // namespace contribd::storage::sqlite
