#include "daemon/publish/web_text.h"

#include "parsers/utf8.h"

namespace contribd::publish {
namespace {

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

bool is_noncharacter(char32_t cp) {
  return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

}  // namespace

std::string text_for_page(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const char32_t cp = next_code_point(text, pos);
    if (is_control(cp)) {
      out += ' ';
    } else if (is_noncharacter(cp)) {
      append_utf8(kReplacementCharacter, out);
    } else {
      append_utf8(cp, out);
    }
  }
  return out;
}

std::string text_for_data(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) append_utf8(next_code_point(text, pos), out);
  return out;
}

}  // namespace contribd::publish
