// libFuzzer target: server responses as a hostile IMAP server could send them. The input is
// split the way the session frames a response (a line, then a literal if it announces one), so
// that both announced_literal() and parse_response() see attacker-chosen bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/imap_condition.h"
#include "parsers/imap_date.h"
#include "parsers/imap_response.h"

namespace {

void inspect(const contribd::imap::Response& response) {
  using namespace contribd::imap;
  (void)capabilities(response);
  (void)status_text(response);
  (void)code_name(condition_of(response).code);
  for (const char* name : {"UID", "RFC822.SIZE", "INTERNALDATE", "BODY[]"}) {
    if (const Value* value = fetch_attribute(response, name)) {
      if (auto text = value->as_text()) (void)parse_internal_date(*text);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t line_end = input.find('\n');
  const std::string_view first_line =
      input.substr(0, line_end == std::string_view::npos ? input.size() : line_end);
  if (auto length = contribd::imap::announced_literal(first_line)) {
    (void)*length;
  }
  const auto result = contribd::imap::parse_response(input);
  if (result.response) inspect(*result.response);
  (void)contribd::imap::parse_internal_date(input);
  return 0;
}
