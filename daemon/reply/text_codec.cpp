#include "daemon/reply/text_codec.h"

#include <algorithm>

namespace contribd::reply {
namespace {

struct SequenceShape {
  int length;          // bytes in the sequence, 0 for a byte that cannot start one
  char32_t lead_bits;  // the code point bits carried by the lead byte
  char32_t minimum;    // smaller values are overlong encodings
};

SequenceShape shape_of(unsigned char lead) {
  if (lead < 0x80) return {1, lead, 0};
  if ((lead & 0xE0) == 0xC0) return {2, lead & 0x1Fu, 0x80};
  if ((lead & 0xF0) == 0xE0) return {3, lead & 0x0Fu, 0x800};
  if ((lead & 0xF8) == 0xF0) return {4, lead & 0x07u, 0x10000};
  return {0, 0, 0};
}

bool is_scalar_value(char32_t cp) {
  return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

}  // namespace

char32_t next_code_point(std::string_view text, std::size_t& pos) {
  const SequenceShape shape = shape_of(static_cast<unsigned char>(text[pos]));
  if (shape.length == 0 || pos + shape.length > text.size()) {
    ++pos;
    return shape.length == 1 ? shape.lead_bits : kReplacementCharacter;
  }
  char32_t cp = shape.lead_bits;
  for (int i = 1; i < shape.length; ++i) {
    const char c = text[pos + i];
    if (!is_utf8_continuation(c)) {
      ++pos;
      return kReplacementCharacter;
    }
    cp = (cp << 6) | (static_cast<unsigned char>(c) & 0x3Fu);
  }
  if (cp < shape.minimum || !is_scalar_value(cp)) {
    ++pos;
    return kReplacementCharacter;
  }
  pos += shape.length;
  return cp;
}

void append_utf8(char32_t cp, std::string& out) {
  if (!is_scalar_value(cp)) cp = kReplacementCharacter;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    if (next_code_point(text, pos) == kReplacementCharacter) {
      // A real U+FFFD in the text is three bytes long; a substitution consumed one.
      if (pos - start != 3) return false;
    }
  }
  return true;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t available = std::min<std::size_t>(3, bytes.size() - i);
    unsigned group = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      group = (group << 8) | (k < available ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < 4; ++k) {
      out += k <= available ? alphabet[(group >> (18 - 6 * k)) & 0x3F] : '=';
    }
  }
  return out;
}

}  // namespace contribd::reply
