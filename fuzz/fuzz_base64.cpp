// libFuzzer target: every base64 routine (parsers/base64.h) on arbitrary bytes. Nothing may
// crash; encoding round-trips through the exact decoder; text the exact decoder accepts
// re-encodes to the same length; what the fast in-place decoder accepts, the lenient one
// decodes to the same bytes without a defect; the census counted in two pieces agrees with
// the census of the whole and with what the lenient decoder found.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parsers/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace contribd;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const std::string encoded = encode_base64(input);
  if (encoded.size() != (input.size() + 2) / 3 * 4) std::abort();
  const auto decoded = decode_base64(encoded);
  if (!decoded || *decoded != input) std::abort();

  if (const auto bytes = decode_base64(input)) {
    if (encode_base64(*bytes).size() != input.size()) std::abort();
  }

  const Base64Decoded lenient = decode_base64_lenient(input);
  std::string in_place(input);
  if (decode_base64_strict_in_place(in_place)) {
    if (in_place != lenient.bytes) std::abort();
    if (lenient.had_invalid_characters || lenient.missing_padding || lenient.had_dangling_bits) {
      std::abort();
    }
  }

  Base64Census whole;
  whole.add(input);
  Base64Census halves;
  halves.add(input.substr(0, size / 2));
  halves.add(input.substr(size / 2));
  if (halves.alphabet != whole.alphabet || halves.padded != whole.padded ||
      halves.junk != whole.junk) {
    std::abort();
  }
  if (whole.junk != lenient.had_invalid_characters) std::abort();
  if (whole.lacks_padding() != base64_lacks_padding(input)) std::abort();
  return 0;
}
