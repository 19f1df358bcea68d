#include "daemon/imap/gmail_folders.h"

#include <fmt/format.h>

#include <initializer_list>

#include "parsers/ascii_text.h"

namespace contribd::imap {
namespace {

constexpr std::string_view kRoots[] = {"[Gmail]", "[Google Mail]"};

// "[Gmail]/Sent Mail" -> "Sent Mail"; "[Gmail]" -> ""; nullopt outside the hierarchy.
std::optional<std::string_view> system_label(std::string_view name) {
  for (std::string_view root : kRoots) {
    if (ascii::equals_ignoring_case(name, root)) return std::string_view{};
    if (name.size() > root.size() + 1 && name[root.size()] == '/' &&
        ascii::starts_with_ignoring_case(name, root)) {
      return name.substr(root.size() + 1);
    }
  }
  return std::nullopt;
}

bool one_of(std::string_view label, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (ascii::equals_ignoring_case(label, name)) return true;
  }
  return false;
}

}  // namespace

std::optional<FolderAdvice> gmail_folder_advice(std::string_view key, std::string_view name) {
  const auto label = system_label(name);
  if (!label) return std::nullopt;
  using Level = FolderAdvice::Level;
  const std::string own = key == "folder"          ? "INBOX"
                          : key == "review_folder" ? "Review"
                                                   : "Registered";
  if (label->empty()) {
    return FolderAdvice{Level::error,
                        fmt::format("\"{}\" is Gmail's container of system labels, not a folder; "
                                    "write a label of your own such as \"{}\"",
                                    name, own)};
  }
  if (one_of(*label, {"Trash", "Bin", "Spam"})) {
    return FolderAdvice{Level::error,
                        fmt::format("Gmail deletes what is in \"{}\" after 30 days; write a "
                                    "label of your own such as \"{}\"",
                                    name, own)};
  }
  if (one_of(*label, {"All Mail"}) && key == "processed_folder") {
    return FolderAdvice{Level::note,
                        fmt::format("on Gmail, moving to \"{}\" archives the message (it only "
                                    "leaves INBOX); a label such as \"Registered\" shows the "
                                    "registered mail apart",
                                    name)};
  }
  if (one_of(*label, {"All Mail"})) {
    return FolderAdvice{Level::error,
                        fmt::format("\"{}\" holds every message of the Gmail account, registered "
                                    "and held ones too; write \"{}\"",
                                    name, own)};
  }
  if (one_of(*label, {"Drafts", "Sent Mail", "Starred", "Important", "Chats"})) {
    return FolderAdvice{Level::error,
                        fmt::format("\"{}\" is a Gmail system label with its own meaning; write "
                                    "a label of your own such as \"{}\"",
                                    name, own)};
  }
  return FolderAdvice{Level::error,
                      fmt::format("Gmail creates no label under \"{}/\"; write a label of your "
                                  "own such as \"{}\"",
                                  name.substr(0, name.find('/')), own)};
}

}  // namespace contribd::imap
