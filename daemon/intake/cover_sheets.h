// The cover sheets of a message's .docx files (SPEC step 10), read where the message was taken
// apart: in the extraction process, so that a hostile zip or XML costs that process only.
#pragma once

#include <nlohmann/json.hpp>

#include "parsers/docx_cover.h"
#include "parsers/mime_message.h"

namespace contribd {

// Sets ExtractedFile::docx for every file that looks like a .docx, reading its bytes from
// memory or from its spooled file (mapped, not copied). A file that cannot be read is noted as
// not_a_zip with the system's reason; never throws for what the file holds.
void read_cover_sheets(mime::ParsedMessage& message, const docx::DocxLimits& limits = {});

// For the answer of the extraction process (CBOR).
nlohmann::json docx_reading_to_json(const docx::DocxReading& reading);
docx::DocxReading docx_reading_from_json(const nlohmann::json& json);

}  // namespace contribd
