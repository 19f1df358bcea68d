// Names that are safe to create on disk, made from names that senders (or a config file)
// chose. Any input is accepted and yields a usable name; nothing ever throws.
#pragma once

#include <string>
#include <string_view>

namespace contribd::storage {

inline constexpr std::size_t max_safe_name_bytes = 200;

// A file name from a decoded attachment name. Keeps only the last component of a path
// ("C:\\Users\\bob\\report.docx" -> "report.docx", "../../etc/passwd" -> "passwd"), then:
// control characters, invalid UTF-8, bidi overrides and the characters Windows forbids
// (<>:"|?*) become '_'; leading and trailing dots and spaces go (so no ".", "..", hidden
// files); Windows device names (CON, nul.txt, LPT1, ...) get a leading '_'; longer than
// max_safe_name_bytes is cut at a UTF-8 boundary, keeping a short extension. "" -> "file".
std::string safe_filename(std::string_view decoded_name);

// The same rules for one folder name (meeting id, document number), except that '/' and '\\'
// become '_' rather than cutting the text: "../../etc" -> "_.._etc".
std::string safe_path_component(std::string_view text);

// The n-th variant of a safe name, for names that clash within one contribution:
// ("report.pdf", 2) -> "report (2).pdf", still within max_safe_name_bytes.
std::string numbered_variant(std::string_view safe_name, int n);

}  // namespace contribd::storage
