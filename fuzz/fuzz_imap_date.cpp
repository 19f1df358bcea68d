// libFuzzer target: an IMAP INTERNALDATE, on arbitrary bytes. Never a crash; a date that is
// accepted is written back and read again as the same instant.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/imap_date.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace contribd::imap;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto when = parse_internal_date(text);
  if (!when) return 0;
  const auto again = parse_internal_date(format_internal_date(*when));
  if (!again || *again != *when) std::abort();
  return 0;
}
