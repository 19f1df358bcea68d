#include "parsers/docx_cover_table.h"

#include <algorithm>
#include <array>
#include <utility>

#include "parsers/ascii_text.h"
#include "parsers/utf8.h"

namespace contribd::docx {

namespace {

constexpr std::string_view kWordNamespace =
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr std::string_view kWordStrictNamespace =
    "http://purl.oclc.org/ooxml/wordprocessingml/main";
constexpr std::string_view kMarkupCompatibilityNamespace =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";
constexpr std::string_view kDublinCoreNamespace = "http://purl.org/dc/elements/1.1/";

// ---- Text --------------------------------------------------------------------------------

// White space around labels and values: ASCII blanks and U+00A0 NO-BREAK SPACE, which Word
// puts after "Title:" as often as a plain space.
constexpr std::string_view kBlanks = " \t\r\n\v\f";
constexpr std::string_view kNoBreakSpace = "\xC2\xA0";

std::string_view trim(std::string_view text) {
  for (;;) {
    if (!text.empty() && kBlanks.find(text.front()) != std::string_view::npos) {
      text.remove_prefix(1);
    } else if (text.starts_with(kNoBreakSpace)) {
      text.remove_prefix(kNoBreakSpace.size());
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() && kBlanks.find(text.back()) != std::string_view::npos) {
      text.remove_suffix(1);
    } else if (text.ends_with(kNoBreakSpace)) {
      text.remove_suffix(kNoBreakSpace.size());
    } else {
      break;
    }
  }
  return text;
}

// Appends at most `limit` bytes in all to `out`, cut where a character starts.
void append_bounded(std::string& out, std::string_view more, std::size_t limit) {
  if (out.size() >= limit) return;
  std::size_t room = limit - out.size();
  out += utf8_prefix(more, room);
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (;;) {
    const std::size_t end = text.find('\n');
    lines.push_back(trim(text.substr(0, end)));
    if (end == std::string_view::npos) return lines;
    text.remove_prefix(end + 1);
  }
}

// A text as it is registered: each line trimmed, blank lines at either end dropped.
std::string tidy(std::string_view text) {
  std::string out;
  for (const std::string_view line : split_lines(trim(text))) {
    if (out.empty() && line.empty()) continue;
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

// ---- Rows --------------------------------------------------------------------------------

enum class Label { source, title, purpose, contact, keywords, abstract };

std::optional<Label> label_named(std::string_view text) {
  text = trim(text);
  if (text.ends_with(':')) text = trim(text.substr(0, text.size() - 1));
  static constexpr std::array<std::pair<std::string_view, Label>, 6> kLabels{{
      {"source", Label::source},
      {"title", Label::title},
      {"purpose", Label::purpose},
      {"contact", Label::contact},
      {"keywords", Label::keywords},
      {"abstract", Label::abstract},
  }};
  for (const auto& [name, label] : kLabels) {
    if (ascii::equals_ignoring_case(text, name)) return label;
  }
  return std::nullopt;
}

struct Cell {
  std::string text;
  std::size_t paragraphs = 0;
  bool merged_from_above = false;  // w:vMerge continuation: its content is the cell above's

  void append(std::string_view more) { append_bounded(text, more, kMaxCellBytes); }
};

// "E-mail: alice@example.org", "Email : <alice@example.org>", "mailto:alice@example.org".
std::optional<std::string> email_in(std::string_view line) {
  for (const std::string_view prefix : {"e-mail", "email", "mail"}) {
    if (!ascii::starts_with_ignoring_case(line, prefix)) continue;
    const std::string_view rest = trim(line.substr(prefix.size()));
    if (rest.starts_with(':')) {
      line = trim(rest.substr(1));
      break;
    }
  }
  const std::size_t at = line.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  constexpr std::string_view kSeparators = " \t,;<>()[]\"'";
  std::size_t start = line.find_last_of(kSeparators, at);
  start = start == std::string_view::npos ? 0 : start + 1;
  const std::size_t end = line.find_first_of(kSeparators, at);
  std::string_view address =
      line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (ascii::starts_with_ignoring_case(address, "mailto:")) address.remove_prefix(7);
  while (address.ends_with('.')) address.remove_suffix(1);
  if (address.size() < 3 || address.front() == '@' || address.back() == '@') return std::nullopt;
  return std::string(address);
}

// "Tel: +41 22 730 5111", "Tél.: ...", "Fax: ...", "+41 22 730 5111": how to reach someone
// rather than who they are.
bool is_telephone_line(std::string_view line) {
  for (const std::string_view prefix :
       {"tel", "t\xC3\xA9l", "telephone", "phone", "fax", "mobile", "mob", "cell", "gsm"}) {
    if (!ascii::starts_with_ignoring_case(line, prefix)) continue;
    std::string_view rest = line.substr(prefix.size());
    if (rest.starts_with('.')) rest.remove_prefix(1);
    rest = trim(rest);
    if (rest.starts_with(':') || rest.starts_with('+') ||
        (!rest.empty() && rest[0] >= '0' && rest[0] <= '9')) {
      return true;
    }
  }
  if (!line.starts_with('+')) return false;
  return std::all_of(line.begin() + 1, line.end(), [](char c) {
    return (c >= '0' && c <= '9') || std::string_view(" ()-./").find(c) != std::string_view::npos;
  });
}

// Turns the rows of the first table into the cover sheet, one row at a time.
class CoverRows {
 public:
  explicit CoverRows(CoverSheet& cover) : cover_(cover) {}

  void take(const std::vector<Cell>& cells) {
    if (cells.empty()) return;
    std::vector<std::string_view> values;
    std::optional<Label> label;
    const std::string_view first = trim(cells[0].text);
    if (cells[0].merged_from_above || first.empty()) {
      label = previous_;  // the label cell of a row that continues the one above
    } else if (label = label_named(first); !label) {
      // "Title: ..." written in a single cell.
      if (const std::size_t colon = first.find(':'); colon != std::string_view::npos) {
        label = label_named(first.substr(0, colon));
        if (label) values.push_back(first.substr(colon + 1));
      }
    }
    previous_ = label;
    if (!label) return;
    cover_.cover_table = true;
    for (std::size_t i = 1; i < cells.size(); ++i) {
      if (!cells[i].merged_from_above) values.push_back(cells[i].text);
    }
    if (*label == Label::contact) {
      for (CoverContact& contact : contacts_in(values)) {
        if (cover_.contacts.size() < kMaxContacts) cover_.contacts.push_back(std::move(contact));
      }
      return;
    }
    std::optional<std::string>& field = field_for(*label);
    if (field) return;  // the first row of a label is the one that counts
    std::string value;
    for (const std::string_view cell : values) {
      const std::string text = tidy(cell);
      if (text.empty()) continue;
      if (!value.empty()) value += '\n';
      value += text;
    }
    if (!value.empty()) field = std::move(value);
  }

 private:
  std::optional<std::string>& field_for(Label label) {
    switch (label) {
      case Label::source:
        return cover_.source;
      case Label::title:
        return cover_.title;
      case Label::purpose:
        return cover_.purpose;
      case Label::keywords:
        return cover_.keywords;
      case Label::abstract:
      case Label::contact:
        break;
    }
    return cover_.abstract;
  }

  CoverSheet& cover_;
  std::optional<Label> previous_;
};

bool is_word(std::string_view ns) {
  return ns == kWordNamespace || ns == kWordStrictNamespace;
}

}  // namespace

std::vector<CoverContact> contacts_in(const std::vector<std::string_view>& cells) {
  std::vector<std::vector<std::string_view>> people(1);
  std::vector<std::string> emails;
  for (const std::string_view cell : cells) {
    for (const std::string_view line : split_lines(cell)) {
      if (line.empty()) {
        if (!people.back().empty()) people.emplace_back();
      } else if (std::optional<std::string> email = email_in(line)) {
        emails.push_back(std::move(*email));
      } else if (!is_telephone_line(line)) {
        people.back().push_back(line);
      }
    }
  }
  if (people.back().empty()) people.pop_back();
  if (people.size() == 1 && emails.size() > 1 && people[0].size() % emails.size() == 0) {
    const std::vector<std::string_view> lines = std::move(people[0]);
    const std::size_t per_person = lines.size() / emails.size();
    people.clear();
    for (std::size_t first = 0; first < lines.size(); first += per_person) {
      people.emplace_back(lines.begin() + static_cast<std::ptrdiff_t>(first),
                          lines.begin() + static_cast<std::ptrdiff_t>(first + per_person));
    }
  }
  std::vector<CoverContact> contacts;
  const std::size_t count = people.empty() ? emails.size() : people.size();
  for (std::size_t i = 0; i < count && i < kMaxContacts; ++i) {
    CoverContact contact;
    if (i < people.size()) {
      const std::vector<std::string_view>& lines = people[i];
      contact.name = lines[0];
      if (lines.size() == 2) contact.organization = lines[1];
      if (lines.size() >= 3) {
        contact.country = lines.back();
        for (std::size_t l = 1; l + 1 < lines.size(); ++l) {
          if (!contact.organization.empty()) contact.organization += ", ";
          contact.organization += lines[l];
        }
      }
    }
    if (i < emails.size()) contact.email = emails[i];
    contacts.push_back(std::move(contact));
  }
  return contacts;
}

// ---- word/document.xml -------------------------------------------------------------------

struct CoverTableReader::State {
  enum class Kind {
    other,
    body,
    paragraph,
    run,
    text,
    tab,
    line_break,
    hyphen,
    table,
    row,
    cell,
    cell_properties,
    vertical_merge,
    fallback,
  };
  enum class Search { before_table, in_table, done };

  explicit State(CoverSheet& cover) : rows(cover) {}

  static Kind kind_of(std::string_view ns, std::string_view name) {
    if (ns == kMarkupCompatibilityNamespace) {
      return name == "Fallback" ? Kind::fallback : Kind::other;
    }
    if (!is_word(ns)) return Kind::other;
    static constexpr std::array<std::pair<std::string_view, Kind>, 13> kKinds{{
        {"body", Kind::body},
        {"p", Kind::paragraph},
        {"r", Kind::run},
        {"t", Kind::text},
        {"tab", Kind::tab},
        {"br", Kind::line_break},
        {"cr", Kind::line_break},
        {"noBreakHyphen", Kind::hyphen},
        {"tbl", Kind::table},
        {"tr", Kind::row},
        {"tc", Kind::cell},
        {"tcPr", Kind::cell_properties},
        {"vMerge", Kind::vertical_merge},
    }};
    for (const auto& [local_name, kind] : kKinds) {
      if (name == local_name) return kind;
    }
    return Kind::other;
  }

  // In a row or cell of the first table itself, not of a table nested in one of its cells.
  bool at_table_level() const { return search == Search::in_table && nested_tables == 0; }

  CoverRows rows;
  std::vector<Kind> open;  // no deeper than the parser lets a document nest (256)
  int fallback_depth = 0;
  int body_depth = 0;
  int paragraph_depth = 0;
  int text_depth = 0;
  Search search = Search::before_table;
  int nested_tables = 0;
  bool in_row = false;
  bool in_cell = false;  // a cell of the first table (its nested tables' text counts too)
  Cell cell;
  std::vector<Cell> cells;
};

CoverTableReader::CoverTableReader(CoverSheet& cover) : state_(std::make_unique<State>(cover)) {}
CoverTableReader::~CoverTableReader() = default;

void CoverTableReader::start(std::string_view ns, std::string_view name,
                             const xml::Attributes& attributes) {
  using Kind = State::Kind;
  State& s = *state_;
  const Kind kind = State::kind_of(ns, name);
  const Kind parent = s.open.empty() ? Kind::other : s.open.back();
  s.open.push_back(kind);
  if (kind == Kind::fallback) ++s.fallback_depth;
  if (s.fallback_depth > 0) return;
  switch (kind) {
    case Kind::body:
      ++s.body_depth;
      break;
    case Kind::paragraph:
      ++s.paragraph_depth;
      if (s.in_cell && s.cell.paragraphs++ > 0) s.cell.append("\n");
      break;
    case Kind::text:
      ++s.text_depth;
      break;
    case Kind::tab:  // in a run; w:tab in w:tabs (paragraph properties) is a tab stop
      if (parent == Kind::run && s.in_cell) s.cell.append(" ");
      break;
    case Kind::line_break:
      if (parent == Kind::run && s.in_cell) s.cell.append("\n");
      break;
    case Kind::hyphen:
      if (parent == Kind::run && s.in_cell) s.cell.append("-");
      break;
    case Kind::table:
      if (s.search == State::Search::before_table && s.body_depth > 0 && s.paragraph_depth == 0) {
        s.search = State::Search::in_table;
      } else if (s.search == State::Search::in_table) {
        ++s.nested_tables;
      }
      break;
    case Kind::row:
      if (s.at_table_level()) {
        s.cells.clear();
        s.in_row = true;
      }
      break;
    case Kind::cell:
      if (s.at_table_level() && s.in_row) {
        s.cell = Cell{};
        s.in_cell = true;
      }
      break;
    case Kind::vertical_merge:
      if (s.at_table_level() && s.in_cell && parent == Kind::cell_properties) {
        const std::optional<std::string_view> value = attributes.find("val");
        s.cell.merged_from_above = !value || *value != "restart";
      }
      break;
    default:
      break;
  }
}

void CoverTableReader::end(std::string_view, std::string_view) {
  using Kind = State::Kind;
  State& s = *state_;
  if (s.open.empty()) return;
  const Kind kind = s.open.back();
  s.open.pop_back();
  if (kind == Kind::fallback) {
    --s.fallback_depth;
    return;
  }
  if (s.fallback_depth > 0) return;
  switch (kind) {
    case Kind::body:
      --s.body_depth;
      break;
    case Kind::paragraph:
      --s.paragraph_depth;
      break;
    case Kind::text:
      --s.text_depth;
      break;
    case Kind::cell:
      if (s.at_table_level() && s.in_cell) {
        if (s.cells.size() < kMaxCellsPerRow) s.cells.push_back(std::move(s.cell));
        s.in_cell = false;
      }
      break;
    case Kind::row:
      if (s.at_table_level() && s.in_row) {
        s.rows.take(s.cells);
        s.in_row = false;
      }
      break;
    case Kind::table:
      if (s.search == State::Search::in_table) {
        if (s.nested_tables > 0) {
          --s.nested_tables;
        } else {
          s.search = State::Search::done;
          finished = true;
        }
      }
      break;
    default:
      break;
  }
}

void CoverTableReader::text(std::string_view text) {
  const State& s = *state_;
  if (s.fallback_depth == 0 && s.text_depth > 0 && s.in_cell) state_->cell.append(text);
}

// ---- docProps/core.xml -------------------------------------------------------------------

void CoreTitleReader::start(std::string_view ns, std::string_view name, const xml::Attributes&) {
  ++depth_;
  if (depth_ == 2 && ns == kDublinCoreNamespace && name == "title") in_title_ = true;
}

void CoreTitleReader::end(std::string_view, std::string_view) {
  if (in_title_ && depth_ == 2) {
    in_title_ = false;
    finished = true;
  }
  --depth_;
}

void CoreTitleReader::text(std::string_view text) {
  if (in_title_) append_bounded(title_, text, kMaxCellBytes);
}

std::optional<std::string> CoreTitleReader::title() const {
  std::string title = tidy(title_);
  if (title.empty()) return std::nullopt;
  return title;
}

}  // namespace contribd::docx
