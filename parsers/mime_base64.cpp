#include "parsers/mime_base64.h"

#include <array>

namespace contribd::mime {

namespace {

constexpr int kNotAlphabet = -1;

constexpr std::array<int, 256> make_table() {
  std::array<int, 256> table{};
  for (int& value : table) value = kNotAlphabet;
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  }
  return table;
}

constexpr std::array<int, 256> kTable = make_table();

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Emits the bytes of a partial quantum of `count` sextets (2 or 3) held in `bits`.
void flush_partial(std::string& out, unsigned bits, int count) {
  if (count == 2) {
    out.push_back(static_cast<char>((bits >> 4) & 0xff));
  } else if (count == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xff));
    out.push_back(static_cast<char>((bits >> 2) & 0xff));
  }
}

}  // namespace

Base64Decoded decode_base64_lenient(std::string_view text) {
  Base64Decoded result;
  result.bytes.reserve(text.size() / 4 * 3 + 3);
  unsigned bits = 0;
  int count = 0;
  bool after_pad = false;
  for (char c : text) {
    const int value = kTable[static_cast<unsigned char>(c)];
    if (value == kNotAlphabet) {
      if (c == '=') {
        if (count == 1) result.had_dangling_bits = true;
        flush_partial(result.bytes, bits, count);
        bits = 0;
        count = 0;
        after_pad = true;
      } else if (!is_space(c)) {
        result.had_invalid_characters = true;
      }
      continue;
    }
    if (after_pad) {
      result.had_data_after_padding = true;
      after_pad = false;
    }
    bits = (bits << 6) | static_cast<unsigned>(value);
    if (++count == 4) {
      result.bytes.push_back(static_cast<char>((bits >> 16) & 0xff));
      result.bytes.push_back(static_cast<char>((bits >> 8) & 0xff));
      result.bytes.push_back(static_cast<char>(bits & 0xff));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1) result.had_dangling_bits = true;
  if (count >= 2) result.missing_padding = true;
  flush_partial(result.bytes, bits, count);
  return result;
}

bool base64_lacks_padding(std::string_view text) {
  std::size_t alphabet_count = 0;
  for (char c : text) {
    if (c == '=') return false;
    if (kTable[static_cast<unsigned char>(c)] != kNotAlphabet) ++alphabet_count;
  }
  return alphabet_count % 4 >= 2;
}

}  // namespace contribd::mime
