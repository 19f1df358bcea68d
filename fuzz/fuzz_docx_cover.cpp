// libFuzzer target: a .docx as it arrives, any bytes. Nothing may throw, crash or leak; the
// verdict and what comes with it agree (a cover sheet only when read, a problem only when not);
// every text is valid UTF-8 within the reader's bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/docx_cover.h"
#include "parsers/docx_cover_table.h"
#include "parsers/utf8.h"

namespace {

using namespace contribd::docx;

void check_text(const std::optional<std::string>& text) {
  if (!text) return;
  if (text->empty() || text->size() > kMaxCellBytes * kMaxCellsPerRow) std::abort();
  if (!contribd::is_valid_utf8(*text)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DocxLimits limits;
  limits.max_expanded_bytes = 4u << 20;  // keeps each run short; the limit logic is the same
  const DocxReading reading =
      read_cover_sheet(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  const CoverSheet& cover = reading.cover;
  if (reading.verdict != DocxVerdict::read) {
    if (reading.problem.empty() || cover.cover_table || cover.title || cover.core_title ||
        !cover.contacts.empty()) {
      std::abort();
    }
    return 0;
  }
  if (!reading.problem.empty()) std::abort();
  if (!cover.cover_table && (cover.source || cover.title || cover.purpose || cover.keywords ||
                             cover.abstract || !cover.contacts.empty())) {
    std::abort();
  }
  for (const auto* field : {&cover.source, &cover.title, &cover.purpose, &cover.keywords,
                            &cover.abstract, &cover.core_title}) {
    check_text(*field);
  }
  if (cover.contacts.size() > kMaxContacts) std::abort();
  for (const CoverContact& contact : cover.contacts) {
    for (const std::string* text :
         {&contact.name, &contact.organization, &contact.country, &contact.email}) {
      if (!contribd::is_valid_utf8(*text)) std::abort();
    }
  }
  return 0;
}
