// Takes one raw e-mail apart: the header facts contribd needs and the attached files.
// The rule for "which parts are files" is SPEC.md, "What happens to a message", item 2.
#pragma once

#include <cstddef>
#include <string_view>

#include "parsers/mime_message.h"

namespace contribd::mime {

struct ExtractLimits {
  std::size_t max_parts = 1000;            // leaf parts examined; the rest are ignored
  int max_depth = 32;                      // multipart / message nesting followed
  std::size_t max_header_bytes = 1 << 20;  // top header block; overflowing fields dropped
};

// Parses `raw` (RFC 5322 bytes, CRLF or LF) with GMime and returns the decoded header
// facts and every file (SPEC item 2): named leaves and nameless non-text leaves anywhere,
// inside message/rfc822 too, TNEF expanded; not the body alternatives, cid:-referenced
// related parts, signatures, report parts or message/* containers; nameless empty leaves
// are skipped. Never throws and never crashes on malformed input: a damaged header block is
// repaired first, a message GMime refuses is parsed as one MIME entity, and whatever could
// be recovered is returned; each problem (bad base64, unknown charset or transfer encoding,
// limits reached, broken structure) appends one line to `defects`. Thread-safe.
ParsedMessage extract_message(std::string_view raw, const ExtractLimits& limits = {});

}  // namespace contribd::mime
