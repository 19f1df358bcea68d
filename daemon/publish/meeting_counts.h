// The figures at the top of a meeting's page and on the index: every number given counts,
// withdrawn ones included (their numbers stay taken); on time and late split that total by
// receipt time, and withdrawn says how many of it were withdrawn since.
#pragma once

#include <vector>

#include "storage/records.h"

namespace contribd::publish {

struct MeetingCounts {
  int total = 0;
  int on_time = 0;
  int late = 0;
  int withdrawn = 0;
};

MeetingCounts count_contributions(const std::vector<storage::Contribution>& contributions);

}  // namespace contribd::publish
