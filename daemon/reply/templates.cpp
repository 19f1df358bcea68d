#include "daemon/reply/templates.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

#include "parsers/ascii_text.h"
#include "parsers/utf8.h"

namespace contribd::reply {
namespace {

constexpr std::array<std::string_view, 16> kPlaceholders{
    "document_number", "meeting_id",     "meeting_title", "received",
    "received_utc",    "received_local", "deadline",      "deadline_utc",
    "deadline_local",  "files",          "subject",       "sender",
    "duplicate_note",  "title",          "source",        "template_note"};

constexpr std::string_view kBuiltinAck =
    "Your contribution has been received and is registered as {document_number}.\n"
    "{duplicate_note}\n"
    "\n"
    "Meeting:  {meeting_title} ({meeting_id})\n"
    "Subject:  {subject}\n"
    "Title:    {title}\n"
    "Source:   {source}\n"
    "Received: {received}\n"
    "Deadline: {deadline}\n"
    "\n"
    "Files:\n"
    "{files}\n"
    "\n"
    "{template_note}\n"
    "Please quote {document_number} in any question about this contribution.\n"
    "This acknowledgement was sent automatically by the secretariat's contribution register.\n";

constexpr std::string_view kBuiltinLate =
    "Your contribution arrived after the deadline for input documents. It is registered as a "
    "late contribution under {document_number}. The chair of the meeting decides whether it "
    "is considered.\n"
    "{duplicate_note}\n"
    "\n"
    "Meeting:  {meeting_title} ({meeting_id})\n"
    "Subject:  {subject}\n"
    "Title:    {title}\n"
    "Source:   {source}\n"
    "Received: {received}\n"
    "Deadline: {deadline}\n"
    "\n"
    "Files:\n"
    "{files}\n"
    "\n"
    "{template_note}\n"
    "Please quote {document_number} in any question about this contribution.\n"
    "This notice was sent automatically by the secretariat's contribution register.\n";

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || c == '_';
}

// The placeholder name at `open` (which holds '{'), or nullopt when it is plain text.
std::optional<std::string_view> placeholder_at(std::string_view text, std::size_t open) {
  std::size_t end = open + 1;
  while (end < text.size() && is_name_char(text[end])) ++end;
  if (end == open + 1 || end >= text.size() || text[end] != '}') return std::nullopt;
  return text.substr(open + 1, end - open - 1);
}

const std::string& value_of(const std::map<std::string, std::string>& values, std::string_view name,
                            std::string_view source) {
  const auto found = values.find(std::string(name));
  if (found == values.end()) {
    throw std::invalid_argument(fmt::format("{}: unknown placeholder {{{}}}", source, name));
  }
  return found->second;
}

void render_line(std::string_view line, const std::map<std::string, std::string>& values,
                 std::string_view source, std::string& out) {
  for (std::size_t pos = 0; pos < line.size();) {
    const auto open = line.find('{', pos);
    if (open == std::string_view::npos) {
      out += line.substr(pos);
      return;
    }
    out += line.substr(pos, open - pos);
    if (const auto name = placeholder_at(line, open)) {
      out += value_of(values, *name, source);
      pos = open + name->size() + 2;
    } else {
      out += '{';
      pos = open + 1;
    }
  }
}

bool is_lone_empty_placeholder(std::string_view line,
                               const std::map<std::string, std::string>& values,
                               std::string_view source) {
  const std::string_view content = ascii::trim(line);
  if (content.empty() || content.front() != '{') return false;
  const auto name = placeholder_at(content, 0);
  return name && name->size() + 2 == content.size() && value_of(values, *name, source).empty();
}

std::string read_template_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::invalid_argument(
        fmt::format("{}: cannot read reply template: {}", path.string(), std::strerror(errno)));
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!is_valid_utf8(text)) {
    throw std::invalid_argument(
        fmt::format("{}: reply template is not valid UTF-8", path.string()));
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // a byte order mark from an editor
  std::string lf_only;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    lf_only += text[i];
  }
  return lf_only;
}

// Renders once with every known placeholder, so that unknown ones are found now.
void check_placeholders(std::string_view text, std::string_view source) {
  std::map<std::string, std::string> all_known;
  for (const std::string_view name : kPlaceholders) all_known.emplace(name, "x");
  render_template(text, all_known, source);
}

}  // namespace

bool is_known_placeholder(std::string_view name) {
  for (const std::string_view known : kPlaceholders) {
    if (known == name) return true;
  }
  return false;
}

Templates builtin_templates() {
  return {std::string(kBuiltinAck), std::string(kBuiltinLate), "built-in", "built-in"};
}

Templates load_templates(const std::filesystem::path& ack, const std::filesystem::path& late) {
  Templates templates = builtin_templates();
  if (!ack.empty()) {
    templates.ack = read_template_file(ack);
    templates.ack_source = ack.string();
    check_placeholders(templates.ack, templates.ack_source);
  }
  if (!late.empty()) {
    templates.late = read_template_file(late);
    templates.late_source = late.string();
    check_placeholders(templates.late, templates.late_source);
  }
  return templates;
}

std::string render_template(std::string_view text, const std::map<std::string, std::string>& values,
                            std::string_view source) {
  std::string out;
  for (std::size_t start = 0; start < text.size();) {
    const auto newline = text.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    const std::string_view line = text.substr(start, end - start);
    if (!is_lone_empty_placeholder(line, values, source)) {
      render_line(line, values, source, out);
      if (newline != std::string_view::npos) out += '\n';
    }
    start = end + 1;
  }
  return out;
}

Templates load_configured_templates(const Config& config) {
  try {
    return load_templates(config.replies.ack_template, config.replies.late_template);
  } catch (const std::exception& error) {
    throw ConfigError(fmt::format("{}: replies: {}", config.source.string(), error.what()));
  }
}

}  // namespace contribd::reply
