// The cover sheet of a contribution written in the group's base template (SPEC step 10): the
// first table of word/document.xml, rows labelled Source, Title, Purpose, Contact, Keywords,
// Abstract; and the title of the core properties (docProps/core.xml) to fall back on.
// A .docx is a zip of XML parts and comes from strangers: the zip is checked against the
// expansion limits before anything is inflated, inflating stops at the limits whatever the
// zip's directory claims, and the XML is read without DTDs or entity expansion.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contribd::docx {

struct CoverContact {
  std::string name;
  std::string organization;
  std::string country;
  std::string email;
};

struct CoverSheet {
  // The first table had at least one of the template's labels (the document used the base
  // template); the fields below are only read from such a table.
  bool cover_table = false;
  std::optional<std::string> source;
  std::optional<std::string> title;
  std::optional<std::string> purpose;
  std::optional<std::string> keywords;
  std::optional<std::string> abstract;
  std::vector<CoverContact> contacts;     // one per person, in the order of the rows
  std::optional<std::string> core_title;  // docProps/core.xml dc:title, when not empty
};

struct DocxLimits {
  std::uint64_t max_expansion_ratio = 100;          // inflated bytes / size of the .docx
  std::uint64_t max_expanded_bytes = 256ull << 20;  // inflated bytes of the parts read
  std::uint64_t max_entries = 10000;                // members of the zip
};

enum class DocxVerdict {
  read,        // a valid .docx: `cover` holds what it says (maybe no cover table)
  not_a_zip,   // not a zip, or a damaged one (a renamed .doc, a truncated download)
  over_limit,  // would expand beyond the limits (a zip bomb): not read
  not_a_docx,  // a zip without word/document.xml, or XML that cannot be read
};

struct DocxReading {
  DocxVerdict verdict = DocxVerdict::not_a_zip;
  CoverSheet cover;
  std::string problem;  // why not read, for the log: "word/document.xml: ..."; empty when read
};

// Never throws on any input; texts come back as UTF-8 with runs joined, paragraphs of one
// cell separated by "\n", surrounding white space trimmed.
DocxReading read_cover_sheet(std::string_view docx_bytes, const DocxLimits& limits = {});

// Whether a file is to be read as .docx: by its name (".docx", any case) or its content type.
bool looks_like_docx(std::string_view filename, std::string_view content_type);

}  // namespace contribd::docx
