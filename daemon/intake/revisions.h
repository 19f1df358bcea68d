// Which registered contributions a message may revise (SPEC step 9): the facts that
// policy::decide_revision() decides on, gathered from the message and the register.
#pragma once

#include <vector>

#include "daemon/config.h"
#include "daemon/policy/revision.h"
#include "parsers/mime_message.h"
#include "storage/register.h"

namespace contribd {

// The meetings' document prefixes, longest first.
std::vector<std::string> series_prefixes(const Config& config);

// First the contribution that a reply of ours it answers was about (its In-Reply-To, then its
// References, newest first), then those whose numbers its subject carries in brackets.
std::vector<policy::RevisionCandidate> revision_candidates(storage::Register& register_,
                                                           const Config& config,
                                                           const mime::ParsedMessage& message);

}  // namespace contribd
