#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/reply/quoted_printable.h"

namespace contribd::reply {
namespace {

// An independent decoder (RFC 2045 section 6.7) to check that encoding loses nothing.
std::string decode(const std::string& encoded) {
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '=') {
      out += encoded[i];
    } else if (encoded.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;  // soft line break
    } else {
      out += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& encoded) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < encoded.size()) {
    const auto end = encoded.find("\r\n", start);
    if (end == std::string::npos) {
      ADD_FAILURE() << "output does not end in CRLF";
      break;
    }
    lines.push_back(encoded.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

TEST(QuotedPrintable, PlainAsciiIsUnchanged) {
  EXPECT_EQ(encode_quoted_printable("Registered as QIT4N-I-007.\n"),
            "Registered as QIT4N-I-007.\r\n");
}

TEST(QuotedPrintable, EqualsNonAsciiAndTrailingSpaceAreEscaped) {
  EXPECT_EQ(encode_quoted_printable("a=b \n"), "a=3Db=20\r\n");
  EXPECT_EQ(encode_quoted_printable("caf\xc3\xa9\ttab\t\n"), "caf=C3=A9\ttab=09\r\n");
  EXPECT_EQ(encode_quoted_printable("bare\rCR\r\n"), "bare=0DCR\r\n");
}

TEST(QuotedPrintable, LongLinesGetSoftBreaksWithin76Columns) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "\xd0\x9a\xd0\xb2\xd0\xb0\xd0\xbd\xd1\x82 = quantum ";
  text += "\nshort\n";
  const std::string encoded = encode_quoted_printable(text);
  const std::vector<std::string> lines = lines_of(encoded);
  ASSERT_GT(lines.size(), 3u);
  for (const std::string& line : lines) {
    EXPECT_LE(line.size(), 76u) << line;
    // An escape is never cut by a soft break.
    const auto equals = line.rfind('=');
    if (equals != std::string::npos) {
      EXPECT_TRUE(equals + 1 == line.size() || equals + 3 <= line.size()) << line;
    }
  }
  EXPECT_EQ(decode(encoded), [&] {
    std::string crlf;
    for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return crlf;
  }());
}

TEST(QuotedPrintable, ExactlySeventySixCharactersNeedNoBreak) {
  const std::string line(76, 'a');
  EXPECT_EQ(encode_quoted_printable(line + "\n"), line + "\r\n");
  const std::string longer(77, 'a');
  EXPECT_EQ(encode_quoted_printable(longer + "\n"), std::string(75, 'a') + "=\r\naa\r\n");
}

}  // namespace
}  // namespace contribd::reply
