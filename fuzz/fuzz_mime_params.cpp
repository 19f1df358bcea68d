// libFuzzer target: a Content-Type or Content-Disposition value, on arbitrary bytes. Never a
// crash; parameter values are valid UTF-8 (they become file names), at most 64 names are kept,
// and the defects of one field stay bounded.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/mime_params.h"
#include "parsers/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace contribd::mime;
  using contribd::is_valid_utf8;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> defects;
  const ParameterizedValue parsed = parse_parameterized_value(raw, defects);
  if (parsed.parameters.size() > 64) std::abort();
  for (const MimeParameter& parameter : parsed.parameters) {
    if (!is_valid_utf8(parameter.value)) std::abort();
  }
  if (defects.size() > 17) std::abort();
  (void)find_parameter(parsed, "filename");
  return 0;
}
