// RFC 5322 comments ("(...)" in structured header fields), which nest and may hold quoted
// pairs; shared by the header parsers that step over them (addresses, Authentication-Results).
#pragma once

#include <cstddef>
#include <string_view>

namespace contribd::rfc5322 {

struct CommentEnd {
  std::size_t end = 0;  // just after the matching ')', or text.size()
  bool closed = false;  // false: the comment runs to the end of the text
};

// The end of the comment that opens at `open` (where `text` holds '(').
constexpr CommentEnd comment_end(std::string_view text, std::size_t open) {
  std::size_t depth = 0;
  std::size_t pos = open;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (c == '\\') {
      if (pos < text.size()) ++pos;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0 && --depth == 0) {
      return {pos, true};
    }
  }
  return {text.size(), false};
}

}  // namespace contribd::rfc5322
