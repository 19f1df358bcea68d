#include "daemon/smtp/smtp_reply.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "daemon/smtp/smtp_error.h"

namespace contribd::smtp {
namespace {

[[noreturn]] void malformed(std::string_view line, std::string_view why) {
  std::string shown;
  for (const char c : line.substr(0, 80)) {
    shown += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  throw SmtpError(fmt::format("malformed SMTP reply \"{}\": {}", shown, why), 0, false);
}

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
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
    for (const char c : line) joined += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  return joined;
}

ReplyLine parse_reply_line(std::string_view line) {
  if (line.size() < 3 ||
      !std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; })) {
    malformed(line, "no reply code");
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599) malformed(line, "reply code out of range");
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') malformed(line, "bad separator");
  const bool last = line.size() == 3 || line[3] == ' ';
  return {code, last, std::string(line.size() > 4 ? line.substr(4) : std::string_view{})};
}

Reply parse_reply(const std::vector<std::string>& lines) {
  if (lines.empty()) throw SmtpError("empty SMTP reply", 0, false);
  Reply reply;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const ReplyLine line = parse_reply_line(lines[i]);
    if (i == 0) reply.code = line.code;
    if (line.code != reply.code) malformed(lines[i], "code differs from the reply's first line");
    if (line.last != (i + 1 == lines.size())) malformed(lines[i], "continuation marks wrong");
    reply.lines.push_back(line.text);
  }
  return reply;
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
        extensions.auth_mechanisms.insert(upper(mechanism));
      }
    }
    extensions.keywords.insert(keyword);
  }
  return extensions;
}

}  // namespace contribd::smtp
