// Where a meeting's list and files live in the published folder, and the links to them. Folder
// and file names go through safe_filename.h, as in the file store, so that no name that came
// in mail can lead out of the folder; links percent-encode every name (RFC 3986).
#pragma once

#include <string>
#include <string_view>

#include "storage/records.h"

namespace contribd::publish {

// The meeting's folder under [publish] dir: "QIT4N-05".
std::string meeting_folder(std::string_view meeting_id);

// The name a stored file is published under: the file store's own safe name (the last
// component of its path), which is unique within its contribution or revision.
std::string published_name(const storage::StoredFile& file);

// Relative to the meeting's folder: "files/QIT4N-I-007/report.pdf", and for revision n
// (n >= 1) "files/QIT4N-I-007/rev1/report.pdf". A path on disk, not yet a link.
std::string published_file_path(const storage::DocumentNumber& document_number,
                                const storage::StoredFile& file, int revision = 0);

// A relative path as a link: each segment percent-encoded, everything but the unreserved
// characters A-Z a-z 0-9 - . _ ~ ("a b&c.pdf" -> "a%20b%26c.pdf"); the slashes stay.
std::string link_to(std::string_view relative_path);

}  // namespace contribd::publish
