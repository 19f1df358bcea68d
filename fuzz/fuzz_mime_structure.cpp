// libFuzzer target: MimeStructureScanner must never crash or hang, and where the input is
// cut into chunks must not change its answer: fed whole, byte by byte and in chunks of sizes
// drawn from the input, it reports the same limit, part count, depth and header blocks.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/mime_structure.h"

namespace {

using contribd::mime::MimeStructureScanner;
using contribd::mime::StructureLimits;
using contribd::mime::StructureScan;

// Small limits, so that every one of them is reached by inputs the fuzzer can build.
StructureLimits small_limits() {
  StructureLimits limits;
  limits.max_parts = 40;
  limits.max_depth = 6;
  limits.max_header_bytes = 2048;
  limits.max_header_field_bytes = 512;
  limits.max_header_lines = 48;
  return limits;
}

StructureScan result_of(const MimeStructureScanner& scanner) {
  return {scanner.over_limit(), scanner.parts(), scanner.deepest(), scanner.header_blocks()};
}

// Chunk sizes from 1 to 64, drawn from the input's own bytes.
StructureScan scan_in_drawn_chunks(std::string_view input, const StructureLimits& limits) {
  MimeStructureScanner scanner(limits);
  std::size_t at = 0;
  std::uint32_t state = static_cast<std::uint32_t>(input.size()) * 2654435761u;
  while (at < input.size()) {
    state = state * 1103515245u + 12345u + static_cast<unsigned char>(input[at]);
    const std::size_t size = 1 + (state >> 16) % 64;
    scanner.feed(input.substr(at, size));
    at += size;
  }
  scanner.finish();
  return result_of(scanner);
}

StructureScan scan_byte_by_byte(std::string_view input, const StructureLimits& limits) {
  MimeStructureScanner scanner(limits);
  for (std::size_t at = 0; at < input.size(); ++at) scanner.feed(input.substr(at, 1));
  scanner.finish();
  return result_of(scanner);
}

bool same(const StructureScan& a, const StructureScan& b) {
  return a.over_limit == b.over_limit && a.parts == b.parts && a.deepest == b.deepest &&
         a.header_blocks == b.header_blocks;
}

void check(std::string_view input, const StructureLimits& limits) {
  const StructureScan whole = contribd::mime::scan_mime_structure(input, limits);
  if (!same(whole, scan_byte_by_byte(input, limits))) std::abort();
  if (!same(whole, scan_in_drawn_chunks(input, limits))) std::abort();
  if (!whole.over_limit && (whole.parts > limits.max_parts || whole.deepest > limits.max_depth)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check(input, small_limits());
  check(input, StructureLimits{});
  return 0;
}
