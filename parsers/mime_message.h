// What contribd needs to know about one e-mail message: the decoded header facts that the
// reply policy and the register use, and the files a participant attached.
// Produced by extract_message() (mime_extract.h); plain values, no GMime types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parsers/docx_cover.h"

namespace contribd::mime {

struct ExtractedFile {
  std::string filename;        // decoded (RFC 2047/2231), UTF-8, as the sender wrote it
  std::string content_type;    // lower-case "type/subtype"
  std::string data;            // the decoded bytes (empty when spooled_path is set)
  std::string sha256_hex;      // lower-case hex SHA-256 of the decoded bytes
  std::uint64_t size = 0;      // of the decoded bytes
  std::string spooled_path{};  // extract_message_from_file(): the FileSink file holding them
  // A .docx file's cover sheet (SPEC step 10), once read (the daemon's cover_sheets.h).
  std::optional<docx::DocxReading> docx{};
};

struct HeaderField {
  std::string name;   // as written, e.g. "List-Id"
  std::string value;  // unfolded, raw (not decoded)
};

struct ParsedMessage {
  std::string subject;                     // decoded to UTF-8; control characters kept as found
  std::string message_id;                  // "<id@host>" or empty
  std::string from_address;                // bare addr-spec, e.g. "alice@member.test"; may be empty
  std::string from_display;                // decoded display name
  std::string reply_to_address;            // bare addr-spec or empty
  std::optional<std::string> return_path;  // addr-spec inside <...>; "" for <>; nullopt if absent
  std::string in_reply_to;                 // raw
  std::string references;                  // raw
  std::string top_content_type;            // lower-case "type/subtype" of the whole message
  std::vector<HeaderField> headers;        // the top-level header fields, in order
  std::vector<ExtractedFile> files;
  std::vector<std::string> defects;  // what was malformed; parsing went on regardless
  std::string raw_sha256_hex;        // of the message's bytes as given, lower-case hex
  // Set when the message went over one of the extraction limits (ExtractLimits): which
  // limit, as "limits.KEY: what was found". `files` is then empty and the message is held
  // for a person (SPEC step 7), never registered in part.
  std::optional<std::string> over_limit;

  // First header field with this name (case-insensitive), raw value.
  std::optional<std::string> header(std::string_view name) const;
};

}  // namespace contribd::mime
