#include "parsers/smtp_reply.h"

#include <fmt/format.h>

#include <algorithm>

namespace contribd::smtp {
namespace {

constexpr std::size_t kMaxShownLine = 80;

// Printable ASCII stays, everything else (controls, 8-bit bytes) becomes '?', independent of
// the locale.
char shown(char c) {
  return (c >= 0x20 && c < 0x7f) ? c : '?';
}

std::string malformed(std::string_view line, std::string_view why) {
  std::string excerpt;
  for (const char c : line.substr(0, kMaxShownLine)) excerpt += shown(c);
  return fmt::format("malformed SMTP reply \"{}\": {}", excerpt, why);
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto start = text.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    const auto end = std::min(text.find(' ', start), text.size());
    out.emplace_back(text.substr(start, end - start));
    pos = end;
  }
  return out;
}

}  // namespace

std::string Reply::text() const {
  std::string joined = std::to_string(code);
  for (const std::string& line : lines) {
    joined += ' ';
    for (const char c : line) joined += shown(c);
  }
  return joined;
}

ReplyLineResult parse_reply_line(std::string_view line) {
  if (line.size() < 3 ||
      !std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; })) {
    return {std::nullopt, malformed(line, "no reply code")};
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599) return {std::nullopt, malformed(line, "reply code out of range")};
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') {
    return {std::nullopt, malformed(line, "bad separator")};
  }
  const bool last = line.size() == 3 || line[3] == ' ';
  const std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
  return {ReplyLine{code, last, std::string(text)}, ""};
}

ReplyResult parse_reply(const std::vector<std::string>& lines) {
  if (lines.empty()) return {std::nullopt, "empty SMTP reply"};
  Reply reply;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ReplyLineResult parsed = parse_reply_line(lines[i]);
    if (!parsed.line) return {std::nullopt, std::move(parsed.error)};
    if (i == 0) reply.code = parsed.line->code;
    if (parsed.line->code != reply.code) {
      return {std::nullopt, malformed(lines[i], "code differs from the reply's first line")};
    }
    if (parsed.line->last != (i + 1 == lines.size())) {
      return {std::nullopt, malformed(lines[i], "continuation marks wrong")};
    }
    reply.lines.push_back(std::move(parsed.line->text));
  }
  return {std::move(reply), ""};
}

Extensions parse_ehlo(const Reply& reply) {
  Extensions extensions;
  // The first line greets with the server's name; each further line is one extension.
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const std::vector<std::string> parts = words(reply.lines[i]);
    if (parts.empty()) continue;
    std::string keyword = upper(parts[0]);
    std::vector<std::string> parameters(parts.begin() + 1, parts.end());
    if (keyword.starts_with("AUTH=")) {
      parameters.insert(parameters.begin(), keyword.substr(5));
      keyword = "AUTH";
    }
    if (keyword == "AUTH") {
      for (const std::string& mechanism : parameters) {
        if (!mechanism.empty()) extensions.auth_mechanisms.insert(upper(mechanism));
      }
    }
    extensions.keywords.insert(keyword);
  }
  return extensions;
}

std::string enhanced_status(const Reply& reply) {
  if (reply.lines.empty()) return {};
  const std::string_view text = reply.lines.front();
  const std::string_view code = text.substr(0, text.find(' '));
  if (code.size() < 5 || (code[0] != '2' && code[0] != '4' && code[0] != '5') || code[1] != '.') {
    return {};
  }
  // subject "." detail, each one to three digits
  const std::size_t dot = code.find('.', 2);
  if (dot == std::string_view::npos) return {};
  const auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= 3 &&
           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(code.substr(2, dot - 2)) || !digits(code.substr(dot + 1))) return {};
  return std::string(code);
}

}  // namespace contribd::smtp
