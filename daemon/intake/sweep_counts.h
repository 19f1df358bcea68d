// What one pass over a folder did, message by message: the figures the intake logs after each
// pass and the status command shows.
#pragma once

#include <cstdint>

#include "storage/records.h"

namespace contribd {

struct SweepCounts {
  int registered = 0;
  int duplicates = 0;
  int skipped = 0;
  int rejected = 0;
  int held = 0;                   // moved to the review folder for a person
  int failed = 0;                 // could not be processed this time (will be tried again)
  std::uint32_t uidvalidity = 0;  // of the folder as this pass saw it
};

// Adds one message's committed outcome to the pass's figures.
void count_outcome(SweepCounts& counts, storage::Outcome outcome);

}  // namespace contribd
