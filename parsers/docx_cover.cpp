// Libraries: libzip for the zip, libxml2's SAX parser (pull mode) for the XML. Measured in
// bench/bench_docx_cover.cpp against minizip and pugixml:
// - the XML streams from the inflater through the parser: memory stays the same whatever the
//   size of word/document.xml, and reading stops at the end of the first table. pugixml parses
//   a whole document 4x faster, but into a tree of about 9 times the XML's size for dense
//   markup (2.3 GB for 256 MiB of "<a/>"), beyond the extraction process's 1 GiB;
// - libxml2 refuses nesting beyond 256 levels and caps names and texts by itself; the parse
//   stops at a DOCTYPE before its internal subset is read, so no entity is ever declared;
// - libzip opens a zip from memory in one call and says what is wrong with it; minizip 1.1
//   needs memory I/O callbacks of our own, and inflates at the same speed (both are zlib).
#include "parsers/docx_cover.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <exception>
#include <limits>
#include <memory>
#include <new>

namespace contribd::docx {

namespace {

constexpr std::string_view kDocumentPart = "word/document.xml";
constexpr std::string_view kCorePropertiesPart = "docProps/core.xml";

constexpr std::string_view kWordNamespace =
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr std::string_view kWordStrictNamespace =
    "http://purl.oclc.org/ooxml/wordprocessingml/main";
constexpr std::string_view kMarkupCompatibilityNamespace =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";
constexpr std::string_view kDublinCoreNamespace = "http://purl.org/dc/elements/1.1/";

// What is kept of a cover table, so that its size does not follow the document's: the text of
// one cell (an abstract is a few hundred words), the cells of one row, the people listed.
constexpr std::size_t kMaxCellBytes = 64 * 1024;
constexpr std::size_t kMaxCellsPerRow = 64;
constexpr std::size_t kMaxContacts = 100;
constexpr std::size_t kMaxProblemBytes = 300;

// ---- Text --------------------------------------------------------------------------------

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

// White space around a label or a value: ASCII blanks and U+00A0 NO-BREAK SPACE, which Word
// puts after "Title:" as often as a plain space.
constexpr std::string_view kNoBreakSpace = "\xC2\xA0";

std::string_view trim(std::string_view text) {
  for (;;) {
    if (!text.empty() &&
        std::string_view(" \t\r\n\v\f").find(text.front()) != std::string_view::npos) {
      text.remove_prefix(1);
    } else if (text.starts_with(kNoBreakSpace)) {
      text.remove_prefix(kNoBreakSpace.size());
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() &&
        std::string_view(" \t\r\n\v\f").find(text.back()) != std::string_view::npos) {
      text.remove_suffix(1);
    } else if (text.ends_with(kNoBreakSpace)) {
      text.remove_suffix(kNoBreakSpace.size());
    } else {
      break;
    }
  }
  return text;
}

// The longest prefix of valid UTF-8 `text` of at most `bytes` bytes that ends on a character.
std::string_view utf8_prefix(std::string_view text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return text.substr(0, bytes);
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

// A cell's text as it is registered: each line trimmed, blank lines at either end dropped.
std::string tidy(std::string_view text) {
  std::string out;
  for (std::string_view line : split_lines(trim(text))) {
    if (!out.empty() || !line.empty()) {
      if (!out.empty()) out += '\n';
      out += line;
    }
  }
  return out;
}

// ---- Cover-table rows --------------------------------------------------------------------

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
    if (equals_ignoring_case(text, name)) return label;
  }
  return std::nullopt;
}

struct Cell {
  std::string text;
  std::size_t paragraphs = 0;
  bool merged_from_above = false;  // a w:vMerge continuation: its content belongs to the cell above

  void append(std::string_view more) {
    if (text.size() >= kMaxCellBytes) return;
    text += utf8_prefix(more, kMaxCellBytes - text.size());
  }
};

// "E-mail: alice@example.org", "Email : <alice@example.org>", "alice@example.org (Alice)".
std::optional<std::string> email_in(std::string_view line) {
  for (std::string_view prefix : {"e-mail", "email", "mail"}) {
    if (!starts_with_ignoring_case(line, prefix)) continue;
    std::string_view rest = trim(line.substr(prefix.size()));
    if (rest.starts_with(':')) {
      line = trim(rest.substr(1));
      break;
    }
  }
  std::string_view address;
  std::size_t at = line.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  constexpr std::string_view kSeparators = " \t,;<>()[]\"'";
  std::size_t start = line.find_last_of(kSeparators, at);
  start = start == std::string_view::npos ? 0 : start + 1;
  std::size_t end = line.find_first_of(kSeparators, at);
  address =
      line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (starts_with_ignoring_case(address, "mailto:")) address.remove_prefix(7);
  while (address.ends_with('.')) address.remove_suffix(1);
  if (address.size() < 3 || address.front() == '@' || address.back() == '@') return std::nullopt;
  return std::string(address);
}

// "Tel: +41 22 730 5111", "Tél.: ...", "Fax: ...", "+41 22 730 5111": a line of how to reach
// someone rather than who they are.
bool is_telephone_line(std::string_view line) {
  for (std::string_view prefix :
       {"tel", "t\xC3\xA9l", "telephone", "phone", "fax", "mobile", "mob", "cell", "gsm"}) {
    if (!starts_with_ignoring_case(line, prefix)) continue;
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

// The people of one Contact row: the lines of its value cells that are neither e-mail nor
// telephone lines describe them, three lines each (name, organization, country). A blank line
// separates two people; without one, two e-mail addresses and six lines are two people of three.
std::vector<CoverContact> contacts_in(const std::vector<std::string_view>& cells) {
  std::vector<std::vector<std::string_view>> people(1);
  std::vector<std::string> emails;
  for (std::string_view cell : cells) {
    for (std::string_view line : split_lines(cell)) {
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
  for (std::size_t i = 0; i < count; ++i) {
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

// Turns the rows of the first table into the cover sheet, one row at a time.
class CoverRows {
 public:
  explicit CoverRows(CoverSheet& cover) : cover_(cover) {}

  void take(std::vector<Cell>& cells) {
    if (cells.empty()) return;
    std::vector<std::string_view> values;
    std::optional<Label> label;
    const std::string_view first = trim(cells[0].text);
    if (cells[0].merged_from_above || first.empty()) {
      // The label cell of a row that continues the one above: another Contact, typically.
      label = previous_;
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
    if (field) return;  // the first row with a label is the one that counts
    std::string value;
    for (std::string_view cell : values) {
      std::string text = tidy(cell);
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

// ---- XML ---------------------------------------------------------------------------------

std::string_view text_of(const xmlChar* text) {
  return text == nullptr ? std::string_view()
                         : std::string_view(reinterpret_cast<const char*>(text));
}

// The attributes of a start tag as libxml2 gives them: five pointers each (local name, prefix,
// namespace, value start, value end).
struct Attributes {
  const xmlChar** values = nullptr;
  int count = 0;

  std::optional<std::string_view> find(std::string_view local_name) const {
    for (int i = 0; i < count; ++i) {
      const xmlChar* const* attribute = values + 5 * i;
      if (text_of(attribute[0]) == local_name) {
        return std::string_view(reinterpret_cast<const char*>(attribute[3]),
                                static_cast<std::size_t>(attribute[4] - attribute[3]));
      }
    }
    return std::nullopt;
  }
};

// What a part's reader sees of the XML: elements with their namespace, and character data.
// A reader sets `finished` when it has what it needs; the parse stops there.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void start(std::string_view ns, std::string_view name, const Attributes& attributes) = 0;
  virtual void end(std::string_view ns, std::string_view name) = 0;
  virtual void text(std::string_view text) = 0;
  bool finished = false;
};

bool is_word(std::string_view ns) {
  return ns == kWordNamespace || ns == kWordStrictNamespace;
}

// The first table of the body: a w:tbl in w:body outside any paragraph (tables in text boxes
// are inside one), and outside mc:Fallback, which repeats what mc:Choice says.
class DocumentHandler final : public XmlHandler {
 public:
  explicit DocumentHandler(CoverSheet& cover) : rows_(cover) {}

  void start(std::string_view ns, std::string_view name, const Attributes& attributes) override {
    const Kind kind = kind_of(ns, name);
    const Kind parent = open_.empty() ? Kind::other : open_.back();
    open_.push_back(kind);
    if (kind == Kind::fallback) ++fallback_depth_;
    if (fallback_depth_ > 0) return;
    switch (kind) {
      case Kind::body:
        ++body_depth_;
        break;
      case Kind::paragraph:
        ++paragraph_depth_;
        if (in_cell()) {
          if (cell_.paragraphs++ > 0) cell_.append("\n");
        }
        break;
      case Kind::text:
        ++text_depth_;
        break;
      case Kind::tab:
        if (parent == Kind::run && in_cell()) cell_.append(" ");
        break;
      case Kind::line_break:
        if (parent == Kind::run && in_cell()) cell_.append("\n");
        break;
      case Kind::hyphen:
        if (parent == Kind::run && in_cell()) cell_.append("-");
        break;
      case Kind::table:
        if (state_ == State::searching && body_depth_ > 0 && paragraph_depth_ == 0) {
          state_ = State::in_table;
        } else if (state_ == State::in_table) {
          ++nested_tables_;
        }
        break;
      case Kind::row:
        if (state_ == State::in_table && nested_tables_ == 0) {
          cells_.clear();
          in_row_ = true;
        }
        break;
      case Kind::cell:
        if (in_row_ && nested_tables_ == 0) {
          cell_ = Cell{};
          cell_open_ = true;
        }
        break;
      case Kind::vertical_merge:
        if (in_cell() && parent == Kind::cell_properties) {
          const std::optional<std::string_view> value = attributes.find("val");
          cell_.merged_from_above = !value || *value != "restart";
        }
        break;
      default:
        break;
    }
  }

  void end(std::string_view, std::string_view) override {
    if (open_.empty()) return;
    const Kind kind = open_.back();
    open_.pop_back();
    if (kind == Kind::fallback) {
      --fallback_depth_;
      return;
    }
    if (fallback_depth_ > 0) return;
    switch (kind) {
      case Kind::body:
        --body_depth_;
        break;
      case Kind::paragraph:
        --paragraph_depth_;
        break;
      case Kind::text:
        --text_depth_;
        break;
      case Kind::cell:
        if (in_cell() && nested_tables_ == 0) {
          if (cells_.size() < kMaxCellsPerRow) cells_.push_back(std::move(cell_));
          cell_open_ = false;
        }
        break;
      case Kind::row:
        if (in_row_ && nested_tables_ == 0) {
          rows_.take(cells_);
          in_row_ = false;
        }
        break;
      case Kind::table:
        if (state_ == State::in_table) {
          if (nested_tables_ > 0) {
            --nested_tables_;
          } else {
            state_ = State::done;
            finished = true;
          }
        }
        break;
      default:
        break;
    }
  }

  void text(std::string_view text) override {
    if (fallback_depth_ == 0 && text_depth_ > 0 && cell_open_) cell_.append(text);
  }

 private:
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
  enum class State { searching, in_table, done };

  static Kind kind_of(std::string_view ns, std::string_view name) {
    if (ns == kMarkupCompatibilityNamespace)
      return name == "Fallback" ? Kind::fallback : Kind::other;
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

  // Inside a cell of the cover table itself (the text of a table nested in it counts too).
  bool in_cell() const { return cell_open_; }

  CoverRows rows_;
  std::vector<Kind> open_;  // as deep as libxml2 lets a document nest: 256
  int fallback_depth_ = 0;
  int body_depth_ = 0;
  int paragraph_depth_ = 0;
  int text_depth_ = 0;
  State state_ = State::searching;
  int nested_tables_ = 0;
  bool in_row_ = false;
  bool cell_open_ = false;
  Cell cell_;
  std::vector<Cell> cells_;
};

// dc:title, a child of cp:coreProperties.
class CorePropertiesHandler final : public XmlHandler {
 public:
  void start(std::string_view ns, std::string_view name, const Attributes&) override {
    ++depth_;
    if (depth_ == 2 && ns == kDublinCoreNamespace && name == "title") in_title_ = true;
  }
  void end(std::string_view, std::string_view) override {
    if (in_title_ && depth_ == 2) {
      in_title_ = false;
      finished = true;
    }
    --depth_;
  }
  void text(std::string_view text) override {
    if (in_title_ && title.size() < kMaxCellBytes) {
      title += utf8_prefix(text, kMaxCellBytes - title.size());
    }
  }
  std::string title;

 private:
  int depth_ = 0;
  bool in_title_ = false;
};

// ---- Zip ---------------------------------------------------------------------------------

// The bytes that may come out of the zip, counted as they are inflated.
struct ExpansionBudget {
  std::uint64_t limit = 0;
  std::uint64_t used = 0;
  bool exceeded = false;
};

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

std::string problem_text(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return std::string(utf8_prefix(text, kMaxProblemBytes));
}

enum class PartOutcome { read, zip_damaged, unsupported, over_limit, dtd, bad_xml };

struct PartReading {
  PartOutcome outcome = PartOutcome::read;
  std::string problem;
};

// One part inflating into the parser: libxml2 asks for bytes, this gives what zip_fread gives
// and counts it against the budget.
struct PartStream {
  zip_file_t* file = nullptr;
  ExpansionBudget* budget = nullptr;
  std::string zip_error;

  static int read(void* context, char* buffer, int length) {
    auto* stream = static_cast<PartStream*>(context);
    if (length <= 0 || stream->budget->exceeded || !stream->zip_error.empty()) return 0;
    const zip_int64_t got = zip_fread(stream->file, buffer, static_cast<zip_uint64_t>(length));
    if (got < 0) {
      stream->zip_error = zip_file_strerror(stream->file);
      return 0;  // the parser sees the end of its input; the reading fails on zip_error
    }
    stream->budget->used += static_cast<std::uint64_t>(got);
    if (stream->budget->used > stream->budget->limit) {
      stream->budget->exceeded = true;
      return 0;
    }
    return static_cast<int>(got);
  }
};

// The state the SAX callbacks share; C callbacks must not let an exception through.
struct SaxSession {
  XmlHandler* handler = nullptr;
  xmlParserCtxtPtr context = nullptr;
  bool dtd = false;
  bool failed = false;  // an exception (out of memory) in a callback
  std::string first_error;

  void stop() { xmlStopParser(context); }

  template <typename Call>
  static void guarded(void* user, Call&& call) {
    auto* session = static_cast<SaxSession*>(user);
    if (session->handler->finished || session->failed || session->dtd) return;
    try {
      call(*session);
      if (session->handler->finished) session->stop();
    } catch (...) {
      session->failed = true;
      session->stop();
    }
  }

  static void start_element(void* user, const xmlChar* name, const xmlChar*, const xmlChar* ns, int,
                            const xmlChar**, int attribute_count, int, const xmlChar** attributes) {
    guarded(user, [&](SaxSession& session) {
      session.handler->start(text_of(ns), text_of(name), Attributes{attributes, attribute_count});
    });
  }
  static void end_element(void* user, const xmlChar* name, const xmlChar*, const xmlChar* ns) {
    guarded(user, [&](SaxSession& session) { session.handler->end(text_of(ns), text_of(name)); });
  }
  static void characters(void* user, const xmlChar* text, int length) {
    guarded(user, [&](SaxSession& session) {
      session.handler->text(
          std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(length)));
    });
  }
  // Called at "<!DOCTYPE name", before the internal subset: OOXML has no DTD (ECMA-376 part 2,
  // M1.17), so the parse ends before any entity could be declared, let alone expanded.
  static void internal_subset(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
    auto* session = static_cast<SaxSession*>(user);
    session->dtd = true;
    session->stop();
  }
  static void error(void* user, xmlErrorPtr error) {
    auto* session = static_cast<SaxSession*>(user);
    if (session == nullptr || error == nullptr || !session->first_error.empty()) return;
    try {
      std::string text = problem_text(error->message != nullptr ? error->message : "");
      if (error->line > 0) text = "line " + std::to_string(error->line) + ": " + text;
      session->first_error = std::move(text);
    } catch (...) {
      session->failed = true;
    }
  }
};

void initialise_libxml2() {
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;
}

// Inflates `index` of `archive` into `handler`, within `budget`.
PartReading read_part(zip_t* archive, zip_uint64_t index, std::string_view name,
                      ExpansionBudget& budget, XmlHandler& handler) {
  PartReading reading;
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive, index, 0));
  if (!file) {
    zip_error_t* error = zip_get_error(archive);
    const int code = zip_error_code_zip(error);
    reading.outcome =
        (code == ZIP_ER_COMPNOTSUPP || code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_NOPASSWD)
            ? PartOutcome::unsupported
            : PartOutcome::zip_damaged;
    reading.problem = problem_text(std::string(name) + ": " + zip_error_strerror(error));
    return reading;
  }

  initialise_libxml2();
  xmlSAXHandler sax{};
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = &SaxSession::start_element;
  sax.endElementNs = &SaxSession::end_element;
  sax.characters = &SaxSession::characters;
  sax.ignorableWhitespace = &SaxSession::characters;
  sax.internalSubset = &SaxSession::internal_subset;
  sax.serror = &SaxSession::error;

  PartStream stream{file.get(), &budget, {}};
  SaxSession session;
  session.handler = &handler;
  // I/O and encoding errors are reported outside the parser context, to this thread's
  // structured handler: it takes them during the parse instead of stderr.
  const xmlStructuredErrorFunc previous_handler = xmlStructuredError;
  void* const previous_context = xmlStructuredErrorContext;
  xmlSetStructuredErrorFunc(&session, &SaxSession::error);
  xmlParserCtxtPtr context = xmlCreateIOParserCtxt(&sax, &session, &PartStream::read, nullptr,
                                                   &stream, XML_CHAR_ENCODING_NONE);
  if (context != nullptr) {
    session.context = context;
    // No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities stay unexpanded, no DTD is
    // fetched, and libxml2's limits on depth (256), names and text nodes apply.
    xmlCtxtUseOptions(
        context, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlParseDocument(context);
  }
  const bool well_formed = context != nullptr && context->wellFormed != 0;
  if (context != nullptr) xmlFreeParserCtxt(context);
  xmlSetStructuredErrorFunc(previous_context, previous_handler);

  if (budget.exceeded) {
    reading.outcome = PartOutcome::over_limit;
    reading.problem = std::string(name) + ": inflates beyond " + std::to_string(budget.limit) +
                      " bytes although the zip's directory says less";
  } else if (!stream.zip_error.empty()) {
    reading.outcome = PartOutcome::zip_damaged;
    reading.problem = problem_text(std::string(name) + ": " + stream.zip_error);
  } else if (session.failed) {
    throw std::bad_alloc();
  } else if (session.dtd) {
    reading.outcome = PartOutcome::dtd;
    reading.problem = std::string(name) + ": has a DOCTYPE, which OOXML does not allow";
  } else if (context == nullptr || (!handler.finished && !well_formed)) {
    reading.outcome = PartOutcome::bad_xml;
    reading.problem = problem_text(std::string(name) + ": " +
                                   (session.first_error.empty() ? "not XML" : session.first_error));
  }
  return reading;
}

std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return a * b;
}

DocxReading read(std::string_view bytes, const DocxLimits& limits) {
  DocxReading reading;
  if (bytes.empty()) {  // libzip would open it as an empty archive
    reading.verdict = DocxVerdict::not_a_zip;
    reading.problem = "not a zip: no bytes";
    return reading;
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    reading.verdict = DocxVerdict::not_a_zip;
    reading.problem = problem_text(zip_error_strerror(&error));
    zip_error_fini(&error);
    return reading;
  }
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open_from_source(source, ZIP_RDONLY, &error));
  if (!archive) {
    zip_source_free(source);
    reading.verdict = DocxVerdict::not_a_zip;
    reading.problem = problem_text(std::string("not a zip: ") + zip_error_strerror(&error));
    zip_error_fini(&error);
    return reading;
  }
  zip_error_fini(&error);

  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  if (entries < 0 || static_cast<std::uint64_t>(entries) > limits.max_entries) {
    reading.verdict = DocxVerdict::over_limit;
    reading.problem =
        std::to_string(entries) + " members, more than " + std::to_string(limits.max_entries);
    return reading;
  }
  const zip_int64_t document = zip_name_locate(archive.get(), kDocumentPart.data(), ZIP_FL_NOCASE);
  if (document < 0) {
    reading.verdict = DocxVerdict::not_a_docx;
    reading.problem = "a zip without word/document.xml";
    return reading;
  }
  const zip_int64_t core =
      zip_name_locate(archive.get(), kCorePropertiesPart.data(), ZIP_FL_NOCASE);

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
    reading.verdict = DocxVerdict::over_limit;
    reading.problem = "word/document.xml and docProps/core.xml would inflate to " +
                      std::to_string(declared) + " bytes, beyond the limit of " +
                      std::to_string(budget.limit) + " for a .docx of " +
                      std::to_string(bytes.size()) + " bytes";
    return reading;
  }

  CoverSheet cover;
  DocumentHandler document_handler(cover);
  PartReading part = read_part(archive.get(), static_cast<zip_uint64_t>(document), kDocumentPart,
                               budget, document_handler);
  switch (part.outcome) {
    case PartOutcome::read:
      break;
    case PartOutcome::over_limit:
      reading.verdict = DocxVerdict::over_limit;
      reading.problem = std::move(part.problem);
      return reading;
    case PartOutcome::zip_damaged:
      reading.verdict = DocxVerdict::not_a_zip;
      reading.problem = std::move(part.problem);
      return reading;
    case PartOutcome::unsupported:
    case PartOutcome::dtd:
    case PartOutcome::bad_xml:
      reading.verdict = DocxVerdict::not_a_docx;
      reading.problem = std::move(part.problem);
      return reading;
  }

  // The core properties are optional: one that cannot be read only loses its title, but its
  // bytes count against the same budget.
  if (core >= 0) {
    CorePropertiesHandler core_handler;
    part = read_part(archive.get(), static_cast<zip_uint64_t>(core), kCorePropertiesPart, budget,
                     core_handler);
    if (part.outcome == PartOutcome::over_limit) {
      reading.verdict = DocxVerdict::over_limit;
      reading.problem = std::move(part.problem);
      return reading;
    }
    if (part.outcome == PartOutcome::read) {
      if (std::string title = tidy(core_handler.title); !title.empty()) {
        cover.core_title = std::move(title);
      }
    }
  }
  reading.verdict = DocxVerdict::read;
  reading.cover = std::move(cover);
  return reading;
}

}  // namespace

DocxReading read_cover_sheet(std::string_view docx_bytes, const DocxLimits& limits) {
  try {
    return read(docx_bytes, limits);
  } catch (const std::exception& error) {
    DocxReading reading;
    reading.verdict = DocxVerdict::not_a_docx;
    reading.problem = std::string("not read: ") + error.what();
    return reading;
  }
}

bool looks_like_docx(std::string_view filename, std::string_view content_type) {
  constexpr std::string_view kDocxType =
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  if (filename.size() >= 5 && equals_ignoring_case(filename.substr(filename.size() - 5), ".docx")) {
    return true;
  }
  content_type = trim(content_type.substr(0, content_type.find(';')));
  return equals_ignoring_case(content_type, kDocxType);
}

}  // namespace contribd::docx
