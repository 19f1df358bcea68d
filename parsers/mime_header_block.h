// The top-level header block of a raw message, split into fields by contribd itself, so
// that the header facts survive even when GMime rejects the message, and so that a block
// GMime would choke on (lines without a colon, giant fields) can be repaired first.
#pragma once

#include <cstddef>
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
};

// Splits the header block of `raw` (up to the first empty line; CRLF or LF). Lines that are
// neither "Name: value" nor a continuation are dropped with a defect (Python and GMime stop
// the header there and lose the MIME fields after it). A leading UTF-8 byte order mark is
// skipped. Fields are kept in order while the block stays within `max_bytes`; a field that
// would overflow it is dropped with a defect, later fields that still fit are kept.
HeaderBlock split_header_block(std::string_view raw, std::size_t max_bytes);

// "Name: value" lines of `block` followed by an empty line and the body of `raw`: the
// message GMime is given when the block needed repair.
std::string rebuild_message(const HeaderBlock& block, std::string_view raw);

}  // namespace contribd::mime
