// The decoded bytes of one GMime leaf part, written to a file instead of returned in memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

typedef struct _GMimePart GMimePart;

namespace contribd::mime {

struct StreamedBody {
  std::uint64_t size = 0;
  std::string sha256_hex;       // of the decoded bytes
  bool over_max_bytes = false;  // more than max_bytes decoded: writing stopped, no digest
};

// As decode_part_body() (mime_body.h), same bytes and same defects, but written to `fd`
// (empty, open for reading and writing) through GMime's decoders in small pieces, then hashed
// by reading the file back. Only unpadded base64 (decoded by contribd, see mime_body.h) is
// decoded in memory. At most max_bytes + 1 bytes are written: a part that decodes to more
// gives over_max_bytes (size and sha256_hex then say nothing). Throws std::system_error when
// the file cannot be written or read.
StreamedBody stream_part_body(GMimePart* part, const std::string& where,
                              std::vector<std::string>& defects, int fd, std::uint64_t max_bytes);

}  // namespace contribd::mime
