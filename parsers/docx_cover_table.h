// The cover sheet in the XML of a .docx (SPEC step 10): the rows of the first table of
// word/document.xml, and dc:title of docProps/core.xml, read from the parser's events.
// The first table is the first w:tbl of w:body outside any paragraph (a table in a text box is
// inside one) and outside mc:Fallback (which repeats mc:Choice). A row's first cell is its
// label (Source, Title, Purpose, Contact, Keywords, Abstract; any case, colon or not), the other
// cells its value; a row whose label cell is empty or merged from above (w:vMerge) continues
// the label of the row above. The first row of a label gives its field; every Contact row adds
// its people. What is kept is bounded: 64 KiB of text per cell (cut on a character), 64 cells
// per row, 100 contacts; so is the work, which ends at the end of the first table.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/docx_cover.h"
#include "parsers/xml_stream.h"

namespace contribd::docx {

inline constexpr std::size_t kMaxCellBytes = 64 * 1024;
inline constexpr std::size_t kMaxCellsPerRow = 64;
inline constexpr std::size_t kMaxContacts = 100;

// Fills `cover` from word/document.xml; finished at the end of the first table.
class CoverTableReader final : public xml::XmlHandler {
 public:
  explicit CoverTableReader(CoverSheet& cover);
  ~CoverTableReader() override;
  void start(std::string_view ns, std::string_view name,
             const xml::Attributes& attributes) override;
  void end(std::string_view ns, std::string_view name) override;
  void text(std::string_view text) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// dc:title of docProps/core.xml, trimmed; finished at its end.
class CoreTitleReader final : public xml::XmlHandler {
 public:
  void start(std::string_view ns, std::string_view name,
             const xml::Attributes& attributes) override;
  void end(std::string_view ns, std::string_view name) override;
  void text(std::string_view text) override;
  // The title when it has more than white space.
  std::optional<std::string> title() const;

 private:
  int depth_ = 0;
  bool in_title_ = false;
  std::string title_;
};

// The people of the value cells of one Contact row, in order: each cell's lines that are
// neither an e-mail line ("E-mail: ...", or any word with '@') nor a telephone line ("Tel: ...",
// "Fax: ...", "+41 ...") describe them, a line each for name, organization (more lines are
// joined with ", ") and country (the last of three or more). A blank line separates two people;
// without one, N e-mail addresses over lines that divide by N are N people. Rows without any
// text give nobody.
std::vector<CoverContact> contacts_in(const std::vector<std::string_view>& cells);

}  // namespace contribd::docx
