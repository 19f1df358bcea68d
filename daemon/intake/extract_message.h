// The extract step: a spooled message taken apart (MIME, files, cover sheets) in the
// extraction process (extraction_jail.h) or, without a jail, in this one.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include "daemon/intake/part_sink.h"
#include "daemon/intake/register_message.h"
#include "parsers/mime_extract.h"

namespace contribd {

// A person who accepts a held message has looked at it: the structural limits no longer
// apply, only the time and memory budget of the extraction process.
mime::ExtractLimits extract_limits(const LimitsConfig& limits, bool accepted);

// A spooled message taken apart: its large files wait in the sink's part files.
struct Examinable {
  const SpooledIntake* intake;
  std::unique_ptr<PartSink> parts;
  mime::ParsedMessage message;  // raw_sha256_hex identifies it after a UIDVALIDITY change
};

// Takes the message apart; its MIME defects go to the debug log. Throws what the extraction
// throws (ParserContained, ExtractionAborted, std::runtime_error).
Examinable take_apart(IntakeContext& context, const SpooledIntake& intake);

// A batch's messages taken apart, waiting for register_taken_apart() (register_message.h): those
// that were, in batch order (`positions`: their places in the batch), and the errors of those
// that could not be.
struct TakenApart {
  std::vector<Examinable> items;
  std::vector<std::size_t> positions;
  std::vector<std::pair<std::size_t, std::exception_ptr>> errors;
};

// The first half of register_batch(). It neither reads nor writes the register, which the
// intake's other thread may be writing meanwhile: a message that failed_too_often() is left
// out (register_taken_apart() holds it), and errors are kept for register_taken_apart() to
// count. Each message is named to the crash marker while in hand.
TakenApart take_apart_batch(IntakeContext& context, const std::vector<SpooledIntake>& batch);

// What can be said of a message whose extraction failed, for the review list: the header
// facts from its first bytes, read without GMime.
mime::ParsedMessage header_facts(const SpooledIntake& intake);

}  // namespace contribd
