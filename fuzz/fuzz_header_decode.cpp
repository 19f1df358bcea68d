// libFuzzer target: header text and MIME parameter decoding on arbitrary bytes must never
// crash and must always give valid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/header_decode.h"
#include "parsers/mime_params.h"
#include "parsers/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace contribd::mime;
  using contribd::is_valid_utf8;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> defects;
  if (!is_valid_utf8(decode_header_text(input, defects))) std::abort();
  const ParameterizedValue parsed = parse_parameterized_value(input, defects);
  if (parsed.parameters.size() > 64) std::abort();  // the documented cap
  for (const MimeParameter& parameter : parsed.parameters) {
    if (!is_valid_utf8(parameter.value)) std::abort();
  }
  return 0;
}
