// SMTP replies (RFC 5321 section 4.2) read from lines, apart from any connection: "250-a",
// "250-b", "250 c" is one reply. Malformed lines give a result with an error saying why (the
// line shown printable, cut to 80 bytes), never an exception; the work is linear in the input.
// The reader bounds the length and number of lines before they get here.
#pragma once

#include <optional>
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
  // The code and the lines joined by spaces, control characters and 8-bit bytes shown as '?':
  // fit for an error message. The code's digits, then a space and the line per line: never
  // longer than that.
  std::string text() const;
};

struct ReplyLineResult {
  std::optional<ReplyLine> line;  // set when the line is well-formed
  std::string error;              // why not: "malformed SMTP reply \"ok 250\": no reply code"
};

struct ReplyResult {
  std::optional<Reply> reply;  // set when the lines are one well-formed reply
  std::string error;           // why not, naming the first offending line
};

// One line without its CRLF: three digits 2xx-5xx, then ' ', '-' or the end of the line.
ReplyLineResult parse_reply_line(std::string_view line);

// A complete reply: every line well-formed with the same code, only the last marked last. No
// lines at all is an error too.
ReplyResult parse_reply(const std::vector<std::string>& lines);

// What an EHLO reply offers: keywords upper-cased ("STARTTLS", "AUTH", "8BITMIME"), and the
// AUTH mechanisms upper-cased; the obsolete "AUTH=PLAIN LOGIN" form is understood too. The
// first line is the greeting, not an extension. Any text is accepted.
struct Extensions {
  std::set<std::string> keywords;
  std::set<std::string> auth_mechanisms;

  bool has(std::string_view keyword) const { return keywords.count(std::string(keyword)) > 0; }
};

Extensions parse_ehlo(const Reply& reply);

// The enhanced status code (RFC 3463) that opens the reply's first line: "4.3.2" of
// "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded". Empty when there is none: the
// class must be 2, 4 or 5, subject and detail one to three digits each, followed by a space or
// the end of the line. Any text is accepted.
std::string enhanced_status(const Reply& reply);

}  // namespace contribd::smtp
