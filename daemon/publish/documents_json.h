// documents.json (SPEC step 11): the meeting's `list --json` elements, without the local paths
// of the stored files. Text stays exactly as registered; bytes that are not UTF-8 become U+FFFD.
#pragma once

#include <string>
#include <vector>

#include "storage/records.h"

namespace contribd::publish {

// A JSON array, indented, ending with a newline.
std::string documents_json(const std::vector<storage::Contribution>& contributions);

}  // namespace contribd::publish
