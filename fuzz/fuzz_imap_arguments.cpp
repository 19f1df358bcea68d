// libFuzzer target: user-chosen text (folder names from the configuration, search values from
// mail) quoted as an IMAP command argument. Nothing may throw or crash; a quoted string is
// exactly what the IMAP response parser reads back as the same bytes; a folder argument is
// either wire text that decodes to the name or a bounded error, never both.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/imap_arguments.h"
#include "parsers/imap_response.h"

namespace {

using namespace contribd::imap;

constexpr std::size_t kMaxError = 300;  // 200 bytes of the name plus the longest reason

bool needs_literal(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0 || c == '\r' || c == '\n' || byte >= 0x80) return true;
  }
  return false;
}

// The bytes that a server reading `quoted` as the mailbox of a LIST response would see.
std::optional<std::string> read_back(const std::string& quoted) {
  const ParseResult parsed = parse_response("* LIST () \"/\" " + quoted);
  if (!parsed.response || parsed.response->values.size() != 3) return std::nullopt;
  const Value& value = parsed.response->values[2];
  if (value.kind != Value::Kind::string) return std::nullopt;
  return value.text;
}

void check_quoted_string(std::string_view text) {
  const std::optional<std::string> quoted = quoted_string(text);
  if (quoted.has_value() == needs_literal(text)) std::abort();
  if (!quoted) return;
  if (quoted->size() > 2 * text.size() + 2) std::abort();
  if (read_back(*quoted) != std::string(text)) std::abort();
}

void check_folder_argument(std::string_view name) {
  const FolderArgument argument = folder_argument(name);
  if (argument.wire.empty() == argument.error.empty()) std::abort();
  if (!argument.wire.empty()) {
    const std::optional<std::string> seen = read_back(argument.wire);
    if (!seen) std::abort();
    std::string decoded;  // modified UTF-7 for ASCII: "&-" is "&"
    for (std::size_t i = 0; i < seen->size(); ++i) {
      decoded += (*seen)[i];
      if ((*seen)[i] == '&') {
        if (i + 1 >= seen->size() || (*seen)[i + 1] != '-') std::abort();
        ++i;
      }
    }
    if (decoded != name) std::abort();
    return;
  }
  if (argument.error.size() > kMaxError) std::abort();
  for (const char c : argument.error) {
    if (c == '\r' || c == '\n' || c == '\0') std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_quoted_string(input);
  check_folder_argument(input);
  return 0;
}
