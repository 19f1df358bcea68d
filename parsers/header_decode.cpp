#include "parsers/header_decode.h"

#include <fmt/format.h>

#include <optional>

#include "parsers/charset.h"
#include "parsers/mime_base64.h"

namespace contribd::mime {

namespace {

struct Segment {
  bool encoded = false;
  std::string charset;  // for encoded segments
  std::string bytes;    // decoded bytes (encoded) or raw text (plain)
};

struct EncodedWord {
  std::string_view charset;
  char encoding = 0;  // 'B' or 'Q', upper-case
  std::string_view text;
  std::size_t length = 0;  // of the whole "=?...?=" form
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Recognises "=?charset?X?text?=" at the start of `input`.
std::optional<EncodedWord> match_encoded_word(std::string_view input) {
  if (input.size() < 8 || input[0] != '=' || input[1] != '?') return std::nullopt;
  const std::size_t charset_end = input.find('?', 2);
  if (charset_end == std::string_view::npos || charset_end == 2) return std::nullopt;
  if (charset_end + 2 >= input.size() || input[charset_end + 2] != '?') return std::nullopt;
  const char encoding = static_cast<char>(input[charset_end + 1] & ~0x20);
  if (encoding != 'B' && encoding != 'Q') return std::nullopt;
  const std::size_t text_start = charset_end + 3;
  const std::size_t text_end = input.find("?=", text_start);
  if (text_end == std::string_view::npos) return std::nullopt;
  EncodedWord word;
  word.charset = input.substr(2, charset_end - 2);
  for (char c : word.charset) {
    if (is_space(c)) return std::nullopt;
  }
  word.text = input.substr(text_start, text_end - text_start);
  for (char c : word.text) {
    if (is_space(c)) return std::nullopt;
  }
  word.encoding = encoding;
  word.length = text_end + 2;
  return word;
}

std::string decode_q(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string decode_word_bytes(const EncodedWord& word, std::vector<std::string>& defects) {
  if (word.encoding == 'Q') return decode_q(word.text);
  Base64Decoded decoded = decode_base64_lenient(word.text);
  if (decoded.had_invalid_characters || decoded.had_dangling_bits) {
    defects.push_back(
        fmt::format("invalid base64 in encoded-word \"=?{}?B?{}?=\"", word.charset, word.text));
  }
  return std::move(decoded.bytes);
}

std::vector<Segment> split_into_segments(std::string_view text, std::vector<std::string>& defects) {
  std::vector<Segment> segments;
  std::size_t plain_start = 0;
  std::size_t i = 0;
  auto flush_plain = [&](std::size_t end) {
    if (end > plain_start) {
      segments.push_back({false, {}, std::string(text.substr(plain_start, end - plain_start))});
    }
  };
  while (i < text.size()) {
    std::size_t candidate = text.find("=?", i);
    if (candidate == std::string_view::npos) break;
    std::optional<EncodedWord> word = match_encoded_word(text.substr(candidate));
    if (!word) {
      i = candidate + 1;
      continue;
    }
    flush_plain(candidate);
    segments.push_back({true, lower(word->charset), decode_word_bytes(*word, defects)});
    i = candidate + word->length;
    plain_start = i;
  }
  flush_plain(text.size());
  return segments;
}

bool is_blank(std::string_view text) {
  for (char c : text) {
    if (!is_space(c)) return false;
  }
  return true;
}

// RFC 2047 6.2: white space between adjacent encoded-words is not displayed; and words of
// one charset are joined so a multi-byte character split over two words decodes whole.
std::vector<Segment> join_adjacent_words(std::vector<Segment> segments) {
  std::vector<Segment> joined;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    Segment& segment = segments[i];
    const bool between_words = !segment.encoded && is_blank(segment.bytes) && i > 0 &&
                               i + 1 < segments.size() && segments[i - 1].encoded &&
                               segments[i + 1].encoded;
    if (between_words) continue;
    if (segment.encoded && !joined.empty() && joined.back().encoded &&
        joined.back().charset == segment.charset) {
      joined.back().bytes += segment.bytes;
      continue;
    }
    joined.push_back(std::move(segment));
  }
  return joined;
}

}  // namespace

std::string unfold_header(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

std::string decode_header_text(std::string_view raw, std::vector<std::string>& defects) {
  const std::string text = unfold_header(raw);
  std::string out;
  for (const Segment& segment : join_adjacent_words(split_into_segments(text, defects))) {
    out += segment.encoded ? charset_to_utf8(segment.bytes, segment.charset, defects)
                           : undeclared_to_utf8(segment.bytes, defects);
  }
  return normalise_nfc(out);
}

}  // namespace contribd::mime
