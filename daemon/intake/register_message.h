// The register step: fetched messages through extract (extract_message.h), decide and queue the
// reply (queue_reply.h) and register (here), in SQLite transactions: after one commits, its
// messages may be moved (move_messages.h); before, nothing is promised. The pass that fetches
// them is intake_batches.h, over the folder sweep.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.h"
#include "daemon/intake/extraction_jail.h"
#include "daemon/reply/composer.h"
#include "storage/file_store.h"
#include "storage/register.h"
#include "storage/spool_file.h"

namespace contribd {

struct IntakeContext {
  const Config& config;
  storage::Register& register_;
  storage::FileStore& files;
  const reply::Templates& templates;
  ExtractionJail* jail = nullptr;  // where messages are taken apart; nullptr: in this process
};

// Where a message goes once its outcome is committed.
enum class Destination { stay, processed, review };

struct IntakeResult {
  storage::Outcome outcome;
  std::optional<storage::DocumentNumber> document_number;
  std::string reason;  // why skipped/rejected/held/withheld, for the log
  Destination destination = Destination::stay;
  std::string sender;        // for the log
  std::string message_id;    // for the log
  bool seen_before = false;  // recognised from an earlier UIDVALIDITY, not examined again
};

// A held message a person accepted (contribd accept): registered whatever the robot rules and
// limits say, in `meeting` when one was chosen; a robot's reply stays withheld.
struct Acceptance {
  std::int64_t held_id = 0;
  std::optional<std::string> meeting;
};

// SPEC step 7: a message whose processing failed this many times (crashes of the daemon
// included) is held for a person instead of tried again.
constexpr int kFailuresBeforeHold = 3;

// A fetched message whose body waits in its batch's spool file (imap::Session::fetch_batch).
struct SpooledIntake {
  storage::MessageKey key;
  UtcTime received;
  const storage::SpoolFile* spool;  // its folder also takes the decoded part files
  storage::SpoolRange body;         // the whole message in `spool`
  std::optional<Acceptance> accepted{};
  int failures = 0;  // crashes counted against it (crash_marker.h), read from the register

  // Held for a person without being taken apart again (the extract and the register step).
  bool failed_too_often() const { return failures >= kFailuresBeforeHold; }
};

struct TakenApart;  // a batch through the extract step (extract_message.h)

// The second half of register_batch(), after take_apart_batch() (extract_message.h), which the
// intake runs on another thread for the next batch meanwhile: holds the messages that
// failed_too_often(), counts and holds those that could not be taken apart, and registers the
// others as register_batch() does.
std::vector<std::optional<IntakeResult>> register_taken_apart(
    IntakeContext& context, const std::vector<SpooledIntake>& batch, TakenApart taken, UtcTime now);

// Examines each message of a batch that the register has not seen under its key: extract,
// decide, register and queue the reply, in one transaction with one commit (and one file-system
// sync) for the batch; after it returns, the messages may be moved, before, nothing is promised.
// Results come in the order given; nullopt marks a message that could not be registered this time
// (nothing committed for it; the error is logged with its UID). When anything in the batch fails,
// the batch is rolled back and each message is tried alone, so one bad message costs only itself.
std::vector<std::optional<IntakeResult>> register_batch(IntakeContext& context,
                                                        const std::vector<SpooledIntake>& batch,
                                                        UtcTime now);

// Holds a message that was found over a limit before its body was fetched (its size), with
// what its summary says; it goes to the review folder.
IntakeResult hold_unfetched(IntakeContext& context, const storage::MessageKey& key,
                            UtcTime received, const std::string& reason);

}  // namespace contribd
