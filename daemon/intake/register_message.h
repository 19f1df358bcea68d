// One fetched message through extract, decide, register and queue the reply, in a single
// SQLite transaction: after it returns, the message may be moved; before, nothing is promised.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.h"
#include "daemon/net/spool_file.h"
#include "daemon/reply/composer.h"
#include "storage/file_store.h"
#include "storage/register.h"

namespace contribd {

struct IntakeContext {
  const Config& config;
  storage::Register& register_;
  storage::FileStore& files;
  const reply::Templates& templates;
};

struct IntakeResult {
  storage::Outcome outcome;
  std::optional<std::string> document_number;
  std::string reason;  // why skipped/rejected/withheld, for the log
  bool move = false;   // registered or duplicate: the message goes to the processed folder
};

// Examines one message that the register has not seen under this key. `raw` is the whole
// message as fetched; `received` is the server's INTERNALDATE.
IntakeResult register_message(IntakeContext& context, const storage::MessageKey& key,
                              UtcTime received, std::string_view raw, UtcTime now);

// A fetched message whose body waits in a spool file (imap::Session::fetch_batch).
struct SpooledIntake {
  storage::MessageKey key;
  UtcTime received;
  const net::SpoolFile* body;  // its folder also takes the decoded part files
  std::string raw_sha256;      // of the whole message, computed while spooling
};

// Examines a batch as register_message() does each message, but in one transaction: one
// commit (and one fsync) for the batch instead of one per message. Results come in the order
// given; nullopt marks a message that could not be registered this time (nothing committed
// for it; the error is logged with its UID). When anything in the batch fails, the batch is
// rolled back and each message is tried alone, so one bad message costs only itself.
std::vector<std::optional<IntakeResult>> register_batch(IntakeContext& context,
                                                        const std::vector<SpooledIntake>& batch,
                                                        UtcTime now);

// Records a message that was refused before its body was fetched (over a size limit).
void record_rejected(IntakeContext& context, const storage::MessageKey& key,
                     const std::string& reason);

}  // namespace contribd
