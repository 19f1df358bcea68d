// One fetched message through extract, decide, register and queue the reply, in a single
// SQLite transaction: after it returns, the message may be moved; before, nothing is promised.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/config.h"
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

// Records a message that was refused before its body was fetched (over a size limit).
void record_rejected(IntakeContext& context, const storage::MessageKey& key,
                     const std::string& reason);

}  // namespace contribd
