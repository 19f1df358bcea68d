// The register's schema as numbered migrations. Migration N (1-based) brings a database from
// PRAGMA user_version N-1 to N; migrate() applies the missing ones in order, all in one
// transaction, so a crash leaves either the old or the new schema, never half of it.
#pragma once

#include <span>
#include <string_view>

#include "storage/sqlite.h"

namespace contribd::storage {

// The SQL of every migration, oldest first. Never edit a released one: append a new one.
std::span<const std::string_view> schema_migrations();

int schema_version(sqlite::Database& db);  // PRAGMA user_version

// Applies the pending migrations. Throws StorageError when the database was written by a
// newer contribd (user_version beyond the last migration known here) or a migration fails;
// the database is then left as it was.
void migrate(sqlite::Database& db);

}  // namespace contribd::storage
