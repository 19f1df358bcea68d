// Revisions (SPEC step 9) and the facts a document states about itself (step 10).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "storage/register.h"

namespace contribd::storage {
namespace {

using sqlite::Statement;

std::string hash_set_of(const std::vector<StoredFile>& files) {
  std::vector<std::string> hashes;
  for (const auto& file : files) hashes.push_back(file.sha256_hex);
  return file_hash_set(std::move(hashes));
}

std::string contacts_text(const std::vector<Contact>& contacts) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& contact : contacts) {
    array.push_back({{"name", contact.name},
                     {"organization", contact.organization},
                     {"country", contact.country},
                     {"email", contact.email}});
  }
  // Replace, not throw: a cover sheet is outside input and may hold invalid UTF-8.
  return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<Contact> contacts_from_text(const std::string& text, const std::string& path) {
  const nlohmann::json array = nlohmann::json::parse(text, nullptr, false);
  if (!array.is_array()) throw StorageError(fmt::format("{}: contacts are not a JSON array", path));
  std::vector<Contact> contacts;
  for (const auto& entry : array) {
    contacts.push_back({entry.value("name", ""), entry.value("organization", ""),
                        entry.value("country", ""), entry.value("email", "")});
  }
  return contacts;
}

}  // namespace

std::optional<DocumentNumber> Register::document_replied_to(
    const std::vector<std::string>& message_ids) {
  Statement query(*db_,
                  "SELECT document_number FROM replies WHERE reply_message_id = ?1 "
                  "ORDER BY id LIMIT 1",
                  "look up the contribution of a reply by Message-ID");
  for (const auto& message_id : message_ids) {
    query.bind(message_id);
    if (query.step()) return query.document_number(0);
    query.reset();
  }
  return std::nullopt;
}

int Register::next_revision_number(std::int64_t contribution_id) {
  Statement query(*db_, "SELECT max(number) FROM revisions WHERE contribution_id = ?1",
                  fmt::format("next revision number of contribution {}", contribution_id));
  query.bind(contribution_id);
  if (!query.step() || query.is_null(0)) return 1;
  return static_cast<int>(query.integer(0)) + 1;
}

void Register::insert_revision(std::int64_t contribution_id, const Revision& revision) {
  const auto what =
      fmt::format("insert revision {} of contribution {}", revision.number, contribution_id);
  db_->exec("SAVEPOINT insert_revision", what);
  try {
    Statement insert(*db_,
                     "INSERT INTO revisions (contribution_id, number, message_id, subject, "
                     "received_at, late, file_hashes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     what);
    insert
        .bind(contribution_id, revision.number, revision.message_id, revision.subject,
              revision.received_at, revision.late, hash_set_of(revision.files))
        .run();
    const std::int64_t revision_id = db_->last_insert_rowid();
    insert_stored_files("revision_files", "revision_id", revision_id, revision.files, what);
    db_->exec("RELEASE insert_revision", what);
  } catch (...) {
    sqlite3_exec(db_->handle(), "ROLLBACK TO insert_revision; RELEASE insert_revision", nullptr,
                 nullptr, nullptr);
    throw;
  }
}

void Register::set_document_facts(std::int64_t contribution_id, const DocumentFacts& facts) {
  Statement update(*db_,
                   "UPDATE contributions SET title = ?2, source = ?3, purpose = ?4, "
                   "keywords = ?5, abstract = ?6, contacts = ?7, template = ?8 WHERE id = ?1",
                   fmt::format("store the document facts of contribution {}", contribution_id));
  std::optional<std::string> template_text;
  if (facts.template_use) template_text = to_string(*facts.template_use);
  update
      .bind(contribution_id, facts.title, facts.source, facts.purpose, facts.keywords,
            facts.abstract, contacts_text(facts.contacts), template_text)
      .run();
}

DocumentFacts Register::read_document_facts(const Statement& row, int first) {
  DocumentFacts facts;
  facts.title = row.optional_text(first);
  facts.source = row.optional_text(first + 1);
  facts.purpose = row.optional_text(first + 2);
  facts.keywords = row.optional_text(first + 3);
  facts.abstract = row.optional_text(first + 4);
  facts.contacts = contacts_from_text(row.text(first + 5), path());
  if (auto text = row.optional_text(first + 6)) {
    facts.template_use = template_use_from_string(*text);
    if (!facts.template_use) {
      throw StorageError(fmt::format("{}: unknown template use \"{}\"", path(), *text));
    }
  }
  return facts;
}

void Register::load_revisions(Contribution& c) {
  Statement revisions(*db_,
                      "SELECT id, number, message_id, subject, received_at, late FROM revisions "
                      "WHERE contribution_id = ?1 ORDER BY number",
                      "read the revisions of " + c.document_number.text());
  revisions.bind(c.id);
  std::vector<std::int64_t> ids;
  while (revisions.step()) {
    ids.push_back(revisions.integer(0));
    Revision revision;
    revision.number = static_cast<int>(revisions.integer(1));
    revision.message_id = revisions.text(2);
    revision.subject = revisions.text(3);
    revision.received_at = revisions.time(4);
    revision.late = revisions.integer(5) != 0;
    c.revisions.push_back(std::move(revision));
  }
  Statement files(*db_,
                  "SELECT filename, content_type, size, sha256, path FROM revision_files "
                  "WHERE revision_id = ?1 ORDER BY position",
                  "read the revision files of " + c.document_number.text());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    files.bind(ids[i]);
    while (files.step()) {
      c.revisions[i].files.push_back(read_stored_file(files));
    }
    files.reset();
  }
}

}  // namespace contribd::storage
