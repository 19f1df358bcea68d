// What the register step hands to the reply step: where a contribution was placed and what
// was registered for it (register_message.cpp, queue_reply.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/intake/register_message.h"
#include "storage/records.h"

namespace contribd {

// The meeting a contribution belongs to (SPEC step 2), and whether it arrived late.
struct Placement {
  const Meeting* meeting = nullptr;
  bool late = false;
};

// A contribution registered, revised or recognised as a duplicate, before its reply.
struct Registered {
  Placement placement;  // the meeting, and on time or late
  IntakeResult result;
  std::vector<storage::StoredFile> files;
  std::optional<std::int64_t> contribution_id;
  std::optional<int> revision;      // a revision of contribution_id (step 9)
  storage::DocumentFacts document;  // what the cover sheets said (step 10)
};

// One entry of the register's event log, by contribd; inside the caller's transaction.
void note_event(IntakeContext& context, std::string action,
                const std::optional<storage::DocumentNumber>& document_number,
                const std::string& message_id, std::string detail, UtcTime now);

}  // namespace contribd
