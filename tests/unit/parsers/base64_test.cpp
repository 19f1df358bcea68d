// The strict base64 fast path: it must decode exactly what every decoder agrees on, and hand
// everything else back (nullopt) to the careful paths.
#include "parsers/base64.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

namespace contribd {
namespace {

std::optional<std::string> decode_base64_strict(std::string text) {
  if (!decode_base64_strict_in_place(text)) return std::nullopt;
  return text;
}

// RFC 4648 encoding, wrapped at `line` characters with CRLF, for comparing against.
std::string encode(std::string_view bytes, std::size_t line = 76) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string flat;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t quantum = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) quantum |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) quantum |= static_cast<unsigned char>(bytes[i + 2]);
    flat += kAlphabet[(quantum >> 18) & 63];
    flat += kAlphabet[(quantum >> 12) & 63];
    flat += i + 1 < bytes.size() ? kAlphabet[(quantum >> 6) & 63] : '=';
    flat += i + 2 < bytes.size() ? kAlphabet[quantum & 63] : '=';
  }
  std::string wrapped;
  for (std::size_t i = 0; i < flat.size(); i += line) wrapped += flat.substr(i, line) + "\r\n";
  return wrapped;
}

TEST(Base64Strict, DecodesEveryLengthAndLineWidthLikeTheLenientDecoder) {
  std::mt19937 random(7);
  for (std::size_t size = 0; size < 200; ++size) {
    std::string bytes(size, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random());
    for (std::size_t line : {76u, 64u, 3u, 1u}) {
      const std::string text = encode(bytes, line);
      const auto strict = decode_base64_strict(text);
      ASSERT_TRUE(strict.has_value()) << "size " << size << " line " << line;
      EXPECT_EQ(*strict, bytes) << "size " << size << " line " << line;
      EXPECT_EQ(*strict, decode_base64_lenient(text).bytes);
    }
  }
}

TEST(Base64Strict, WhiteSpaceAnywhereAndAfterThePadIsAccepted) {
  EXPECT_EQ(decode_base64_strict(" SGVs\tbG8=\r\n \r\n"), "Hello");
  EXPECT_EQ(decode_base64_strict("SGVsbA=\r\n="), "Hell");
  EXPECT_EQ(decode_base64_strict(""), "");
  EXPECT_EQ(decode_base64_strict("\r\n"), "");
}

TEST(Base64Strict, AnythingIrregularIsLeftToTheCarefulPaths) {
  EXPECT_EQ(decode_base64_strict("SGVsbG8"), std::nullopt);       // no padding
  EXPECT_EQ(decode_base64_strict("SGVs!bG8="), std::nullopt);     // junk
  EXPECT_EQ(decode_base64_strict("SGVsbA==SGVs"), std::nullopt);  // data after the pad
  EXPECT_EQ(decode_base64_strict("SGVsbG8=="), std::nullopt);     // one pad too many
  EXPECT_EQ(decode_base64_strict("SGVsb==="), std::nullopt);      // a lone sextet
  EXPECT_EQ(decode_base64_strict("S"), std::nullopt);
  EXPECT_EQ(decode_base64_strict("=SGVs"), std::nullopt);
  EXPECT_EQ(decode_base64_strict(std::string("SGVs\0bG8=", 9)), std::nullopt);
}

// The exact decoder that protocol fields (SASL challenges) use.
TEST(Base64Exact, RoundTripsAndRejectsWhatIsNotBase64) {
  for (const std::string bytes : {"", "a", "ab", "abc", "abcd", "\x01\x02\xff"}) {
    EXPECT_EQ(decode_base64(encode_base64(bytes)), bytes);
  }
  EXPECT_EQ(encode_base64(""), "");
  EXPECT_EQ(encode_base64("f"), "Zg==");
  EXPECT_EQ(encode_base64("fo"), "Zm8=");
  EXPECT_EQ(encode_base64("foo"), "Zm9v");
  EXPECT_FALSE(decode_base64("abc"));
  EXPECT_FALSE(decode_base64("ab=c"));
  EXPECT_FALSE(decode_base64("a b="));
  EXPECT_FALSE(decode_base64("YQ==YQ=="));
  EXPECT_FALSE(decode_base64("Zm9v\r\n"));
  EXPECT_FALSE(decode_base64("Zm9v Zm9v"));
  EXPECT_EQ(encode_base64(std::string("\0\xfb\xff", 3)), "APv/");
}

}  // namespace
}  // namespace contribd

namespace contribd {
namespace {

Base64Census census_of(std::string_view text) {
  Base64Census census;
  census.add(text);
  return census;
}

TEST(Base64Census, CountsTheAlphabetAndNotesPadsAndJunkButNotWhiteSpace) {
  const Base64Census plain = census_of("QUJD\r\nREVG \t");
  EXPECT_EQ(plain.alphabet, 8u);
  EXPECT_FALSE(plain.padded);
  EXPECT_FALSE(plain.junk);
  EXPECT_FALSE(plain.lacks_padding());

  const Base64Census padded = census_of("QUI=\r\n");
  EXPECT_EQ(padded.alphabet, 3u);
  EXPECT_TRUE(padded.padded);
  EXPECT_FALSE(padded.lacks_padding());

  const Base64Census junk = census_of(
      "QU!J\x80"
      "D");
  EXPECT_EQ(junk.alphabet, 4u);
  EXPECT_TRUE(junk.junk);

  EXPECT_TRUE(census_of("QUI").lacks_padding());     // 3 characters, no pad
  EXPECT_TRUE(census_of("QUJDRA").lacks_padding());  // 6: a short last quantum of 2
  EXPECT_FALSE(census_of("QUJDR").lacks_padding());  // 5: a lone character, not a byte
  EXPECT_FALSE(census_of("").lacks_padding());
}

// A streamed body is counted in pieces of whatever size the reads return.
TEST(Base64Census, PiecesAddUpToTheWhole) {
  const std::string text = encode(std::string(1000, '\x5a'), 60) + "QUI\r\n!";
  const Base64Census whole = census_of(text);
  for (const std::size_t piece : {1u, 3u, 7u, 64u, 1000u}) {
    Base64Census pieces;
    for (std::size_t at = 0; at < text.size(); at += piece) {
      pieces.add(std::string_view(text).substr(at, piece));
    }
    EXPECT_EQ(pieces.alphabet, whole.alphabet) << piece;
    EXPECT_EQ(pieces.padded, whole.padded) << piece;
    EXPECT_EQ(pieces.junk, whole.junk) << piece;
  }
  EXPECT_TRUE(whole.padded);
  EXPECT_TRUE(whole.junk);
  EXPECT_EQ(whole.alphabet, 333u * 4 + 2 + 3);  // 1000 bytes: 333 quanta and "xx==", then "QUI"
  EXPECT_EQ(base64_lacks_padding(text), whole.lacks_padding());
}

}  // namespace
}  // namespace contribd
