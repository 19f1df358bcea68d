// Which contribution a message revises, if any (SPEC step 9): pure decisions on facts the
// intake gathered from the message and the register.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/document_number.h"

namespace contribd::policy {

// The document numbers written in brackets in a subject, in order and without repeats:
// "[QIT4N-I-007]" and "[QIT4N-I-007 Rev.2]" both give "QIT4N-I-007". Only numbers of one of
// the meetings' series count (a prefix followed by at least three digits), so "[EXTERNAL]" and
// "[QIT4N-I-7]" are not one.
std::vector<storage::DocumentNumber> bracketed_document_numbers(
    std::string_view subject, const std::vector<std::string>& prefixes);

// A contribution the message may revise: found through one of our replies that it answers,
// or through a number in its subject.
struct RevisionCandidate {
  storage::DocumentNumber document_number;
  std::string sender;  // who sent the contribution
  bool withdrawn = false;
};

enum class RevisionVerdict {
  new_contribution,  // no candidate from this sender
  revision,          // a revision of the candidate
  hold_withdrawn,    // the sender's contribution was withdrawn: a person decides
};

struct RevisionDecision {
  RevisionVerdict verdict = RevisionVerdict::new_contribution;
  std::optional<storage::DocumentNumber> document_number;  // revision, hold_withdrawn: revised
};

// The first candidate sent by the same address (ASCII case-insensitive) decides; candidates
// from anyone else are ignored, so another participant's answer is a new contribution.
RevisionDecision decide_revision(std::string_view sender,
                                 const std::vector<RevisionCandidate>& candidates);

// The subject a revision's acknowledgement quotes: without the "Re:"/"Fwd:" and "Received:"
// prefixes and the bracketed numbers of our series that answering our reply put there, so that
// "Re: Received: Key relay [QIT4N-I-007]" is quoted as "Key relay". The subject as it is when
// nothing is left.
std::string revision_subject(std::string_view subject, const std::vector<std::string>& prefixes);

// How a revision is written: "QIT4N-I-007 Rev.1".
std::string revision_label(const storage::DocumentNumber& document_number, int revision);

}  // namespace contribd::policy
