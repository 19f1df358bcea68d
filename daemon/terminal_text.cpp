#include "daemon/terminal_text.h"

#include <fmt/format.h>

#include "parsers/utf8.h"

namespace contribd {
namespace {

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

// Bidi controls make "gpj.exe" read as "exe.jpg" and can reorder the columns that follow.
bool is_bidi_control(char32_t cp) {
  return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Characters drawn as nothing (or as a blank) that make two different texts look the same.
bool is_invisible(char32_t cp) {
  return cp == 0x00ad || cp == 0x115f || cp == 0x1160 || cp == 0x180e || cp == 0x200b ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x206a && cp <= 0x206f) || cp == 0x3164 ||
         cp == 0xfeff || cp == 0xffa0 || (cp >= 0xfff9 && cp <= 0xfffb) ||
         (cp >= 0xe0000 && cp <= 0xe007f);
}

// Terminals may start a new line at them.
bool is_separator(char32_t cp) {
  return cp == 0x2028 || cp == 0x2029;
}

bool needs_escape(char32_t cp) {
  return is_control(cp) || is_bidi_control(cp) || is_invisible(cp) || is_separator(cp);
}

}  // namespace

std::string escape_for_terminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    const char32_t cp = next_code_point(text, pos);
    const std::string_view character = text.substr(start, pos - start);
    // A substitution consumes one byte; a U+FFFD really in the text is three bytes long.
    if (cp == kReplacementCharacter && character.size() == 1) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(character.front()));
    } else if (!needs_escape(cp)) {
      out += character;
    } else if (cp <= 0xffff) {
      out += fmt::format("\\u{:04X}", static_cast<std::uint32_t>(cp));
    } else {
      out += fmt::format("\\U{:08X}", static_cast<std::uint32_t>(cp));
    }
  }
  return out;
}

}  // namespace contribd
