// libFuzzer target: the XML inside a .docx, where coverage guidance reaches it (a fuzzer
// seldom gets through deflate). The input up to its first NUL byte is word/document.xml, the
// rest docProps/core.xml; both are stored in a zip that is then read like any attachment.
// Nothing may throw, crash or leak; a cover sheet only comes with the verdict read; texts are
// valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parsers/docx_cover.h"
#include "parsers/utf8.h"
#include "tests/unit/parsers/stored_zip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace contribd::docx;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string docx = contribd::test::docx_with(
      std::string(input.substr(0, nul)),
      nul == std::string_view::npos ? std::string() : std::string(input.substr(nul + 1)));
  const DocxReading reading = read_cover_sheet(docx);
  const CoverSheet& cover = reading.cover;
  // The zip around the XML is sound and stored, never too large; unless the XML carries end
  // records of its own, which the reader counts as it counts the zip's.
  if ((reading.verdict == DocxVerdict::not_a_zip || reading.verdict == DocxVerdict::over_limit) &&
      input.find("PK\x05\x06") == std::string_view::npos) {
    std::abort();
  }
  if (reading.verdict != DocxVerdict::read && (cover.cover_table || cover.core_title)) std::abort();
  for (const auto* field : {&cover.source, &cover.title, &cover.purpose, &cover.keywords,
                            &cover.abstract, &cover.core_title}) {
    if (*field && (!contribd::is_valid_utf8(**field) || (*field)->empty())) std::abort();
  }
  for (const CoverContact& contact : cover.contacts) {
    if (!contribd::is_valid_utf8(contact.name + contact.organization + contact.country +
                                 contact.email)) {
      std::abort();
    }
  }
  return 0;
}
