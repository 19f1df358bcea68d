// libzip reads the zip, libxml2's SAX parser the XML (parsers/xml_stream.h), chosen over
// minizip and pugixml with bench/bench_docx_cover.cpp:
// - the XML streams from the inflater through the parser in 16 kB, whatever the size of
//   word/document.xml, and reading ends with the first table (under 1 ms for a 20 MB document
//   that opens with its cover table, 130 ms for one without a table). pugixml parses a whole
//   document 1.7 times as fast, but into a tree of 3.7 times the XML's size, 17 times for dense
//   markup ("<a/>" repeated, where it is also 7 times slower): 4.3 GB for 256 MiB, beyond the
//   extraction process's 1 GiB. libxml2 stops at 256 levels of nesting by itself and, with
//   xml_stream.h, at a DOCTYPE and at a start tag of more than 256 attributes (it checks them
//   for duplicates in quadratic time: 7 s for one tag of 2 MB);
// - libzip opens a zip in memory in one call and names what is wrong with it; minizip 1.1
//   needs I/O callbacks of our own to read from memory. Both inflate at zlib's speed. Of a
//   member whose directory entry understates its size, libzip gives every byte without
//   complaint and minizip stops short with a CRC error: the reader counts the bytes itself.
#include "parsers/docx_cover.h"

#include <string.h>
#include <zip.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <memory>

#include "parsers/ascii_text.h"
#include "parsers/bounded_defects.h"
#include "parsers/docx_cover_table.h"
#include "parsers/xml_stream.h"

namespace contribd::docx {

namespace {

constexpr const char* kDocumentPart = "word/document.xml";
constexpr const char* kCorePropertiesPart = "docProps/core.xml";
constexpr std::size_t kMaxProblemBytes = 300;
// A zip has one end record; a stored zip as its last member can add one more. Each costs libzip
// a reading of the directory it points to (0.1 s for 10,000 members): 2,900 of them, 266 s.
constexpr std::size_t kMaxEndRecords = 4;

std::uint32_t le(std::string_view bytes, std::size_t at, int size) {
  std::uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  }
  return value;
}

// The end-of-central-directory records in a zip's tail, read before libzip reads a directory:
// libzip tries every record it finds in the last 64 KiB, allocating for the members each one
// announces and reading its directory, so both their number and what they announce are
// limits. A record counts when it could end a single-disk zip (disk numbers 0, as many members
// on this disk as in all), as a .docx is; a ZIP64 locator before it makes its ZIP64 record's
// count the one that counts.
struct EndRecords {
  std::size_t found = 0;
  std::uint64_t most_members = 0;
};

EndRecords end_records(std::string_view zip) {
  constexpr std::size_t kRecordSize = 22;
  constexpr std::size_t kLocatorSize = 20;
  constexpr std::size_t kZip64RecordSize = 56;
  constexpr std::size_t kTail = kRecordSize + 0xFFFF + kLocatorSize;  // record, comment, locator
  EndRecords records;
  if (zip.size() < kRecordSize) return records;
  const std::size_t lowest = zip.size() > kTail ? zip.size() - kTail : 0;
  // Candidates are found by their first byte with memrchr, at memory speed: the tail of an
  // attachment that is not a zip is 64 KiB of anything, read for every file of every message.
  for (std::size_t at = zip.size() - kRecordSize + 1; at > lowest;) {
    const void* p = ::memrchr(zip.data() + lowest, 'P', at - lowest);
    if (p == nullptr) break;
    at = static_cast<std::size_t>(static_cast<const char*>(p) - zip.data());
    if (le(zip, at, 4) != 0x06054b50) continue;
    std::uint64_t members = 0;
    if (at >= kLocatorSize && le(zip, at - kLocatorSize, 4) == 0x07064b50) {
      const std::uint64_t record =
          le(zip, at - kLocatorSize + 8, 4) |
          (static_cast<std::uint64_t>(le(zip, at - kLocatorSize + 12, 4)) << 32);
      if (record < zip.size() && zip.size() - record >= kZip64RecordSize &&
          le(zip, record, 4) == 0x06064b50) {
        members =
            le(zip, record + 32, 4) | (static_cast<std::uint64_t>(le(zip, record + 36, 4)) << 32);
      }
    } else if (le(zip, at + 4, 4) != 0 || le(zip, at + 8, 2) != le(zip, at + 10, 2)) {
      continue;
    } else {
      members = le(zip, at + 10, 2);
    }
    ++records.found;
    records.most_members = std::max(records.most_members, members);
  }
  return records;
}

std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return a * b;
}

std::string problem_text(std::string_view text) {
  return mime::excerpt_for_defect(text, kMaxProblemBytes);
}

DocxReading refused(DocxVerdict verdict, std::string_view problem) {
  DocxReading reading;
  reading.verdict = verdict;
  reading.problem = problem_text(problem);
  return reading;
}

struct ZipDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileClose {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

// The bytes that may come out of the zip, counted as they are inflated.
struct ExpansionBudget {
  std::uint64_t limit = 0;
  std::uint64_t used = 0;
  bool exceeded = false;
};

// One part inflated into the XML parser. Only its verdict: nullopt when it was read.
std::optional<DocxReading> read_part(zip_t* archive, zip_uint64_t index, const char* name,
                                     ExpansionBudget& budget, xml::XmlHandler& handler) {
  const std::string part(name);
  std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen_index(archive, index, 0));
  if (!file) {
    zip_error_t* error = zip_get_error(archive);
    const int code = zip_error_code_zip(error);
    const bool unsupported =
        code == ZIP_ER_COMPNOTSUPP || code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_NOPASSWD;
    return refused(unsupported ? DocxVerdict::not_a_docx : DocxVerdict::not_a_zip,
                   part + ": " + zip_error_strerror(error));
  }
  std::string zip_error;
  const xml::XmlReading xml = xml::stream_xml(
      [&](char* buffer, std::size_t size) -> std::size_t {
        if (budget.exceeded || !zip_error.empty()) return 0;
        const zip_int64_t got = zip_fread(file.get(), buffer, size);
        if (got < 0) {
          zip_error = zip_file_strerror(file.get());
          return 0;
        }
        budget.used += static_cast<std::uint64_t>(got);
        if (budget.used > budget.limit) {
          budget.exceeded = true;
          return 0;
        }
        return static_cast<std::size_t>(got);
      },
      handler);
  if (budget.exceeded) {
    return refused(DocxVerdict::over_limit, part + ": inflates beyond the limit of " +
                                                std::to_string(budget.limit) +
                                                " bytes although the zip's directory says less");
  }
  if (!zip_error.empty()) return refused(DocxVerdict::not_a_zip, part + ": " + zip_error);
  if (xml.outcome != xml::XmlOutcome::complete) {
    return refused(DocxVerdict::not_a_docx, part + ": " + xml.problem);
  }
  return std::nullopt;
}

DocxReading read(std::string_view bytes, const DocxLimits& limits) {
  const EndRecords records = end_records(bytes);
  if (records.found == 0) {
    return refused(DocxVerdict::not_a_zip, "not a zip: no end of central directory");
  }
  if (records.found > kMaxEndRecords) {
    return refused(DocxVerdict::not_a_zip,
                   "not a zip: " + std::to_string(records.found) +
                       " end-of-central-directory records where one belongs");
  }
  if (records.most_members > limits.max_entries) {
    return refused(DocxVerdict::over_limit, std::to_string(records.most_members) +
                                                " members, more than " +
                                                std::to_string(limits.max_entries));
  }

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  std::unique_ptr<zip_t, ZipDiscard> archive(
      source == nullptr ? nullptr : zip_open_from_source(source, ZIP_RDONLY, &error));
  if (!archive) {
    if (source != nullptr) zip_source_free(source);
    DocxReading reading =
        refused(DocxVerdict::not_a_zip, std::string("not a zip: ") + zip_error_strerror(&error));
    zip_error_fini(&error);
    return reading;
  }
  zip_error_fini(&error);
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  if (entries < 0 || static_cast<std::uint64_t>(entries) > limits.max_entries) {
    return refused(DocxVerdict::over_limit, std::to_string(entries) + " members, more than " +
                                                std::to_string(limits.max_entries));
  }
  const zip_int64_t document = zip_name_locate(archive.get(), kDocumentPart, ZIP_FL_NOCASE);
  if (document < 0) return refused(DocxVerdict::not_a_docx, "a zip without word/document.xml");
  const zip_int64_t core = zip_name_locate(archive.get(), kCorePropertiesPart, ZIP_FL_NOCASE);

  // What the directory says the two parts inflate to, before inflating anything.
  ExpansionBudget budget;
  budget.limit = std::min(limits.max_expanded_bytes,
                          saturating_product(limits.max_expansion_ratio, bytes.size()));
  std::uint64_t declared = 0;
  for (const zip_int64_t index : {document, core}) {
    zip_stat_t stat;
    if (index >= 0 &&
        zip_stat_index(archive.get(), static_cast<zip_uint64_t>(index), 0, &stat) == 0 &&
        (stat.valid & ZIP_STAT_SIZE) != 0) {
      declared = std::max(declared, declared + stat.size);  // saturates instead of wrapping
    }
  }
  if (declared > budget.limit) {
    return refused(DocxVerdict::over_limit,
                   "word/document.xml and docProps/core.xml would inflate to " +
                       std::to_string(declared) + " bytes, beyond the limit of " +
                       std::to_string(budget.limit) + " for a .docx of " +
                       std::to_string(bytes.size()) + " bytes");
  }

  DocxReading reading;
  CoverTableReader table(reading.cover);
  if (std::optional<DocxReading> refusal = read_part(
          archive.get(), static_cast<zip_uint64_t>(document), kDocumentPart, budget, table)) {
    return std::move(*refusal);
  }
  // The core properties are optional: when they cannot be read only their title is lost. Their
  // bytes count against the same budget, though.
  if (core >= 0) {
    CoreTitleReader title;
    std::optional<DocxReading> refusal = read_part(archive.get(), static_cast<zip_uint64_t>(core),
                                                   kCorePropertiesPart, budget, title);
    if (refusal && refusal->verdict == DocxVerdict::over_limit) return std::move(*refusal);
    if (!refusal) reading.cover.core_title = title.title();
  }
  reading.verdict = DocxVerdict::read;
  return reading;
}

}  // namespace

DocxReading read_cover_sheet(std::string_view docx_bytes, const DocxLimits& limits) {
  try {
    return read(docx_bytes, limits);
  } catch (const std::exception& error) {  // out of memory
    return refused(DocxVerdict::not_a_docx, std::string("not read: ") + error.what());
  }
}

bool looks_like_docx(std::string_view filename, std::string_view content_type) {
  constexpr std::string_view kDocxType =
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  if (ascii::ends_with_ignoring_case(filename, ".docx")) return true;
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) {
    content_type.remove_suffix(1);
  }
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) {
    content_type.remove_prefix(1);
  }
  return ascii::equals_ignoring_case(content_type, kDocxType);
}

}  // namespace contribd::docx
