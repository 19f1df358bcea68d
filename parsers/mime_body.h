// The decoded bytes of one GMime leaf part.
#pragma once

#include <string>
#include <vector>

typedef struct _GMimePart GMimePart;

namespace contribd::mime {

// Undoes the Content-Transfer-Encoding of `part` (GMime's decoders, through a memory
// stream). Base64 without padding, which GMime 3.2 decodes one byte short, is decoded by
// contribd instead. Junk in base64 is skipped; an unknown encoding gives the bytes as they
// are. Each case appends a defect prefixed by `where` (e.g. "part 1.2"). A part without
// content gives "".
std::string decode_part_body(GMimePart* part, const std::string& where,
                             std::vector<std::string>& defects);

// The defect for a Content-Transfer-Encoding GMime does not know (the body is then taken as
// it is); nothing for a known or absent one.
void note_unknown_encoding(GMimePart* part, const std::string& where,
                           std::vector<std::string>& defects);

}  // namespace contribd::mime
