// SMTP replies (RFC 5321 section 4.2) read from lines, apart from any connection: "250-a",
// "250-b", "250 c" is one reply. Malformed lines throw SmtpError(code 0, temporary): a server
// that speaks garbage may be fixed later, and the message itself is not at fault.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace contribd::smtp {

struct ReplyLine {
  int code = 0;
  bool last = false;  // "250 text" ends the reply, "250-text" does not
  std::string text;
};

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // the text of each line, without code and separator

  int kind() const { return code / 100; }  // 2 done, 3 go on, 4 temporary, 5 permanent
  // The lines joined by spaces, control characters shown as '?': fit for an error message.
  std::string text() const;
};

// One line without its CRLF: three digits 2xx-5xx, then ' ', '-' or the end of the line.
ReplyLine parse_reply_line(std::string_view line);

// A complete reply: every line has the same code, only the last is marked last.
Reply parse_reply(const std::vector<std::string>& lines);

// What an EHLO reply offers: keywords upper-cased ("STARTTLS", "AUTH", "8BITMIME"), and the
// AUTH mechanisms upper-cased; the obsolete "AUTH=PLAIN LOGIN" form is understood too.
struct Extensions {
  std::set<std::string> keywords;
  std::set<std::string> auth_mechanisms;

  bool has(std::string_view keyword) const { return keywords.count(std::string(keyword)) > 0; }
};

Extensions parse_ehlo(const Reply& reply);

}  // namespace contribd::smtp
