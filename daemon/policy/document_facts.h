// What a contribution says of itself (SPEC step 10), decided from the cover sheets read from
// its .docx files: pure, so that the rule is tested without a message.
#pragma once

#include <string_view>
#include <vector>

#include "parsers/mime_message.h"
#include "storage/records.h"

namespace contribd::policy {

// The first .docx (in the message's order) whose first table is the template's cover table
// gives source, purpose, keywords, abstract, contacts and title; the title falls back to the
// first core-properties title of a .docx, then to the subject. template_use: itu when a cover
// table was found, none when .docx files came without one, nullopt without .docx files. A .docx
// that could not be read (not a zip, over the limits) counts as one without a cover table.
storage::DocumentFacts document_facts(const std::vector<mime::ExtractedFile>& files,
                                      std::string_view subject);

// The lines that say why a .docx was not read, for the log ("name: problem"), in file order.
std::vector<std::string> unread_documents(const std::vector<mime::ExtractedFile>& files);

}  // namespace contribd::policy
