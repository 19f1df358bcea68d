#include "daemon/reply/quoted_printable.h"

#include <fmt/format.h>

namespace contribd::reply {
namespace {

constexpr std::size_t kMaxEncodedLine = 76;

bool is_literal(unsigned char byte) {
  return (byte >= 33 && byte <= 126 && byte != '=') || byte == ' ' || byte == '\t';
}

std::string encoded_byte(unsigned char byte, bool at_line_end) {
  const bool whitespace = byte == ' ' || byte == '\t';
  if (is_literal(byte) && !(whitespace && at_line_end))
    return std::string(1, static_cast<char>(byte));
  return fmt::format("={:02X}", byte);
}

// One input line (without its line end) as one or more output lines joined by soft breaks.
void encode_line(std::string_view line, std::string& out) {
  std::size_t length = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const bool last = i + 1 == line.size();
    const std::string piece = encoded_byte(static_cast<unsigned char>(line[i]), last);
    // The last piece may use the full width; others leave room for the soft break's '='.
    const std::size_t limit = last ? kMaxEncodedLine : kMaxEncodedLine - 1;
    if (length + piece.size() > limit) {
      out += "=\r\n";
      length = 0;
    }
    out += piece;
    length += piece.size();
  }
  out += "\r\n";
}

}  // namespace

std::string encode_quoted_printable(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto newline = text.find('\n', start);
    std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    const std::size_t next = newline == std::string_view::npos ? text.size() : newline + 1;
    if (newline != std::string_view::npos && end > start && text[end - 1] == '\r') --end;
    encode_line(text.substr(start, end - start), out);
    start = next;
  }
  return out;
}

}  // namespace contribd::reply
