// The page of one meeting's input documents (SPEC step 11): the deadline and the counts at the
// top, links to the CSV, the JSON and the timeline, then one row per contribution: its number
// with a link to each file, title (the subject when the register has none), source, receipt
// time, on time or late, and its revisions with their files; withdrawn ones struck through and
// said to be withdrawn in words. Every text from mail is escaped by the template engine and
// isolated in <bdi>. Pure: the same register gives the same bytes.
#pragma once

#include <string>
#include <vector>

#include "daemon/policy/meeting.h"
#include "storage/records.h"

namespace contribd::publish {

// `contributions` in the order to list them (the register's: by number).
std::string meeting_page_html(const Meeting& meeting,
                              const std::vector<storage::Contribution>& contributions);

// The title a person sees: the document's own, else the subject of the message.
std::string shown_title(const storage::Contribution& contribution);

// "1234 bytes", "56 kB", "7.8 MB" (decimal units).
std::string size_for_people(std::uint64_t bytes);

}  // namespace contribd::publish
