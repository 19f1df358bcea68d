#include "parsers/printable.h"

#include <fmt/format.h>

namespace contribd {

void append_printable(std::string& out, std::string_view text, ControlShown shown) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out.push_back(c);
    } else if (shown == ControlShown::hex_escape) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out.push_back('?');
    }
  }
}

std::string printable(std::string_view text, std::size_t max_bytes, ControlShown shown) {
  std::string out;
  append_printable(out, text.substr(0, max_bytes), shown);
  if (text.size() > max_bytes) out += "...";
  return out;
}

}  // namespace contribd
