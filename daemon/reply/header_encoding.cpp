#include "daemon/reply/header_encoding.h"

#include <date/date.h>
#include <fmt/format.h>

#include <array>
#include <cctype>

#include "parsers/utf8.h"

namespace contribd::reply {
namespace {

constexpr std::size_t kMaxLine = 78;
// RFC 2047's limit for one encoded-word; with the folding space it fits a continuation line.
constexpr std::size_t kMaxEncodedWord = 75;
constexpr std::string_view kEncodedWordStart = "=?UTF-8?Q?";
constexpr std::string_view kEncodedWordEnd = "?=";
// Plain words longer than this could not be folded under 78 columns: they are encoded instead,
// since encoded-words can be split anywhere between characters.
constexpr std::size_t kMaxPlainWord = 70;

bool is_cleaned_away(char32_t cp) {
  return cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

bool needs_encoding(std::string_view word) {
  if (word.size() > kMaxPlainWord || word.find("=?") != std::string_view::npos) return true;
  for (const char c : word) {
    if (static_cast<unsigned char>(c) >= 0x7f) return true;
  }
  return false;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto space = text.find(' ', start);
    const auto end = space == std::string_view::npos ? text.size() : space;
    if (end > start) words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// A character in "Q" encoding, restricted to what RFC 2047 section 5 (3) allows in a phrase,
// so that the same words serve in Subject and in a display name.
std::string q_encoded(std::string_view character) {
  if (character == " ") return "_";
  const auto c = static_cast<unsigned char>(character.front());
  if (character.size() == 1 &&
      (std::isalnum(c) || std::string_view{"!*+-/"}.find(c) != std::string_view::npos)) {
    return std::string(character);
  }
  std::string out;
  for (const char byte : character) out += fmt::format("={:02X}", static_cast<unsigned char>(byte));
  return out;
}

// Splits UTF-8 into "Q" encoded-words, never inside a character (RFC 2047 section 5). "Q" rather
// than "B": some decoders join adjacent encoded-words before decoding them, which loses text
// after a base64 word that ends in padding, and cannot hurt quoted-printable.
void append_encoded_words(std::string_view text, std::vector<std::string>& tokens) {
  const std::size_t max_payload =
      kMaxEncodedWord - kEncodedWordStart.size() - kEncodedWordEnd.size();
  std::string payload;
  const auto flush = [&] {
    tokens.push_back(std::string(kEncodedWordStart) + payload + std::string(kEncodedWordEnd));
    payload.clear();
  };
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    next_code_point(text, pos);
    const std::string piece = q_encoded(text.substr(start, pos - start));
    if (!payload.empty() && payload.size() + piece.size() > max_payload) flush();
    payload += piece;
  }
  if (!payload.empty()) flush();
}

// Plain words stay readable; each run of words that must be encoded becomes encoded-words
// that include the spaces inside the run (spaces between encoded-words vanish on decoding).
std::vector<std::string> text_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  const std::vector<std::string_view> words = split_words(text);
  for (std::size_t i = 0; i < words.size();) {
    if (!needs_encoding(words[i])) {
      tokens.emplace_back(words[i++]);
      continue;
    }
    std::string run(words[i++]);
    while (i < words.size() && needs_encoding(words[i])) {
      run += ' ';
      run += words[i++];
    }
    append_encoded_words(run, tokens);
  }
  return tokens;
}

std::string fold(std::string_view name, const std::vector<std::string>& tokens) {
  std::string field(name);
  field += ':';
  std::size_t line_length = field.size();
  bool line_has_token = false;
  for (const std::string& token : tokens) {
    if (line_has_token && line_length + 1 + token.size() > kMaxLine) {
      field += "\r\n";
      line_length = 0;
    }
    field += ' ';
    field += token;
    line_length += 1 + token.size();
    line_has_token = true;
  }
  field += "\r\n";
  return field;
}

bool is_ascii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string quoted_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

}  // namespace

std::string clean_header_text(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  bool pending_space = false;
  for (std::size_t pos = 0; pos < text.size();) {
    const char32_t cp = next_code_point(text, pos);
    if (is_cleaned_away(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (chars + (pending_space ? 1 : 0) >= max_chars) {
      out += "...";
      break;
    }
    if (pending_space) {
      out += ' ';
      ++chars;
      pending_space = false;
    }
    append_utf8(cp, out);
    ++chars;
  }
  return out;
}

std::string unstructured_field(std::string_view name, std::string_view text) {
  return fold(name, text_tokens(text));
}

std::string mailbox_field(std::string_view name, std::string_view display_name,
                          std::string_view address) {
  std::vector<std::string> tokens;
  const std::string clean_name = clean_header_text(display_name, 200);
  if (!clean_name.empty()) {
    if (is_ascii(clean_name) && clean_name.find("=?") == std::string::npos &&
        clean_name.size() <= kMaxPlainWord) {
      tokens.push_back(quoted_string(clean_name));
    } else {
      // A phrase may not mix quoted text and encoded-words; the whole name is encoded.
      append_encoded_words(clean_name, tokens);
    }
  }
  tokens.push_back("<" + std::string(address) + ">");
  return fold(name, tokens);
}

std::string token_field(std::string_view name, const std::vector<std::string>& tokens) {
  return fold(name, tokens);
}

std::string rfc5322_date(UtcTime time) {
  static constexpr std::array<const char*, 7> weekdays{"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<date::days>(time);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss clock{time - day};
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
                     weekdays[date::weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                     months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

}  // namespace contribd::reply
