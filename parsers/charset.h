// Conversion of header and filename bytes from a declared charset to NFC UTF-8.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

// Converts `bytes` declared as `charset` (any MIME name or alias: utf-8, iso-8859-*,
// windows-125x, koi8-r/u, gb2312/gbk/gb18030, big5, shift_jis, iso-2022-jp, euc-kr, ...)
// to UTF-8 normalised to NFC. Never fails: an unknown charset keeps valid UTF-8 as it is
// and reads anything else as ISO-8859-1; bytes invalid in a known charset become U+FFFD.
// Each such fallback appends one defect naming the charset to `defects`. Linear in the input.
std::string charset_to_utf8(std::string_view bytes, std::string_view charset,
                            std::vector<std::string>& defects);

// Undeclared bytes (raw 8-bit header text): valid UTF-8 is kept, anything else is read as
// windows-1252/ISO-8859-1 with a defect. Result is NFC UTF-8.
std::string undeclared_to_utf8(std::string_view bytes, std::vector<std::string>& defects);

// Every byte as the code point of the same value (ISO-8859-1), encoded as UTF-8.
std::string latin1_to_utf8(std::string_view bytes);

// NFC form of valid UTF-8 input; invalid input is first made valid (bad bytes -> U+FFFD).
// Time is linear in the input. For that, a run of more than 30 non-starters (combining marks,
// counted in the canonical decomposition) gets U+034F COMBINING GRAPHEME JOINER before the
// 31st, as UAX #15's Stream-Safe Text Format does; no real text has such runs.
std::string normalise_nfc(std::string_view utf8);

}  // namespace contribd::mime
