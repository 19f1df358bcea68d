// Where a configured folder (processed_folder, review_folder) goes on a given server. Some
// servers keep a user's folders below a prefix: Cyrus as Debian configures it answers NAMESPACE
// with (("INBOX." ".")) and refuses `CREATE Registered` with "NO Permission denied"; Dovecot
// answers (("" "/")) and takes any name. A name that already starts with a prefix the server
// announced (or is INBOX) is the operator's full name and stays as written; any other name is
// placed under the first personal prefix. Without NAMESPACE (not offered, or no personal
// namespace) every name stays as written. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parsers/imap_namespace.h"

namespace contribd::imap {

struct FolderPlacement {
  std::string name;       // the full name to LIST, CREATE, SELECT and MOVE to
  bool prefixed = false;  // the personal prefix was put in front of the configured name
  std::string prefix;     // the first personal prefix ("" when none or not known)
  std::string separator;  // its hierarchy separator ("" when flat or not known)
};

FolderPlacement place_folder(std::string_view configured,
                             const std::optional<Namespaces>& namespaces);

// One line for an operator whose server refused to create `configured` (placed as
// `placement`): what to write in the config instead. `key` is "processed_folder" or
// "review_folder".
std::string folder_advice(std::string_view key, std::string_view configured,
                          const FolderPlacement& placement);

}  // namespace contribd::imap
