#include "parsers/charset.h"

#include <fmt/format.h>
#include <glib.h>
#include <gmime/gmime.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "parsers/ascii_text.h"
#include "parsers/mime_init.h"
#include "parsers/utf8.h"

namespace contribd::mime {

namespace {

// Outlook and older mailers use names that glibc iconv does not know.
std::string iconv_name_for(std::string_view charset) {
  std::string name = ascii::lower(charset);
  // RFC 2231 language suffix inside an RFC 2047 charset: "utf-8*en".
  if (auto star = name.find('*'); star != std::string::npos) name.resize(star);
  if (name == "ks_c_5601-1987" || name == "ks_c_5601" || name == "ksc5601") return "CP949";
  if (name == "x-sjis" || name == "sjis" || name == "shift-jis") return "SHIFT_JIS";
  if (name == "gb2312" || name == "x-gbk") return "GBK";  // GBK is a superset used in practice
  if (name == "utf8") return "UTF-8";
  ensure_gmime_initialised();
  return g_mime_charset_iconv_name(name.c_str());
}

bool is_utf8_name(std::string_view name) {
  const std::string lowered = ascii::lower(name);
  return lowered == "utf-8" || lowered == "utf8";
}

bool is_ascii_name(std::string_view name) {
  const std::string lowered = ascii::lower(name);
  return lowered == "us-ascii" || lowered == "ascii" || lowered == "ansi_x3.4-1968";
}

// NFC of valid UTF-8 without NUL bytes (GLib stops at NUL), appended to `out`.
void append_nfc_without_nul(std::string_view utf8, std::string& out) {
  gchar* normalised =
      g_utf8_normalize(utf8.data(), static_cast<gssize>(utf8.size()), G_NORMALIZE_NFC);
  if (normalised == nullptr) {
    out.append(utf8);
    return;
  }
  out.append(normalised);
  g_free(normalised);
}

// NFC of valid UTF-8, NUL bytes kept, appended to `out`.
void append_nfc(std::string_view utf8, std::string& out) {
  while (true) {
    const std::size_t nul = utf8.find('\0');
    append_nfc_without_nul(utf8.substr(0, nul), out);
    if (nul == std::string_view::npos) return;
    out.push_back('\0');
    utf8.remove_prefix(nul + 1);
  }
}

// GLib's g_utf8_normalize() is quadratic twice over: each composition moves the rest of the
// buffer down, and the combining marks after a starter are ordered by a bubble sort. Long
// text is therefore normalised in pieces of about kNfcPieceBytes, each cut where NFC cannot
// join the two sides, and runs of combining marks are broken as UAX #15's Stream-Safe Text
// Format does. Small pieces keep the per-piece quadratic terms to a constant per byte.
constexpr std::size_t kNfcPieceBytes = 256;
// UAX #15 section 13: at most 30 non-starters in a row, then U+034F COMBINING GRAPHEME JOINER.
constexpr std::size_t kMaxNonStarters = 30;
constexpr std::string_view kCombiningGraphemeJoiner = "\xCD\x8F";

// Starters (combining class 0) that are the second character of some canonical composition
// (Hangul medial vowels and final consonants, a few Indic length marks): NFC may join them to
// what precedes, so no piece may start at one. Read once from GLib's own decomposition data,
// so that it always agrees with the normaliser.
const std::vector<gunichar>& starters_that_compose_backwards() {
  static const std::vector<gunichar> starters = [] {
    std::vector<gunichar> found;
    constexpr gunichar kLastDecomposable = 0x2FA1D;  // end of the CJK compatibility supplement
    for (gunichar c = 0x80; c <= kLastDecomposable; ++c) {
      gunichar first = 0;
      gunichar second = 0;
      if (g_unichar_decompose(c, &first, &second) && second != 0 &&
          g_unichar_combining_class(second) == 0) {
        found.push_back(second);
      }
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return found;
  }();
  return starters;
}

// How a character behaves under normalisation, from its canonical decomposition.
struct NormalisationShape {
  bool piece_may_start_here = true;  // NFC never joins it to the character before
  std::size_t leading_non_starters = 0;
  std::size_t trailing_non_starters = 0;
  bool all_non_starters = false;
};

NormalisationShape normalisation_shape(gunichar c) {
  NormalisationShape shape;
  if (c < 0x80) return shape;
  gunichar decomposed[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
  const gsize length =
      g_unichar_fully_decompose(c, FALSE, decomposed, G_UNICHAR_MAX_DECOMPOSITION_LENGTH);
  while (shape.leading_non_starters < length &&
         g_unichar_combining_class(decomposed[shape.leading_non_starters]) != 0) {
    ++shape.leading_non_starters;
  }
  shape.all_non_starters = shape.leading_non_starters == length;
  while (shape.trailing_non_starters < length &&
         g_unichar_combining_class(decomposed[length - 1 - shape.trailing_non_starters]) != 0) {
    ++shape.trailing_non_starters;
  }
  const auto& backwards = starters_that_compose_backwards();
  shape.piece_may_start_here =
      shape.leading_non_starters == 0 &&
      !std::binary_search(backwards.begin(), backwards.end(), decomposed[0]);
  return shape;
}

struct IconvResult {
  std::string text;
  bool replaced_invalid = false;
};

// Runs iconv over all of `bytes`, replacing each undecodable input byte with U+FFFD.
IconvResult convert_with_iconv(iconv_t converter, std::string_view bytes) {
  IconvResult result;
  std::string buffer(bytes.size() * 4 + 16, '\0');
  char* input = const_cast<char*>(bytes.data());
  size_t input_left = bytes.size();
  while (true) {
    char* output = buffer.data();
    size_t output_left = buffer.size();
    const size_t rc =
        iconv(converter, input_left ? &input : nullptr, &input_left, &output, &output_left);
    result.text.append(buffer.data(), output - buffer.data());
    if (rc != static_cast<size_t>(-1)) {
      if (input_left == 0) break;
      continue;
    }
    if (errno == E2BIG) continue;
    // EILSEQ or EINVAL (truncated sequence at the end): skip one byte and go on.
    result.replaced_invalid = true;
    result.text.append(kReplacementUtf8);
    if (input_left == 0) break;
    ++input;
    --input_left;
    iconv(converter, nullptr, nullptr, nullptr, nullptr);
  }
  // Flush the shift state of stateful encodings (ISO-2022-JP).
  char* output = buffer.data();
  size_t output_left = buffer.size();
  iconv(converter, nullptr, nullptr, &output, &output_left);
  result.text.append(buffer.data(), output - buffer.data());
  return result;
}

bool all_ascii(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](unsigned char c) { return c < 0x80; });
}

// Charsets whose 7-bit bytes are not plain ASCII text (escape sequences, UTF-7, wide forms).
bool is_ascii_compatible(std::string_view charset) {
  const std::string name = ascii::lower(charset);
  for (std::string_view marker : {"2022", "utf-7", "utf7", "utf-16", "utf-32", "ucs", "hz"}) {
    if (name.find(marker) != std::string::npos) return false;
  }
  return true;
}

}  // namespace

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::string normalise_nfc(std::string_view utf8) {
  // Pure ASCII is already NFC; skip the GLib round trip for the common case.
  if (all_ascii(utf8)) return std::string(utf8);
  const std::string valid = is_valid_utf8(utf8) ? std::string(utf8) : repair_utf8(utf8);
  std::string out;
  out.reserve(valid.size());
  std::string piece;
  std::size_t non_starters_in_a_row = 0;
  for (const char* next = valid.data(); next < valid.data() + valid.size();) {
    const char* character = next;
    next = g_utf8_next_char(character);
    const NormalisationShape shape = normalisation_shape(g_utf8_get_char(character));
    if (shape.piece_may_start_here && piece.size() >= kNfcPieceBytes) {
      append_nfc(piece, out);
      piece.clear();
    }
    if (non_starters_in_a_row + shape.leading_non_starters > kMaxNonStarters) {
      piece.append(kCombiningGraphemeJoiner);
      non_starters_in_a_row = 0;
    }
    non_starters_in_a_row = shape.all_non_starters
                                ? non_starters_in_a_row + shape.leading_non_starters
                                : shape.trailing_non_starters;
    piece.append(character, next);
  }
  append_nfc(piece, out);
  return out;
}

std::string undeclared_to_utf8(std::string_view bytes, std::vector<std::string>& defects) {
  if (is_valid_utf8(bytes)) return normalise_nfc(bytes);
  defects.push_back("8-bit header text is not UTF-8; read as ISO-8859-1");
  return normalise_nfc(latin1_to_utf8(bytes));
}

std::string charset_to_utf8(std::string_view bytes, std::string_view charset,
                            std::vector<std::string>& defects) {
  if (all_ascii(bytes) && is_ascii_compatible(charset)) return std::string(bytes);
  if (charset.empty() || is_ascii_name(charset)) return undeclared_to_utf8(bytes, defects);
  if (is_utf8_name(charset)) {
    if (is_valid_utf8(bytes)) return normalise_nfc(bytes);
    defects.push_back("invalid UTF-8 sequences replaced by U+FFFD");
    return normalise_nfc(repair_utf8(bytes));
  }
  const std::string iconv_name = iconv_name_for(charset);
  iconv_t converter = iconv_open("UTF-8", iconv_name.c_str());
  if (converter == reinterpret_cast<iconv_t>(-1)) {
    defects.push_back(fmt::format("unknown charset \"{}\"; text read as {}", charset,
                                  is_valid_utf8(bytes) ? "UTF-8" : "ISO-8859-1"));
    return normalise_nfc(is_valid_utf8(bytes) ? std::string(bytes) : latin1_to_utf8(bytes));
  }
  IconvResult converted = convert_with_iconv(converter, bytes);
  iconv_close(converter);
  if (converted.replaced_invalid) {
    defects.push_back(fmt::format("bytes invalid in charset \"{}\" replaced by U+FFFD", charset));
  }
  return normalise_nfc(converted.text);
}

}  // namespace contribd::mime
