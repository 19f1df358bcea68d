#include "daemon/publish/documents_csv.h"

#include <fmt/format.h>

#include "daemon/policy/deadline.h"
#include "daemon/publish/meeting_page.h"
#include "daemon/publish/published_paths.h"
#include "daemon/publish/web_text.h"
#include "storage/utc_text.h"

namespace contribd::publish {
namespace {

std::string quoted_if_needed(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string file_links(const storage::DocumentNumber& document_number,
                       const std::vector<storage::StoredFile>& files, int revision,
                       std::string_view separator) {
  std::string out;
  for (const auto& file : files) {
    if (!out.empty()) out += separator;
    out += link_to(published_file_path(document_number, file, revision));
  }
  return out;
}

std::string revision_lines(const storage::Contribution& contribution) {
  std::string out;
  for (const auto& revision : contribution.revisions) {
    if (!out.empty()) out += '\n';
    out += fmt::format("Rev.{} {} {}", revision.number, storage::format_utc(revision.received_at),
                       revision.late ? "late" : "on_time");
    const std::string files =
        file_links(contribution.document_number, revision.files, revision.number, " ");
    if (!files.empty()) out += " " + files;
  }
  return out;
}

std::string from_mail(std::string_view text) {
  return inert_for_spreadsheets(text_for_data(text));
}

}  // namespace

std::string inert_for_spreadsheets(std::string_view text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    return "'" + std::string(text);
  }
  return std::string(text);
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += quoted_if_needed(fields[i]);
  }
  return out + "\r\n";
}

std::string documents_csv(const std::vector<storage::Contribution>& contributions) {
  std::string out = csv_record({"document_number", "title", "subject", "source", "received_at",
                                "status", "withdrawn_at", "files", "revisions"});
  for (const auto& c : contributions) {
    out += csv_record({
        text_for_data(c.document_number.text()),
        from_mail(shown_title(c)),
        from_mail(c.subject),
        from_mail(c.document.source.value_or("")),
        storage::format_utc(c.received_at),
        c.late ? "late" : "on_time",
        c.withdrawn ? storage::format_utc(c.withdrawn->at) : "",
        file_links(c.document_number, c.files, 0, "\n"),
        revision_lines(c),
    });
  }
  return out;
}

}  // namespace contribd::publish
