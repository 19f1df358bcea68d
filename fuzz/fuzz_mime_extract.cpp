// libFuzzer target: extract_message() must never crash, hang or leak on any bytes, and what
// it returns must hold its promises (valid UTF-8 names, digests that match the data).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/mime_extract.h"
#include "parsers/sha256.h"
#include "parsers/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace contribd::mime;
  using contribd::is_valid_utf8;
  ExtractLimits limits;
  limits.max_parts = 200;  // keeps each run short; the limit logic is the same
  const ParsedMessage message =
      extract_message(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!is_valid_utf8(message.subject)) std::abort();
  for (const ExtractedFile& file : message.files) {
    if (!is_valid_utf8(file.filename) || file.filename.empty()) std::abort();
    if (file.sha256_hex != sha256_hex(file.data)) std::abort();
  }
  return 0;
}
