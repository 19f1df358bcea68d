#include "daemon/intake/sweep_counts.h"

namespace contribd {

void count_outcome(SweepCounts& counts, storage::Outcome outcome) {
  switch (outcome) {
    case storage::Outcome::registered:
      ++counts.registered;
      break;
    case storage::Outcome::duplicate:
      ++counts.duplicates;
      break;
    case storage::Outcome::skipped:
      ++counts.skipped;
      break;
    case storage::Outcome::rejected:
      ++counts.rejected;
      break;
    case storage::Outcome::held:
      ++counts.held;
      break;
  }
}

}  // namespace contribd
