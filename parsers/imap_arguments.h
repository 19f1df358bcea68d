// Command arguments as the IMAP wire wants them (RFC 3501 section 4.3, 5.1.3). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace contribd::imap {

// `text` as a quoted string ("a \"b\" \\ c"), or std::nullopt when it cannot be one: it holds
// CR, LF, NUL or 8-bit bytes and must be sent as a literal instead.
std::optional<std::string> quoted_string(std::string_view text);

// A folder name ready for SELECT, LIST, CREATE, MOVE: quoted, with "&" written "&-" as modified
// UTF-7 requires. Non-ASCII names (which need modified UTF-7) and control characters are
// refused: `error` then says why and `wire` is empty.
struct FolderArgument {
  std::string wire;   // "\"Registered\""
  std::string error;  // "folder name \"Eingänge\" is not ASCII; only ASCII names are supported"
};
FolderArgument folder_argument(std::string_view name);

}  // namespace contribd::imap
