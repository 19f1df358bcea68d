// What Gmail makes of the folders named in [imap]: folder, processed_folder and review_folder.
// Pure; check-config and the start-up read it.
//
// Gmail shows labels as folders, and its own system labels under "[Gmail]/" ("[Google Mail]/"
// for accounts opened in the UK and Germany): "[Gmail]" itself is no folder (\Noselect), Gmail
// creates no label under it, Trash ("Bin") and Spam are emptied after 30 days, and the other
// system labels (Drafts, Sent Mail, Starred, Important) mean something else than "registered".
// Moving a message from INBOX to "[Gmail]/All Mail" archives it: that works as a processed
// folder, though a label of its own ("Registered") is what a secretariat can find its mail by.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace contribd::imap {

struct FolderAdvice {
  enum class Level { note, error };
  Level level = Level::note;
  std::string text;  // one sentence, naming what to write instead
};

// `key`: "folder", "processed_folder" or "review_folder"; `name` as configured. nullopt for
// names outside Gmail's system hierarchy.
std::optional<FolderAdvice> gmail_folder_advice(std::string_view key, std::string_view name);

}  // namespace contribd::imap
