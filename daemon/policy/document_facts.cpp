#include "daemon/policy/document_facts.h"

#include <fmt/format.h>

namespace contribd::policy {
namespace {

bool has_text(const std::optional<std::string>& text) {
  return text && !text->empty();
}

storage::DocumentFacts from_cover(const docx::CoverSheet& cover) {
  storage::DocumentFacts facts;
  facts.title = has_text(cover.title) ? cover.title : std::nullopt;
  facts.source = cover.source;
  facts.purpose = cover.purpose;
  facts.keywords = cover.keywords;
  facts.abstract = cover.abstract;
  for (const auto& person : cover.contacts) {
    facts.contacts.push_back({person.name, person.organization, person.country, person.email});
  }
  return facts;
}

}  // namespace

storage::DocumentFacts document_facts(const std::vector<mime::ExtractedFile>& files,
                                      std::string_view subject) {
  storage::DocumentFacts facts;
  std::optional<std::string> core_title;
  bool any_docx = false;
  for (const mime::ExtractedFile& file : files) {
    if (!file.docx) continue;
    any_docx = true;
    const docx::DocxReading& reading = *file.docx;
    if (reading.verdict != docx::DocxVerdict::read) continue;
    if (!core_title && has_text(reading.cover.core_title)) core_title = reading.cover.core_title;
    if (reading.cover.cover_table && !facts.template_use) {
      facts = from_cover(reading.cover);
      facts.template_use = storage::TemplateUse::itu;
    }
  }
  if (any_docx && !facts.template_use) facts.template_use = storage::TemplateUse::none;
  if (!facts.title) facts.title = core_title;
  if (!facts.title && !subject.empty()) facts.title = std::string(subject);
  return facts;
}

std::vector<std::string> unread_documents(const std::vector<mime::ExtractedFile>& files) {
  std::vector<std::string> lines;
  for (const mime::ExtractedFile& file : files) {
    if (file.docx && file.docx->verdict != docx::DocxVerdict::read) {
      lines.push_back(fmt::format("{}: {}", file.filename, file.docx->problem));
    }
  }
  return lines;
}

}  // namespace contribd::policy
