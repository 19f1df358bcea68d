// Takes one raw e-mail apart: the header facts contribd needs and the attached files.
// The rule for "which parts are files" is SPEC.md, "What happens to a message", item 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/mime_file_sink.h"
#include "parsers/mime_message.h"

namespace contribd::mime {

// Each limit is counted while the bytes stream by, before memory is spent on what is over
// it; a message over any of them comes back with ParsedMessage::over_limit set.
struct ExtractLimits {
  std::size_t max_parts = 1000;                    // MIME parts, TNEF inner files included
  int max_depth = 32;                              // multipart / message nesting
  std::size_t max_header_bytes = 1 << 20;          // one header block (the message's or a part's)
  std::size_t max_header_field_bytes = 256 << 10;  // one field, folded lines included
  std::size_t max_header_lines = 5000;             // lines of one header block
  std::uint64_t max_file_bytes = 256ull << 20;     // decoded bytes of all files together
  // extract_message_from_file() reads messages up to this size whole, the rest in pieces.
  std::uint64_t whole_in_memory_bytes = 1 << 20;
};

// Parses `raw` (RFC 5322 bytes, CRLF or LF) with GMime and returns the decoded header
// facts and every file (SPEC item 2): named leaves and nameless non-text leaves anywhere,
// inside message/rfc822 too, TNEF expanded; not the body alternatives, cid:-referenced
// related parts, signatures, report parts or message/* containers; nameless empty leaves
// are skipped. Never throws and never crashes on malformed input: a damaged header block is
// repaired first, a message GMime refuses is parsed as one MIME entity, and whatever could
// be recovered is returned; each problem (bad base64, unknown charset or transfer encoding,
// broken structure) appends one line to `defects`. Thread-safe.
// Limits: the structure is counted first (mime_structure.h: parts, depth, header blocks,
// fields and lines); a message over one of those comes back at once, GMime never called,
// with the header facts that fit within the limits, top_content_type as declared, over_limit
// set and no files. Past that, more leaves or TNEF files than max_parts, deeper nesting than
// max_depth, or more than max_file_bytes decoded also set over_limit, and the files found so
// far are dropped: a message over a limit never comes back with part of its files.
ParsedMessage extract_message(std::string_view raw, const ExtractLimits& limits = {});

// The same extraction for a message in a file (`fd`, read with pread, never changed), in
// bounded memory: GMime parses from the file, and each file's decoded bytes are written into
// a file from `sink` (ExtractedFile::spooled_path names it; data stays empty). Messages up to
// limits.whole_in_memory_bytes, and messages whose header block needs repair or does not end in its
// first max_header_bytes + 64 KiB, are read whole and extracted by extract_message() instead, with
// their files in memory (data set, spooled_path empty); so are TNEF containers. The structure is
// counted (and the message hashed) first, reading the file once in 256 KiB pieces: a message
// over a limit is held without being read whole. A spooled file stops growing one byte past
// max_file_bytes; over a limit the sink's files are discarded. The files, defects and
// over_limit are those extract_message() finds for the same bytes. Malformed mail never throws;
// a sink or file error does (std::system_error).
ParsedMessage extract_message_from_file(int fd, const ExtractLimits& limits, FileSink& sink);

// The same for the `length` bytes at `offset` in the file (one message of several kept back
// to back in one file).
ParsedMessage extract_message_from_file(int fd, std::uint64_t offset, std::uint64_t length,
                                        const ExtractLimits& limits, FileSink& sink);

// The header facts of a message (subject, addresses, Message-ID, fields) from its first bytes
// `head`, without GMime and without files: what can still be said of a message that could not
// be taken apart. raw_sha256_hex is the hash of `head`. Never throws on malformed input.
ParsedMessage extract_header_facts(std::string_view head);

}  // namespace contribd::mime
