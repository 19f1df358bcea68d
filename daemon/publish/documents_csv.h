// documents.csv (SPEC step 11), for spreadsheets and scripts. RFC 4180: a header row, CRLF
// after every record, a field quoted when it holds a comma, a double quote, CR or LF, and
// double quotes doubled inside it. UTF-8 without a byte order mark: LibreOffice Calc (7.4)
// decodes a CSV in the character set its import dialog offers, the system's unless the person
// picks another, with or without a BOM, and where that is not UTF-8 a BOM only adds three stray
// characters to the first header; programs that split on commas trip over it too.
//
// Columns: document_number, title (the subject when the document has none), subject, source,
// received_at and withdrawn_at (RFC 3339 UTC; withdrawn_at empty unless withdrawn), status
// (on_time | late), files (links relative to the meeting's folder, one per line), revisions
// (one line each: "Rev.1 2020-07-23T10:00:00Z late" and the links to its files).
// Title, subject and source come from mail: one that begins with = + - @, a tab or a CR gets a
// leading apostrophe, so that a spreadsheet shows it as text instead of running a formula.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/records.h"

namespace contribd::publish {

std::string documents_csv(const std::vector<storage::Contribution>& contributions);

// One record with its CRLF, each field quoted when RFC 4180 needs it.
std::string csv_record(const std::vector<std::string>& fields);

// `text` with a leading apostrophe when a spreadsheet would read it as a formula.
std::string inert_for_spreadsheets(std::string_view text);

}  // namespace contribd::publish
