// The register's side of the secretariat's desk: held messages, failure counts, withdrawals,
// operators' decisions on replies and the history of changes (register.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "storage/register.h"

namespace contribd::storage {
namespace {

using sqlite::Statement;

std::string files_json(const std::vector<HeldFile>& files) {
  nlohmann::json array = nlohmann::json::array();
  for (const HeldFile& file : files) {
    array.push_back({{"filename", file.filename}, {"size", file.size}});
  }
  return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<HeldFile> files_from_json(const std::string& text) {
  std::vector<HeldFile> files;
  const nlohmann::json array = nlohmann::json::parse(text, nullptr, false);
  if (!array.is_array()) return files;
  for (const auto& item : array) {
    files.push_back({item.value("filename", ""), item.value("size", std::uint64_t{0})});
  }
  return files;
}

constexpr std::string_view held_columns =
    "id, message_id, raw_sha256, mailbox, uidvalidity, uid, review_folder, received_at, sender, "
    "subject, cause, reason, files, held_at, state, accept_meeting, accepted_by, accepted_at, "
    "document_number, last_error";

HeldMessage read_held(const Statement& row, const std::string& path) {
  HeldMessage held;
  held.id = row.integer(0);
  held.message_id = row.text(1);
  held.raw_sha256 = row.text(2);
  held.found = MessageKey{row.text(3), static_cast<std::uint32_t>(row.integer(4)),
                          static_cast<std::uint32_t>(row.integer(5))};
  held.review_folder = row.text(6);
  held.received_at = row.time(7);
  held.sender = row.text(8);
  held.subject = row.text(9);
  const auto cause = hold_cause_from_string(row.text(10));
  const auto state = held_state_from_string(row.text(14));
  if (!cause || !state) {
    throw StorageError(fmt::format("{}: held message {}: unknown cause \"{}\" or state \"{}\"",
                                   path, held.id, row.text(10), row.text(14)));
  }
  held.cause = *cause;
  held.reason = row.text(11);
  held.files = files_from_json(row.text(12));
  held.held_at = row.time(13);
  held.state = *state;
  held.accept_meeting = row.optional_text(15);
  held.accepted_by = row.optional_text(16);
  held.accepted_at = row.optional_time(17);
  held.document_number = row.optional_document_number(18);
  held.last_error = row.optional_text(19);
  return held;
}

}  // namespace

std::string bracketed_message_id(std::string_view message_id) {
  std::string id(message_id);
  if (!id.starts_with('<')) id.insert(id.begin(), '<');
  if (!id.ends_with('>')) id.push_back('>');
  return id;
}

// --- Held messages ---

std::int64_t Register::hold(const HeldMessage& m) {
  Statement upsert(
      *db_,
      "INSERT INTO held (message_id, raw_sha256, mailbox, uidvalidity, uid, review_folder, "
      "received_at, sender, subject, cause, reason, files, held_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
      "ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET "
      "message_id = excluded.message_id, raw_sha256 = excluded.raw_sha256, "
      "review_folder = excluded.review_folder, received_at = excluded.received_at, "
      "sender = excluded.sender, subject = excluded.subject, cause = excluded.cause, "
      "reason = excluded.reason, files = excluded.files, held_at = excluded.held_at, "
      "state = 'held'",
      "hold " + to_string(m.found));
  upsert
      .bind(m.message_id, m.raw_sha256, m.found.mailbox, m.found.uidvalidity, m.found.uid,
            m.review_folder, m.received_at, m.sender, m.subject, to_string(m.cause), m.reason,
            files_json(m.files), m.held_at)
      .run();
  Statement id(*db_, "SELECT id FROM held WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
               "find the held record of " + to_string(m.found));
  id.bind(m.found.mailbox, m.found.uidvalidity, m.found.uid);
  return id.step() ? id.integer(0) : 0;
}

std::vector<HeldMessage> Register::held_messages(std::optional<HeldState> state) {
  std::optional<std::string> state_name;
  if (state) state_name = to_string(*state);
  Statement query(
      *db_,
      fmt::format("SELECT {} FROM held WHERE ?1 IS NULL OR state = ?1 ORDER BY id", held_columns),
      "list held messages");
  query.bind(state_name);
  std::vector<HeldMessage> found;
  while (query.step()) found.push_back(read_held(query, path()));
  return found;
}

std::optional<HeldMessage> Register::find_held(std::string_view message_id) {
  Statement query(
      *db_, fmt::format("SELECT {} FROM held WHERE message_id = ?1 ORDER BY id DESC", held_columns),
      fmt::format("find held message {}", message_id));
  query.bind(bracketed_message_id(message_id));
  if (!query.step()) return std::nullopt;
  return read_held(query, path());
}

bool Register::accept_held(std::int64_t held_id, std::optional<std::string> meeting,
                           std::string actor, UtcTime now) {
  Statement update(*db_,
                   "UPDATE held SET state = 'accepted', accept_meeting = ?2, accepted_by = ?3, "
                   "accepted_at = ?4, last_error = NULL WHERE id = ?1 AND state = 'held'",
                   fmt::format("accept held message {}", held_id));
  update.bind(held_id, meeting, actor, now).run();
  return db_->changes() > 0;
}

void Register::mark_held_registered(std::int64_t held_id, const DocumentNumber& document_number) {
  Statement update(*db_,
                   "UPDATE held SET state = 'registered', document_number = ?2, last_error = NULL "
                   "WHERE id = ?1",
                   fmt::format("mark held message {} registered", held_id));
  update.bind(held_id, document_number).run();
}

void Register::note_held_error(std::int64_t held_id, const std::string& error) {
  Statement update(*db_, "UPDATE held SET last_error = ?2 WHERE id = ?1",
                   fmt::format("note the failure of held message {}", held_id));
  update.bind(held_id, error).run();
}

void Register::reject_acceptance(std::int64_t held_id, const std::string& error) {
  Statement update(*db_, "UPDATE held SET state = 'held', last_error = ?2 WHERE id = ?1",
                   fmt::format("hold message {} again", held_id));
  update.bind(held_id, error).run();
}

// --- Failure counts ---

void Register::mark_in_flight(const std::vector<MessageKey>& keys) {
  Statement upsert(*db_,
                   "INSERT INTO attempts (mailbox, uidvalidity, uid, in_flight) "
                   "VALUES (?1, ?2, ?3, 1) "
                   "ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET in_flight = 1",
                   "mark messages in flight");
  for (const MessageKey& key : keys) {
    upsert.bind(key.mailbox, key.uidvalidity, key.uid).run();
    upsert.reset();
  }
}

std::vector<MessageKey> Register::suspects(const std::string& mailbox) {
  Statement query(*db_,
                  "SELECT uidvalidity, uid FROM attempts WHERE mailbox = ?1 "
                  "AND (in_flight = 1 OR failures > 0) ORDER BY uidvalidity, uid",
                  fmt::format("list messages of \"{}\" whose processing failed", mailbox));
  query.bind(mailbox);
  std::vector<MessageKey> keys;
  while (query.step()) {
    keys.push_back(MessageKey{mailbox, static_cast<std::uint32_t>(query.integer(0)),
                              static_cast<std::uint32_t>(query.integer(1))});
  }
  return keys;
}

int Register::count_failure(const MessageKey& key, const std::string& error) {
  Statement upsert(*db_,
                   "INSERT INTO attempts (mailbox, uidvalidity, uid, failures, last_error) "
                   "VALUES (?1, ?2, ?3, 1, ?4) "
                   "ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET "
                   "failures = failures + 1, last_error = excluded.last_error",
                   "count a failure of " + to_string(key));
  upsert.bind(key.mailbox, key.uidvalidity, key.uid, error).run();
  return failures(key);
}

int Register::failures(const MessageKey& key) {
  Statement query(*db_,
                  "SELECT failures FROM attempts WHERE mailbox = ?1 AND uidvalidity = ?2 "
                  "AND uid = ?3",
                  "read the failures of " + to_string(key));
  query.bind(key.mailbox, key.uidvalidity, key.uid);
  return query.step() ? static_cast<int>(query.integer(0)) : 0;
}

std::string Register::last_failure(const MessageKey& key) {
  Statement query(*db_,
                  "SELECT last_error FROM attempts WHERE mailbox = ?1 AND uidvalidity = ?2 "
                  "AND uid = ?3",
                  "read the last failure of " + to_string(key));
  query.bind(key.mailbox, key.uidvalidity, key.uid);
  return query.step() ? query.text(0) : std::string();
}

void Register::clear_attempts(const MessageKey& key) {
  Statement remove(*db_,
                   "DELETE FROM attempts WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
                   "clear the attempts of " + to_string(key));
  remove.bind(key.mailbox, key.uidvalidity, key.uid).run();
}

// --- Contributions and replies ---

bool Register::withdraw(const DocumentNumber& document_number, std::string reason, UtcTime now) {
  if (!find(document_number)) {
    throw StorageError(fmt::format("{}: withdraw: no contribution {}", path(), document_number));
  }
  Statement update(*db_,
                   "UPDATE contributions SET withdrawn_at = ?2, withdrawn_reason = ?3 "
                   "WHERE document_number = ?1 AND withdrawn_at IS NULL",
                   "withdraw " + document_number.text());
  update.bind(document_number, now, reason).run();
  return db_->changes() > 0;
}

void Register::set_authentication(std::int64_t contribution_id, const std::string& results) {
  Statement update(*db_, "UPDATE contributions SET authentication = ?2 WHERE id = ?1",
                   fmt::format("record the authentication of contribution {}", contribution_id));
  update.bind(contribution_id, results).run();
}

std::optional<std::int64_t> Register::release_withheld(const DocumentNumber& document_number,
                                                       UtcTime now) {
  Statement query(*db_,
                  "SELECT id FROM replies WHERE document_number = ?1 AND state = 'withheld' "
                  "AND length(message) > 0 ORDER BY id DESC LIMIT 1",
                  "find the withheld reply of " + document_number.text());
  query.bind(document_number);
  if (!query.step()) return std::nullopt;
  const std::int64_t id = query.integer(0);
  Statement update(*db_,
                   "UPDATE replies SET state = 'queued', next_attempt_at = ?2, "
                   "reason = 'released: ' || reason WHERE id = ?1 AND state = 'withheld'",
                   "release reply " + std::to_string(id));
  update.bind(id, now).run();
  return id;
}

std::optional<Register::StoredReply> Register::latest_reply(const DocumentNumber& document_number) {
  Statement query(*db_,
                  "SELECT id, kind, state, recipient, envelope_from, message FROM replies "
                  "WHERE document_number = ?1 AND length(message) > 0 ORDER BY id DESC LIMIT 1",
                  "find the latest reply of " + document_number.text());
  query.bind(document_number);
  if (!query.step()) return std::nullopt;
  StoredReply reply;
  reply.id = query.integer(0);
  reply.kind = reply_kind_from_string(query.text(1)).value_or(ReplyKind::none);
  reply.state = reply_state_from_string(query.text(2)).value_or(ReplyState::queued);
  reply.recipient = query.text(3);
  reply.envelope_from = query.text(4);
  reply.message = query.text(5);
  return reply;
}

std::vector<std::string> Register::recipients_since(UtcTime since) {
  Statement query(*db_,
                  "SELECT recipient FROM replies WHERE created_at >= ?1 "
                  "AND state IN ('queued', 'sent', 'failed')",
                  "list the recipients of recent replies");
  query.bind(since);
  std::vector<std::string> recipients;
  while (query.step()) recipients.push_back(query.text(0));
  return recipients;
}

// --- History ---

void Register::record_event(const Event& event) {
  Statement insert(*db_,
                   "INSERT INTO events (at, actor, action, document_number, message_id, detail) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                   "record the event " + event.action);
  insert
      .bind(event.at, event.actor, event.action, event.document_number, event.message_id,
            event.detail)
      .run();
}

std::vector<Event> Register::events(const DocumentNumber& document_number) {
  Statement query(*db_,
                  "SELECT at, actor, action, document_number, message_id, detail FROM events "
                  "WHERE document_number = ?1 ORDER BY id",
                  "read the history of " + document_number.text());
  query.bind(document_number);
  std::vector<Event> found;
  while (query.step()) {
    found.push_back(Event{query.time(0), query.text(1), query.text(2),
                          query.optional_document_number(3), query.optional_text(4),
                          query.text(5)});
  }
  return found;
}

bool Register::changed_elsewhere() {
  Statement query(*db_, "PRAGMA data_version", "read the data version");
  const std::int64_t version = query.step() ? query.integer(0) : 0;
  const bool changed = data_version_ >= 0 && version != data_version_;
  data_version_ = version;
  return changed;
}

}  // namespace contribd::storage
