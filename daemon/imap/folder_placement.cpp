#include "daemon/imap/folder_placement.h"

#include <fmt/format.h>

#include <vector>

#include "parsers/ascii_text.h"

namespace contribd::imap {
namespace {

// "INBOX" is case-insensitive (RFC 3501 section 5.1); the rest of a name is not.
bool starts_with_prefix(std::string_view name, std::string_view prefix) {
  if (prefix.empty() || name.size() < prefix.size()) return false;
  if (ascii::starts_with_ignoring_case(prefix, "INBOX")) {
    return ascii::starts_with_ignoring_case(name, "INBOX") &&
           name.substr(5, prefix.size() - 5) == prefix.substr(5);
  }
  return name.substr(0, prefix.size()) == prefix;
}

bool under_any(std::string_view name, const std::vector<Namespace>& spaces) {
  for (const Namespace& space : spaces) {
    if (starts_with_prefix(name, space.prefix)) return true;
  }
  return false;
}

}  // namespace

FolderPlacement place_folder(std::string_view configured,
                             const std::optional<Namespaces>& namespaces) {
  FolderPlacement placement{std::string(configured), false, "", ""};
  if (!namespaces || namespaces->personal.empty()) return placement;
  const Namespace& personal = namespaces->personal.front();
  placement.prefix = personal.prefix;
  placement.separator = personal.separator;
  if (personal.prefix.empty() || ascii::equals_ignoring_case(configured, "INBOX")) {
    return placement;
  }
  if (under_any(configured, namespaces->personal) ||
      under_any(configured, namespaces->other_users) || under_any(configured, namespaces->shared)) {
    return placement;
  }
  // RFC 2342 asks for the separator at the end of a prefix; some servers leave it out.
  std::string prefix = personal.prefix;
  if (!personal.separator.empty() && !prefix.ends_with(personal.separator)) {
    prefix += personal.separator;
  }
  placement.name = prefix + std::string(configured);
  placement.prefixed = true;
  return placement;
}

std::string folder_advice(std::string_view key, std::string_view configured,
                          const FolderPlacement& placement) {
  if (!placement.prefix.empty() && !placement.prefixed) {
    return fmt::format(
        "write imap.{} as a folder this account may create below the personal namespace "
        "\"{}\" (separator \"{}\"), or create \"{}\" on the server",
        key, placement.prefix, placement.separator, placement.name);
  }
  if (placement.prefixed) {
    return fmt::format(
        "create \"{}\" on the server, or write imap.{} as the full name of a folder this "
        "account may use",
        placement.name, key);
  }
  return fmt::format(
      "write imap.{} as the full name the server shows in LIST (for example \"INBOX.{}\" on "
      "servers that keep folders below INBOX), or create \"{}\" on the server",
      key, configured, configured);
}

}  // namespace contribd::imap
