#include "daemon/publish/meeting_counts.h"

namespace contribd::publish {

MeetingCounts count_contributions(const std::vector<storage::Contribution>& contributions) {
  MeetingCounts counts;
  for (const auto& contribution : contributions) {
    ++counts.total;
    ++(contribution.late ? counts.late : counts.on_time);
    if (contribution.withdrawn) ++counts.withdrawn;
  }
  return counts;
}

}  // namespace contribd::publish
