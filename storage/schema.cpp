#include "storage/schema.h"

#include <fmt/format.h>

#include <array>

namespace contribd::storage {
namespace {

// Times are ISO-8601 UTC text (utc_text.h), which sorts and compares as time does.
constexpr std::string_view migration_1 = R"sql(
CREATE TABLE contributions (
  id              INTEGER PRIMARY KEY,
  document_number TEXT NOT NULL UNIQUE,
  prefix          TEXT NOT NULL,       -- the series the number belongs to, e.g. 'QIT4N-I-'
  number          INTEGER NOT NULL,    -- its place in that series
  meeting_id      TEXT NOT NULL,
  sender          TEXT NOT NULL,
  subject         TEXT NOT NULL,
  message_id      TEXT NOT NULL,
  received_at     TEXT NOT NULL,
  late            INTEGER NOT NULL CHECK (late IN (0, 1)),
  file_hashes     TEXT NOT NULL,       -- sorted distinct SHA-256 set, for duplicate detection
  UNIQUE (prefix, number)
);
CREATE INDEX contributions_by_sender ON contributions (sender COLLATE NOCASE, file_hashes);
CREATE INDEX contributions_by_meeting ON contributions (meeting_id, prefix, number);

-- Registered contributions are the secretariat's record: they are never deleted.
CREATE TRIGGER contributions_are_kept BEFORE DELETE ON contributions
BEGIN
  SELECT RAISE(ABORT, 'contributions are never deleted');
END;

CREATE TABLE files (
  id              INTEGER PRIMARY KEY,
  contribution_id INTEGER NOT NULL REFERENCES contributions (id),
  position        INTEGER NOT NULL,
  filename        TEXT NOT NULL,
  content_type    TEXT NOT NULL,
  size            INTEGER NOT NULL CHECK (size >= 0),
  sha256          TEXT NOT NULL,
  path            TEXT NOT NULL,
  UNIQUE (contribution_id, position)
);

CREATE TABLE examined (
  id              INTEGER PRIMARY KEY,
  mailbox         TEXT NOT NULL,
  uidvalidity     INTEGER NOT NULL,
  uid             INTEGER NOT NULL,
  message_id      TEXT NOT NULL,
  raw_sha256      TEXT NOT NULL,
  outcome         TEXT NOT NULL
                  CHECK (outcome IN ('registered', 'duplicate', 'skipped', 'rejected')),
  document_number TEXT,
  reason          TEXT NOT NULL,
  moved           INTEGER NOT NULL DEFAULT 0 CHECK (moved IN (0, 1)),
  UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX examined_by_content ON examined (message_id, raw_sha256);

-- The outbox and the reply history in one table.
CREATE TABLE replies (
  id              INTEGER PRIMARY KEY,
  contribution_id INTEGER REFERENCES contributions (id),
  document_number TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('ack', 'late', 'none')),
  state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'withheld', 'failed')),
  reason          TEXT NOT NULL,
  recipient       TEXT NOT NULL,
  envelope_from   TEXT NOT NULL,
  message         BLOB NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,                -- set while queued
  created_at      TEXT NOT NULL,
  sent_at         TEXT
);
CREATE INDEX replies_due ON replies (state, next_attempt_at);
CREATE INDEX replies_by_recipient ON replies (recipient COLLATE NOCASE, created_at);
CREATE INDEX replies_by_contribution ON replies (contribution_id);
CREATE INDEX replies_by_document ON replies (document_number);
)sql";

// Held messages (SPEC step 7), failure counts that survive a crash, withdrawals, the
// authentication results a reply decision saw, and the history of every change.
constexpr std::string_view migration_2 = R"sql(
CREATE TABLE examined_v2 (
  id              INTEGER PRIMARY KEY,
  mailbox         TEXT NOT NULL,
  uidvalidity     INTEGER NOT NULL,
  uid             INTEGER NOT NULL,
  message_id      TEXT NOT NULL,
  raw_sha256      TEXT NOT NULL,
  outcome         TEXT NOT NULL
                  CHECK (outcome IN ('registered', 'duplicate', 'skipped', 'rejected', 'held')),
  document_number TEXT,
  reason          TEXT NOT NULL,
  moved           INTEGER NOT NULL DEFAULT 0 CHECK (moved IN (0, 1)),
  UNIQUE (mailbox, uidvalidity, uid)
);
INSERT INTO examined_v2 SELECT * FROM examined;
DROP TABLE examined;
ALTER TABLE examined_v2 RENAME TO examined;
CREATE INDEX examined_by_content ON examined (message_id, raw_sha256);

-- A message held for a person: what was found of it, why, and what became of it.
CREATE TABLE held (
  id              INTEGER PRIMARY KEY,
  message_id      TEXT NOT NULL,
  raw_sha256      TEXT NOT NULL,
  mailbox         TEXT NOT NULL,       -- where it was found
  uidvalidity     INTEGER NOT NULL,
  uid             INTEGER NOT NULL,
  review_folder   TEXT NOT NULL,       -- where it was moved
  received_at     TEXT NOT NULL,
  sender          TEXT NOT NULL,
  subject         TEXT NOT NULL,
  cause           TEXT NOT NULL CHECK (cause IN ('robot', 'limit', 'failure', 'withdrawn')),
  reason          TEXT NOT NULL,
  files           TEXT NOT NULL,       -- JSON array of {"filename", "size"}
  held_at         TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'accepted', 'registered')),
  accept_meeting  TEXT,                -- accepted: the meeting a person chose, NULL for the usual rule
  accepted_by     TEXT,
  accepted_at     TEXT,
  document_number TEXT,                -- registered: the number it got
  last_error      TEXT,                -- the latest failure to register an accepted message
  UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX held_by_message_id ON held (message_id);
CREATE INDEX held_by_state ON held (state);

-- Messages whose processing was started and not finished: a crash leaves them here with a
-- count, so that a message that brings the daemon down is held instead of retried forever.
CREATE TABLE attempts (
  mailbox         TEXT NOT NULL,
  uidvalidity     INTEGER NOT NULL,
  uid             INTEGER NOT NULL,
  failures        INTEGER NOT NULL DEFAULT 0,
  in_flight       INTEGER NOT NULL DEFAULT 0 CHECK (in_flight IN (0, 1)),
  last_error      TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (mailbox, uidvalidity, uid)
);

ALTER TABLE contributions ADD COLUMN authentication TEXT;
ALTER TABLE contributions ADD COLUMN withdrawn_at TEXT;
ALTER TABLE contributions ADD COLUMN withdrawn_reason TEXT;

-- Who did what and when: the intake and the operators' commands alike.
CREATE TABLE events (
  id              INTEGER PRIMARY KEY,
  at              TEXT NOT NULL,
  actor           TEXT NOT NULL,       -- "contribd" or the operator's user name
  action          TEXT NOT NULL,
  document_number TEXT,
  message_id      TEXT,
  detail          TEXT NOT NULL
);
CREATE INDEX events_by_document ON events (document_number, id);
)sql";

// What the document says of itself (SPEC step 10), revisions (step 9), and the Message-ID of
// each reply, by which an answer to it is recognised as a revision.
constexpr std::string_view migration_3 = R"sql(
ALTER TABLE contributions ADD COLUMN title TEXT;
ALTER TABLE contributions ADD COLUMN source TEXT;
ALTER TABLE contributions ADD COLUMN purpose TEXT;
ALTER TABLE contributions ADD COLUMN keywords TEXT;
ALTER TABLE contributions ADD COLUMN abstract TEXT;
ALTER TABLE contributions ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]';  -- JSON array
ALTER TABLE contributions ADD COLUMN template TEXT CHECK (template IN ('itu', 'none'));

CREATE TABLE revisions (
  id              INTEGER PRIMARY KEY,
  contribution_id INTEGER NOT NULL REFERENCES contributions (id),
  number          INTEGER NOT NULL CHECK (number >= 1),
  message_id      TEXT NOT NULL,
  subject         TEXT NOT NULL,
  received_at     TEXT NOT NULL,
  late            INTEGER NOT NULL CHECK (late IN (0, 1)),
  file_hashes     TEXT NOT NULL,       -- as contributions.file_hashes
  UNIQUE (contribution_id, number)
);
CREATE TRIGGER revisions_are_kept BEFORE DELETE ON revisions
BEGIN
  SELECT RAISE(ABORT, 'revisions are never deleted');
END;

CREATE TABLE revision_files (
  id              INTEGER PRIMARY KEY,
  revision_id     INTEGER NOT NULL REFERENCES revisions (id),
  position        INTEGER NOT NULL,
  filename        TEXT NOT NULL,
  content_type    TEXT NOT NULL,
  size            INTEGER NOT NULL CHECK (size >= 0),
  sha256          TEXT NOT NULL,
  path            TEXT NOT NULL,
  UNIQUE (revision_id, position)
);

ALTER TABLE replies ADD COLUMN revision INTEGER;           -- NULL: about the original
ALTER TABLE replies ADD COLUMN reply_message_id TEXT;      -- the reply's own Message-ID
CREATE INDEX replies_by_message_id ON replies (reply_message_id);
)sql";

constexpr std::array<std::string_view, 3> migrations{migration_1, migration_2, migration_3};

}  // namespace

std::span<const std::string_view> schema_migrations() {
  return migrations;
}

int schema_version(sqlite::Database& db) {
  sqlite::Statement query(db, "PRAGMA user_version", "read the schema version");
  return query.step() ? static_cast<int>(query.integer(0)) : 0;
}

void migrate(sqlite::Database& db) {
  const int latest = static_cast<int>(migrations.size());
  // IMMEDIATE: a second process opening the same file waits here instead of migrating too.
  db.exec("BEGIN IMMEDIATE", "begin the schema migration");
  try {
    const int current = schema_version(db);
    if (current > latest) {
      throw StorageError(fmt::format(
          "{}: schema version {} is newer than this contribd knows ({}); use a newer contribd",
          db.path(), current, latest));
    }
    for (int version = current + 1; version <= latest; ++version) {
      db.exec(migrations[static_cast<std::size_t>(version - 1)],
              fmt::format("apply schema migration {}", version));
    }
    // PRAGMA takes no bound parameters; the value is our own constant, not outside input.
    if (current != latest) {
      db.exec(fmt::format("PRAGMA user_version = {}", latest), "record the schema version");
    }
    db.exec("COMMIT", "commit the schema migration");
  } catch (...) {
    sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace contribd::storage
