#include "parsers/base64.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

namespace contribd {

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

namespace {

// The strict decoder's classes of bytes beside the sextet values 0-63.
constexpr unsigned char kSpace = 0x40;
constexpr unsigned char kPad = 0x41;
constexpr unsigned char kJunk = 0xff;

constexpr std::array<unsigned char, 256> make_strict_table() {
  std::array<unsigned char, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<std::size_t>(c)] =
        kTable[static_cast<std::size_t>(c)] == kNotAlphabet
            ? kJunk
            : static_cast<unsigned char>(kTable[static_cast<std::size_t>(c)]);
  }
  for (unsigned char c : {' ', '\t', '\r', '\n'}) table[c] = kSpace;
  table[static_cast<unsigned char>('=')] = kPad;
  return table;
}

constexpr std::array<unsigned char, 256> kStrictTable = make_strict_table();

// Base64Census's classes as bits, so that a piece is counted with an add and an or per byte.
constexpr unsigned char kCensusAlphabet = 1;
constexpr unsigned char kCensusPad = 2;
constexpr unsigned char kCensusJunk = 4;

constexpr std::array<unsigned char, 256> make_census_table() {
  std::array<unsigned char, 256> table{};
  for (std::size_t c = 0; c < table.size(); ++c) {
    const unsigned char kind = kStrictTable[c];
    table[c] = kind == kSpace  ? 0
               : kind == kPad  ? kCensusPad
               : kind == kJunk ? kCensusJunk
                               : kCensusAlphabet;
  }
  return table;
}

constexpr std::array<unsigned char, 256> kCensusTable = make_census_table();

// The part after the first '=': more '=' and white space only, and as many '=' as the short
// last quantum of `sextets` characters needs.
bool padding_is_complete(std::string_view tail, int sextets) {
  int pads = 0;
  for (char c : tail) {
    const unsigned char kind = kStrictTable[static_cast<unsigned char>(c)];
    if (kind == kPad) {
      ++pads;
    } else if (kind != kSpace) {
      return false;
    }
  }
  return (sextets == 2 && pads == 2) || (sextets == 3 && pads == 1);
}

}  // namespace

bool decode_base64_strict_in_place(std::string& text) {
  // Four characters make three bytes, so the write position never passes the read position.
  auto* const start = reinterpret_cast<unsigned char*>(text.data());
  unsigned char* write = start;
  const unsigned char* read = start;
  const unsigned char* const end = start + text.size();
  std::uint32_t bits = 0;
  int sextets = 0;
  while (read < end) {
    // Most of the text is whole quanta between line breaks: four at a time.
    if (sextets == 0 && end - read >= 4) {
      const std::uint32_t a = kStrictTable[read[0]], b = kStrictTable[read[1]],
                          c = kStrictTable[read[2]], d = kStrictTable[read[3]];
      if (((a | b | c | d) & 0xc0) == 0) {
        const std::uint32_t quantum = (a << 18) | (b << 12) | (c << 6) | d;
        write[0] = static_cast<unsigned char>(quantum >> 16);
        write[1] = static_cast<unsigned char>(quantum >> 8);
        write[2] = static_cast<unsigned char>(quantum);
        write += 3;
        read += 4;
        continue;
      }
    }
    const unsigned char kind = kStrictTable[*read];
    if (kind == kSpace) {
      ++read;
      continue;
    }
    if (kind == kJunk) return false;
    if (kind == kPad) {
      const std::string_view tail(reinterpret_cast<const char*>(read),
                                  static_cast<std::size_t>(end - read));
      if (!padding_is_complete(tail, sextets)) return false;
      if (sextets == 2) *write++ = static_cast<unsigned char>(bits >> 4);
      if (sextets == 3) {
        *write++ = static_cast<unsigned char>(bits >> 10);
        *write++ = static_cast<unsigned char>(bits >> 2);
      }
      sextets = 0;
      break;
    }
    bits = (bits << 6) | kind;
    ++read;
    if (++sextets == 4) {
      write[0] = static_cast<unsigned char>(bits >> 16);
      write[1] = static_cast<unsigned char>(bits >> 8);
      write[2] = static_cast<unsigned char>(bits);
      write += 3;
      bits = 0;
      sextets = 0;
    }
  }
  if (sextets != 0) return false;
  text.resize(static_cast<std::size_t>(write - start));
  return true;
}

void Base64Census::add(std::string_view piece) {
  std::uint64_t alphabet_in_piece = 0;
  unsigned kinds_seen = 0;
  for (const char c : piece) {
    const unsigned char kind = kCensusTable[static_cast<unsigned char>(c)];
    alphabet_in_piece += kind & kCensusAlphabet;
    kinds_seen |= kind;
  }
  alphabet += alphabet_in_piece;
  padded = padded || (kinds_seen & kCensusPad) != 0;
  junk = junk || (kinds_seen & kCensusJunk) != 0;
}

bool base64_lacks_padding(std::string_view text) {
  Base64Census census;
  census.add(text);
  return census.lacks_padding();
}

std::string encode_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  // The in-place decoder accepts white space between quanta; an exact field has none.
  for (const char c : text) {
    if (is_space(c)) return std::nullopt;
  }
  std::string bytes(text);
  if (!decode_base64_strict_in_place(bytes)) return std::nullopt;
  return bytes;
}

}  // namespace contribd
