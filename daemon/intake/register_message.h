// Fetched messages through extract, decide, register and queue the reply, in SQLite
// transactions: after one commits, its messages may be moved; before, nothing is promised.
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

// A fetched message whose body waits in its batch's spool file (imap::Session::fetch_batch).
struct SpooledIntake {
  storage::MessageKey key;
  UtcTime received;
  const net::SpoolFile* spool;  // its folder also takes the decoded part files
  net::SpoolRange body;         // the whole message in `spool`
};

// Examines each message of a batch that the register has not seen under its key: extract,
// decide, register and queue the reply, in one transaction with one commit (and one file-system
// sync) for the batch; after it returns, the messages may be moved, before, nothing is promised.
// Results come in the order given; nullopt marks a message that could not be registered this time
// (nothing committed for it; the error is logged with its UID). When anything in the batch fails,
// the batch is rolled back and each message is tried alone, so one bad message costs only itself.
std::vector<std::optional<IntakeResult>> register_batch(IntakeContext& context,
                                                        const std::vector<SpooledIntake>& batch,
                                                        UtcTime now);

// Records a message that was refused before its body was fetched (over a size limit).
void record_rejected(IntakeContext& context, const storage::MessageKey& key,
                     const std::string& reason);

}  // namespace contribd
