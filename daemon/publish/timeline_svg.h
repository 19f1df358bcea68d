// timeline.svg (SPEC step 11): contributions received over time, cumulative, one point per
// contribution (class "contribution", data-document, data-received, data-status), on-time ones
// as circles, late ones as squares in another colour, withdrawn ones hollow but still counted
// (their numbers were given and stay taken, so the line ends at the number of contributions
// the page lists); the deadline a dashed line (class "deadline") with its label; a legend.
// Revisions are not new contributions and are not drawn. The time axis spans the receipts and
// the deadline. Pure: the same register gives the same bytes.
#pragma once

#include <string>
#include <vector>

#include "daemon/policy/meeting.h"
#include "storage/records.h"

namespace contribd::publish {

std::string timeline_svg(const Meeting& meeting,
                         const std::vector<storage::Contribution>& contributions);

}  // namespace contribd::publish
