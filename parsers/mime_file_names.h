// Names and types for files whose sender gave no name or no usable type.
#pragma once

#include <string>
#include <string_view>

namespace contribd::mime {

// Name for the `ordinal`-th (1-based) nameless file of a message, from its MIME type:
// "attachment.pdf" for the first, "attachment-2.bin" for the second, and so on. Unknown or
// odd types give ".bin".
std::string name_for_nameless(std::string_view mime_type, int ordinal);

// MIME type guessed from the extension of `filename` (case-insensitive), for files that
// come without one (inside TNEF); "application/octet-stream" when unknown.
std::string content_type_for_filename(std::string_view filename);

// `content_id` with the characters that RFC 2392 cid: URLs percent-encode so encoded.
std::string percent_encode_cid(std::string_view content_id);

}  // namespace contribd::mime
