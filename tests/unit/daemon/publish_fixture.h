// Contributions and a meeting to publish, as plain values: one ordinary, one whose texts attack
// the page, one late with a revision, one withdrawn.
#pragma once

#include <string>
#include <vector>

#include "daemon/policy/meeting.h"
#include "storage/records.h"
#include "tests/unit/storage/register_fixture.h"

namespace contribd::publish::testing {

using storage::testing::docnum;
using storage::testing::utc;

inline Meeting fifth_meeting() {
  Meeting meeting;
  meeting.id = "QIT4N-05";
  meeting.title = "Fifth meeting of FG-QIT4N, e-meeting";
  meeting.deadline = utc(2020, 7, 22, 21, 59) + std::chrono::seconds(59);
  meeting.closes = utc(2020, 8, 7, 21, 59);
  meeting.timezone = "Europe/Zurich";
  meeting.document_prefix = "QIT4N-I-";
  return meeting;
}

inline storage::StoredFile file_at(const std::string& path, std::uint64_t size = 1234) {
  const std::string name = path.substr(path.rfind('/') + 1);
  return {name, "application/pdf", size, std::string(64, 'a'), path};
}

inline storage::Contribution ordinary() {
  storage::Contribution c{.document_number = docnum("QIT4N-I-001")};
  c.meeting_id = "QIT4N-05";
  c.sender = "alice@member.test";
  c.subject = "Proposed text for clause 7";
  c.message_id = "<one@member.test>";
  c.received_at = utc(2020, 7, 20, 8);
  c.document.title = "Draft Recommendation Y.QKDN-req, clause 7";
  c.document.source = "Alpha Networks";
  c.files.push_back(file_at("/srv/files/QIT4N-05/QIT4N-I-001/clause 7 & 8.docx", 45678));
  return c;
}

inline storage::Contribution hostile() {
  storage::Contribution c{.document_number = docnum("QIT4N-I-002")};
  c.meeting_id = "QIT4N-05";
  c.sender = "mallory@member.test";
  c.subject = "\"><img src=x onerror=alert(1)>";
  c.message_id = "<two@member.test>";
  c.received_at = utc(2020, 7, 21, 9, 30);
  c.document.title = "<script>alert(1)</script>";
  c.document.source = "=HYPERLINK(\"http://x.test\"),\"a\"\r\nb";
  c.files.push_back(file_at("/srv/files/QIT4N-05/QIT4N-I-002/x_onerror=alert(1)_.pdf", 10));
  return c;
}

inline storage::Contribution late_with_revision() {
  storage::Contribution c{.document_number = docnum("QIT4N-I-003")};
  c.meeting_id = "QIT4N-05";
  c.sender = "bob@member.test";
  c.subject = "Use cases";  // no title from a cover sheet: the subject stands in
  c.message_id = "<three@member.test>";
  c.received_at = utc(2020, 7, 23, 7);
  c.late = true;
  c.files.push_back(file_at("/srv/files/QIT4N-05/QIT4N-I-003/usecases.docx", 3000));
  storage::Revision revision;
  revision.number = 1;
  revision.message_id = "<three-rev1@member.test>";
  revision.subject = "Re: Use cases [QIT4N-I-003]";
  revision.received_at = utc(2020, 7, 23, 10);
  revision.late = true;
  revision.files.push_back(file_at("/srv/files/QIT4N-05/QIT4N-I-003/rev1/usecases.docx", 3100));
  c.revisions.push_back(revision);
  return c;
}

inline storage::Contribution withdrawn() {
  storage::Contribution c{.document_number = docnum("QIT4N-I-004")};
  c.meeting_id = "QIT4N-05";
  c.sender = "carol@member.test";
  c.subject = "Sent by mistake";
  c.message_id = "<four@member.test>";
  c.received_at = utc(2020, 7, 22, 12);
  c.files.push_back(file_at("/srv/files/QIT4N-05/QIT4N-I-004/mistake.pdf", 99));
  c.withdrawn = storage::Withdrawal{utc(2020, 7, 24, 8), "sent by mistake"};
  return c;
}

inline std::vector<storage::Contribution> four_contributions() {
  return {ordinary(), hostile(), late_with_revision(), withdrawn()};
}

inline std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

}  // namespace contribd::publish::testing
