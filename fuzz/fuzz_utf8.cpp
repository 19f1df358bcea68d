// libFuzzer target: the UTF-8 walker (parsers/utf8.h) on arbitrary bytes. Nothing may crash;
// repair always gives valid UTF-8 and changes valid text not at all; walking valid text code
// point by code point and encoding it again gives the same bytes; a prefix is never longer
// than asked and cuts valid text only between characters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parsers/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace contribd;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool valid = is_valid_utf8(input);

  const std::string repaired = repair_utf8(input);
  if (!is_valid_utf8(repaired)) std::abort();
  if (valid != (repaired == input)) std::abort();

  std::string again;
  for (std::size_t pos = 0; pos < input.size();) {
    const std::size_t before = pos;
    append_utf8(next_code_point(input, pos), again);
    if (pos <= before || pos > input.size()) std::abort();
  }
  if (valid && again != input) std::abort();
  if (!is_valid_utf8(again)) std::abort();

  for (const std::size_t limit : {std::size_t{0}, size / 2, size > 0 ? size - 1 : 0}) {
    const std::string_view prefix = utf8_prefix(input, limit);
    if (prefix.size() > limit && prefix.size() != input.size()) std::abort();
    if (valid && !is_valid_utf8(prefix)) std::abort();
  }
  return 0;
}
