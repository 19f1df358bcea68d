// Base64 (RFC 4648), the one home for it: encoding for SASL and reply headers; an exact
// decoder for protocol fields (SASL challenges); a forgiving one for transfer-encoded bodies
// and RFC 2047 "B" words, where GMime 3.2 drops the last byte of unpadded input; a fast
// in-place one for well-formed bodies. Pure, never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace contribd {

// Standard alphabet with '=' padding, no line breaks (OpenSSL's EVP_EncodeBlock).
std::string encode_base64(std::string_view bytes);

// Exactly one encoding accepted: alphabet characters in whole quanta, '=' padding only at
// the end, no white space. nullopt for anything else.
std::optional<std::string> decode_base64(std::string_view text);

struct Base64Decoded {
  std::string bytes;
  bool had_invalid_characters = false;  // anything but the alphabet, '=', and white space
  bool missing_padding = false;         // the last quantum was short and had no '='
  bool had_dangling_bits = false;       // a single character was left over (cannot be a byte)
  bool had_data_after_padding = false;  // alphabet characters after a '=' pad
};

// Decodes every valid quantum of `text`. Invalid characters are skipped, a missing pad is
// supplied, a lone trailing character is dropped, data after a pad is decoded as a new
// run; the flags say which of these happened. Never throws.
Base64Decoded decode_base64_lenient(std::string_view text);

// Decodes well-formed base64 fast, in place (no second buffer): alphabet characters and white
// space only, '=' padding only at the end (white space may follow it), a whole number of
// quanta. Such text decodes the same in every decoder, GMime's included. True: `text` now
// holds the decoded bytes. False: the text was anything else, for the careful paths (GMime,
// decode_base64_lenient) to take with their defects, and `text` holds no meaningful bytes
// any more. Never throws.
bool decode_base64_strict_in_place(std::string& text);

// What a transfer-encoded body holds, counted in pieces (a body streamed from a file comes in
// pieces): alphabet characters, whether a '=' pad was seen, whether anything but the alphabet,
// '=' and white space was. One table lookup per byte, no branch.
struct Base64Census {
  std::uint64_t alphabet = 0;
  bool padded = false;
  bool junk = false;

  void add(std::string_view piece);
  // Alphabet characters whose count is not a multiple of four and no '=' pad: the case
  // GMime 3.2 decodes short.
  bool lacks_padding() const { return !padded && alphabet % 4 >= 2; }
};

// Base64Census::lacks_padding() of the whole of `text`. No allocation.
bool base64_lacks_padding(std::string_view text);

}  // namespace contribd
