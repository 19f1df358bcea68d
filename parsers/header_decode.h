// Decoding of unstructured header text: RFC 2047 encoded-words and raw 8-bit bytes.
// Used for Subject, display names, and parameter values that carry encoded-words
// (Outlook writes them inside quoted filename= and name=, which RFC 2047 forbids).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

// Joins folded lines: a line break (CRLF or LF) followed by white space is removed, the
// white space kept. A bare line break elsewhere is also removed.
std::string unfold_header(std::string_view raw);

// Decodes every RFC 2047 encoded-word ("=?charset?B|Q?text?=", charset may carry an RFC 2231
// "*lang" suffix) in `raw`, also words glued to other text. White space between two adjacent
// encoded-words is dropped; adjacent words of one charset are joined before conversion so a
// character split across words survives. Text outside words is kept; 8-bit bytes there are
// read as UTF-8 when valid, else ISO-8859-1. Malformed words are decoded as far as possible
// (bad base64: the valid quanta) or kept literally; each problem appends a defect.
// The result is always valid NFC UTF-8 (see normalise_nfc() for runs of combining marks);
// control characters are kept. Time is linear in the size of `raw`, whatever its shape (a
// megabyte of "=?x?Q?a" fragments included). Defects are those of one field: each distinct
// problem once, at most 16, then one line counting the rest (see BoundedDefects).
std::string decode_header_text(std::string_view raw, std::vector<std::string>& defects);

}  // namespace contribd::mime
