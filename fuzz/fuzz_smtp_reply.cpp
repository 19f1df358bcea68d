// libFuzzer target: SMTP replies as a hostile server could send them. The input is split into
// lines at LF (a CR before it dropped), at most as many as the dialogue reads for one reply.
// Nothing may throw or crash; an error comes with no reply and a bounded message; a reply
// read has one code and shows only printable bytes; it reads back the same when written out
// again; what EHLO offers is upper-case; an enhanced status code is a prefix of the first line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/smtp_reply.h"

namespace {

using namespace contribd::smtp;

constexpr std::size_t kMaxLines = 100;  // the dialogue's cap per reply
constexpr std::size_t kMaxError = 200;  // 80 bytes of the line plus the longest reason

std::vector<std::string> split_lines(std::string_view input) {
  std::vector<std::string> lines;
  while (!input.empty() && lines.size() < kMaxLines) {
    const std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.emplace_back(line);
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return lines;
}

void check_line(std::string_view text) {
  const ReplyLineResult parsed = parse_reply_line(text);
  if (parsed.line.has_value() == !parsed.error.empty()) std::abort();
  if (!parsed.line) {
    if (parsed.error.size() > kMaxError) std::abort();
    return;
  }
  if (parsed.line->code < 200 || parsed.line->code > 599) std::abort();
  const std::string_view rest = text.size() > 4 ? text.substr(4) : std::string_view{};
  if (parsed.line->text != rest || parsed.line->last != (text.size() == 3 || text[3] == ' ')) {
    std::abort();
  }
}

bool is_printable(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

bool has_lower_case(std::string_view text) {
  for (const char c : text) {
    if (c >= 'a' && c <= 'z') return true;
  }
  return false;
}

void check_reply(const std::vector<std::string>& lines) {
  const ReplyResult parsed = parse_reply(lines);
  if (parsed.reply.has_value() == !parsed.error.empty()) std::abort();
  if (!parsed.reply) {
    if (parsed.error.size() > kMaxError) std::abort();
    return;
  }
  const Reply& reply = *parsed.reply;
  if (reply.lines.size() != lines.size() || reply.kind() < 2 || reply.kind() > 5) std::abort();
  std::size_t bound = 3;
  for (const std::string& line : reply.lines) bound += 1 + line.size();
  const std::string text = reply.text();
  if (text.size() > bound || !is_printable(text)) std::abort();

  // Written out again as a server would, the reply reads back the same.
  std::vector<std::string> again;
  for (std::size_t i = 0; i < reply.lines.size(); ++i) {
    const char separator = i + 1 == reply.lines.size() ? ' ' : '-';
    again.push_back(std::to_string(reply.code) + separator + reply.lines[i]);
  }
  const ReplyResult reread = parse_reply(again);
  if (!reread.reply || reread.reply->code != reply.code || reread.reply->lines != reply.lines) {
    std::abort();
  }

  const Extensions extensions = parse_ehlo(reply);
  for (const std::string& keyword : extensions.keywords) {
    if (keyword.empty() || has_lower_case(keyword) || keyword.find(' ') != std::string::npos) {
      std::abort();
    }
  }
  for (const std::string& mechanism : extensions.auth_mechanisms) {
    if (mechanism.empty() || has_lower_case(mechanism)) std::abort();
  }
  if (!extensions.auth_mechanisms.empty() && !extensions.has("AUTH")) std::abort();

  // An enhanced status code is a prefix of the first line, digits and two dots.
  const std::string status = enhanced_status(reply);
  if (!status.empty()) {
    if (status.size() > 9 || !reply.lines.front().starts_with(status)) std::abort();
    if (std::count(status.begin(), status.end(), '.') != 2) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> lines = split_lines(input);
  for (const std::string& line : lines) check_line(line);
  check_reply(lines);
  return 0;
}
