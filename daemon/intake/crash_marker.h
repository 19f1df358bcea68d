// Which message the daemon had in hand when it crashed. A crash in the daemon itself (a fatal
// signal: SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, which is also systemd's watchdog signal)
// writes the message's key into a small file beside the register; the next start counts it as
// one failure of that message (SPEC step 7: held at the third). A kill -9 leaves no mark: the
// message in hand is simply processed again, which the register makes safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "storage/records.h"

namespace contribd::crash_marker {

// Opens `file` for the handler and installs it. Call once, early, from the main thread.
void install(const std::filesystem::path& file);

// The message now in hand on the calling thread (the last call wins); nullopt when none is.
// A fatal signal is blamed on the message of the thread it arrived on or, when that thread
// has none in hand (systemd's watchdog SIGABRT), on the message named last on any thread.
void set_current(const std::optional<storage::MessageKey>& key);

struct Crash {
  storage::MessageKey key;
  int signal_number = 0;
};

// The crash that `file` records, if any; the file is removed. Nothing when it is absent or
// unreadable.
std::optional<Crash> take(const std::filesystem::path& file);

}  // namespace contribd::crash_marker
