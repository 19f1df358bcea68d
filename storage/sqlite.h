// A thin RAII layer over the SQLite C API: one connection, prepared statements with bound
// values (never SQL text built from values), and errors that name the database and the step.
// Used by the register only; other folders talk to storage through register.h.
#pragma once

#include <sqlite3.h>

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "storage/records.h"
#include "storage/utc_text.h"

namespace contribd::storage::sqlite {

// Bytes bound as a BLOB rather than TEXT (RFC 5322 messages may hold any byte).
struct Blob {
  std::string_view bytes;
};

// Owns a sqlite3 handle; closes it when destroyed. Movable, not copyable.
class Database {
 public:
  enum class Mode { read_write_create, read_only };
  // Throws StorageError "PATH: open: reason" when SQLite cannot open the file.
  Database(const std::filesystem::path& path, Mode mode);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs SQL that binds no values (schema, pragmas, BEGIN/COMMIT); throws StorageError.
  void exec(std::string_view sql, std::string_view what);
  // A StorageError "PATH: what: <SQLite's latest message>".
  StorageError error(std::string_view what) const;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  bool in_transaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

  // A prepared statement for `sql`, compiled once per connection and kept: the register runs
  // the same few statements for every message. nullptr when the cached one is in use (a query
  // nested in its own loop); the caller prepares a private one then. Give it back with
  // release(). Throws StorageError "PATH: what: reason" when SQLite cannot compile it.
  sqlite3_stmt* acquire(std::string_view sql, std::string_view what) const;
  void release(sqlite3_stmt* statement) const noexcept;

 private:
  struct Cached {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };

  void close() noexcept;

  sqlite3* db_ = nullptr;
  std::string path_;
  mutable std::map<std::string, Cached, std::less<>> cache_;
};

// One prepared statement; values bind by position (1-based) through bind(...), rows come back
// through step() and the typed column readers. Every failure throws StorageError naming the
// database and what the statement was for.
class Statement {
 public:
  Statement(const Database& db, std::string_view sql, std::string what);
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Binds every argument in order, starting at parameter 1. Accepts strings, integers, bool,
  // UtcTime (as ISO-8601 text), DocumentNumber (as its text), Blob, std::nullopt and
  // std::optional of those.
  template <typename... Values>
  Statement& bind(const Values&... values) {
    int index = 0;
    (bind_at(++index, values), ...);
    return *this;
  }

  bool step();   // true: a row is ready; false: done
  void run();    // steps to the end, for statements that return no rows
  void reset();  // ready to bind and run again

  bool is_null(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::int64_t integer(int column) const;
  UtcTime time(int column) const;  // throws StorageError if the stored text is not a time
  std::optional<UtcTime> optional_time(int column) const;
  // Throws StorageError naming the column and the value if the stored text is not a number.
  DocumentNumber document_number(int column) const;
  std::optional<DocumentNumber> optional_document_number(int column) const;

 private:
  template <typename T>
  struct is_optional : std::false_type {};
  template <typename T>
  struct is_optional<std::optional<T>> : std::true_type {};

  template <typename T>
  void bind_at(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullopt_t>) {
      bind_null(index);
    } else if constexpr (is_optional<T>::value) {
      if (value) {
        bind_at(index, *value);
      } else {
        bind_null(index);
      }
    } else if constexpr (std::is_same_v<T, Blob>) {
      bind_blob(index, value.bytes);
    } else if constexpr (std::is_same_v<T, UtcTime>) {
      bind_text(index, format_utc(value));
    } else if constexpr (std::is_same_v<T, DocumentNumber>) {
      bind_text(index, value.text());
    } else if constexpr (std::is_same_v<T, bool>) {
      bind_integer(index, value ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
      bind_integer(index, static_cast<std::int64_t>(value));
    } else {
      static_assert(std::is_convertible_v<const T&, std::string_view>, "unsupported bind type");
      bind_text(index, std::string_view(value));
    }
  }
  void bind_null(int index);
  void bind_integer(int index, std::int64_t value);
  void bind_text(int index, std::string_view value);
  void bind_blob(int index, std::string_view bytes);
  void check_bind(int rc, int index);

  const Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool cached_ = false;  // stmt_ belongs to the database's cache: reset, not finalized
  std::string what_;
};

}  // namespace contribd::storage::sqlite
