#include "parsers/imap_arguments.h"

#include <fmt/format.h>

#include "parsers/printable.h"

namespace contribd::imap {
std::optional<std::string> quoted_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0 || c == '\r' || c == '\n' || byte >= 0x80) return std::nullopt;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

FolderArgument folder_argument(std::string_view name) {
  if (name.empty()) return {"", "folder name is empty"};
  std::string encoded;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      return {"", fmt::format("folder name \"{}\" is not ASCII; only ASCII names are supported",
                              printable(name))};
    }
    if (byte < 0x20 || byte == 0x7f) {
      return {"", fmt::format("folder name \"{}\" contains a control character", printable(name))};
    }
    encoded += c;
    if (c == '&') encoded += '-';
  }
  return {*quoted_string(encoded), ""};
}

}  // namespace contribd::imap
