// The top-level header block of a raw message, split into fields by contribd itself, so
// that the header facts survive even when GMime rejects the message, and so that a block
// GMime would choke on (lines without a colon, giant fields) can be repaired first.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/mime_message.h"

namespace contribd::mime {

struct HeaderBlock {
  std::vector<HeaderField> fields;  // kept fields, in order; values unfolded, trimmed
  std::size_t body_offset = 0;      // where the body starts in the raw message
  bool needs_repair = false;        // some lines were dropped: rebuild before GMime sees it
  std::vector<std::string> defects;
  // Set when the block went over one of HeaderBlockLimits, as "limits.KEY: what was found".
  std::optional<std::string> over_limit;
};

struct HeaderBlockLimits {
  std::size_t max_bytes = 1 << 20;          // kept fields together, as name + value + 2
  std::size_t max_field_bytes = 256 << 10;  // one field as written: folded lines, line breaks
  std::size_t max_lines = 5000;             // non-empty lines of the block
};

// Splits the header block of `raw` (up to the first empty line; CRLF or LF). Lines that are
// neither "Name: value" nor a continuation are dropped with a defect (Python and GMime stop
// the header there and lose the MIME fields after it). A leading UTF-8 byte order mark is
// skipped. At the limits: a field longer than max_field_bytes is dropped (never copied whole),
// a field that would take the kept ones past max_bytes is dropped and later fields that still
// fit are kept, and reading stops after max_lines lines; each sets over_limit (the first one
// met) and needs_repair. Memory stays within the limits whatever the block's size.
HeaderBlock split_header_block(std::string_view raw, const HeaderBlockLimits& limits);

// The name when `line` starts a field ("Name:" with a name of printable ASCII, white space
// before the colon allowed and left out), else "".
std::string_view header_field_name(std::string_view line);

// "Name: value" lines of `block` followed by an empty line and the body of `raw`: the
// message GMime is given when the block needed repair.
std::string rebuild_message(const HeaderBlock& block, std::string_view raw);

}  // namespace contribd::mime
