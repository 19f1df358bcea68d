#include "daemon/smtp/smtp_wire.h"

#include <algorithm>
#include <cctype>

#include "daemon/policy/reply_decision.h"
#include "parsers/base64.h"

namespace contribd::smtp {

std::string dot_stuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 40 + 8);
  bool at_line_start = true;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' || c == '\n') {
      // CRLF, a bare LF and a bare CR each end one line.
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      out += "\r\n";
      at_line_start = true;
      continue;
    }
    if (at_line_start && c == '.') out += '.';
    out += c;
    at_line_start = false;
  }
  if (!at_line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

std::string auth_plain_response(std::string_view username, std::string_view password) {
  std::string message;
  message += '\0';
  message += username;
  message += '\0';
  message += password;
  return encode_base64(message);
}

bool is_safe_path(std::string_view address) {
  return address.empty() || policy::is_plain_address(address);
}

bool is_valid_helo_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  if (name.front() == '[') {
    return name.back() == ']' && std::all_of(name.begin() + 1, name.end() - 1, [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':';
           });
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

}  // namespace contribd::smtp
