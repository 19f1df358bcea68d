// UTF-8 (RFC 3629), the one home for walking it: well-formed means no overlong forms, no
// surrogates, nothing above U+10FFFF; NUL is a character (GLib's validators say otherwise,
// hence these). Every function accepts any bytes and terminates; none throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace contribd {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;
inline constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

inline bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The length of the well-formed sequence at the start of `bytes` (1 to 4), or 0 when the bytes
// there are not one (stray continuation byte, truncated, overlong, surrogate, > U+10FFFF) or
// `bytes` is empty.
std::size_t utf8_sequence_length(std::string_view bytes);

// The code point starting at `pos`, advancing `pos` past it. A malformed sequence yields
// U+FFFD and advances by one byte (so a real U+FFFD is told apart by having advanced three).
char32_t next_code_point(std::string_view text, std::size_t& pos);

// Appends the UTF-8 encoding of `cp` (U+FFFD for values that are not scalar values).
void append_utf8(char32_t cp, std::string& out);

bool is_valid_utf8(std::string_view bytes);

// `bytes` with every malformed sequence (each byte of one) replaced by U+FFFD.
std::string repair_utf8(std::string_view bytes);

// The longest prefix of `text` of at most `max_bytes` that does not end inside a sequence
// (backing off at most three bytes, so that malformed text is still cut near `max_bytes`).
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace contribd
