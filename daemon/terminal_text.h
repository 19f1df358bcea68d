// Text that came in mail (subjects, file names, addresses), made safe to show on an operator's
// terminal: nothing in it can move the cursor, reorder what follows, or hide characters.
#pragma once

#include <string>
#include <string_view>

namespace contribd {

// `text` with every character that is invisible or controls the display written as an escape:
// C0 controls, DEL and C1 controls (U+0080..U+009F); bidi embeddings, overrides, isolates and
// marks (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C); zero-width and other format
// characters (U+00AD, U+180E, U+200B, U+2060..U+2064, U+206A..U+206F, U+FEFF, U+FFF9..U+FFFB,
// tags U+E0000..U+E007F), Hangul fillers, and the line and paragraph separators. They become
// "\u202E" (or "\U000E0001"); bytes that are not UTF-8 become "\xff". Everything else, U+200C and
// U+200D included (Persian, Indic scripts and emoji need them), stays as it is. Total: any bytes.
std::string escape_for_terminal(std::string_view text);

}  // namespace contribd
