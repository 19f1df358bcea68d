// The published folder's front page: every configured meeting with its deadline and counts,
// linking to the meeting's own page. Pure, like meeting_page.h.
#pragma once

#include <string>
#include <vector>

#include "daemon/policy/meeting.h"
#include "daemon/publish/meeting_counts.h"

namespace contribd::publish {

struct MeetingSummary {
  Meeting meeting;
  MeetingCounts counts;
};

// In the order given (the configuration's: by closing date).
std::string index_page_html(const std::vector<MeetingSummary>& meetings);

}  // namespace contribd::publish
