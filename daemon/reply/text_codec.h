// Byte-level text helpers for replies: UTF-8 walking that tolerates invalid input, and base64.
#pragma once

#include <string>
#include <string_view>

namespace contribd::reply {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// The code point starting at `pos`, advancing `pos` past it. An invalid, overlong, truncated or
// surrogate sequence yields U+FFFD and advances by one byte, so every input terminates.
char32_t next_code_point(std::string_view text, std::size_t& pos);

// Appends the UTF-8 encoding of `cp` (U+FFFD for values that are not scalar values).
void append_utf8(char32_t cp, std::string& out);

// True when `text` is well-formed UTF-8 (no U+FFFD substitutions were needed).
bool is_valid_utf8(std::string_view text);

inline bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Standard base64 with padding, no line breaks.
std::string base64_encode(std::string_view bytes);

}  // namespace contribd::reply
