#include "daemon/intake/revisions.h"

#include <algorithm>

#include "daemon/reply/composer.h"

namespace contribd {
namespace {

// In-Reply-To names the message answered; References lists the thread oldest first, so the
// newest reference is the likeliest to be ours.
std::vector<std::string> answered_message_ids(const mime::ParsedMessage& message) {
  std::vector<std::string> ids = reply::msg_ids_in(message.in_reply_to);
  std::vector<std::string> thread = reply::msg_ids_in(message.references);
  ids.insert(ids.end(), thread.rbegin(), thread.rend());
  return ids;
}

}  // namespace

std::vector<std::string> series_prefixes(const Config& config) {
  std::vector<std::string> prefixes;
  for (const Meeting& meeting : config.meetings) {
    if (std::find(prefixes.begin(), prefixes.end(), meeting.document_prefix) == prefixes.end()) {
      prefixes.push_back(meeting.document_prefix);
    }
  }
  // Longest first: "QIT4N-I-1" must not take the digits of "QIT4N-I-" followed by "1...".
  std::sort(prefixes.begin(), prefixes.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return prefixes;
}

namespace {

void add_candidate(storage::Register& register_, const storage::DocumentNumber& document_number,
                   std::vector<policy::RevisionCandidate>& candidates) {
  for (const auto& known : candidates) {
    if (known.document_number == document_number) return;
  }
  if (auto contribution = register_.find(document_number)) {
    candidates.push_back(
        {contribution->document_number, contribution->sender, contribution->withdrawn.has_value()});
  }
}

}  // namespace

std::vector<policy::RevisionCandidate> revision_candidates(storage::Register& register_,
                                                           const Config& config,
                                                           const mime::ParsedMessage& message) {
  std::vector<policy::RevisionCandidate> candidates;
  if (auto answered = register_.document_replied_to(answered_message_ids(message))) {
    add_candidate(register_, *answered, candidates);
  }
  for (const storage::DocumentNumber& number :
       policy::bracketed_document_numbers(message.subject, series_prefixes(config))) {
    add_candidate(register_, number, candidates);
  }
  return candidates;
}

}  // namespace contribd
