// IMAP server responses (RFC 3501 section 7, RFC 9051): wire syntax only, no sockets.
//
// Framing: a response is one line, or a line ending in a literal announcement "{n}" followed
// by CRLF, n bytes, and the rest of the response (which may announce further literals). The
// reader asks announced_literal() about each line it reads, reads the n bytes, and hands the
// assembled bytes to parse_response(). Parsing is pure and bounded: garbage, truncation,
// oversized numbers or nesting give a ParseResult with an error and its byte offset, never an
// exception and never a read past the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contribd::imap {

// One value of response data: an atom (CAPABILITY names, flags, "BODY[]"), a number, a string
// (quoted or literal, unescaped), NIL, or a parenthesised list.
struct Value {
  enum class Kind { atom, number, string, nil, list };
  Kind kind = Kind::nil;
  std::string text;          // atom as written, string bytes, number digits; empty for NIL, list
  std::uint64_t number = 0;  // Kind::number only
  std::vector<Value> items;  // Kind::list only

  bool is_atom(std::string_view upper_case_name) const;  // case-insensitive
  // The bytes of a string, the text of an atom or number; nullopt for NIL and lists.
  std::optional<std::string_view> as_text() const;
};

// A response code in brackets: "[UIDVALIDITY 3857529045]", "[CAPABILITY IMAP4rev1 ...]".
struct ResponseCode {
  std::string name;           // upper-case: "UIDVALIDITY", "AUTHENTICATIONFAILED"
  std::string arguments;      // the raw text between the name and "]"; may be empty
  std::vector<Value> values;  // arguments parsed as values; empty when they are free text
};

enum class Status { ok, no, bad, preauth, bye };

struct Response {
  enum class Kind { tagged, untagged, continuation };
  Kind kind = Kind::untagged;
  std::string tag;                      // tagged only, as written
  std::optional<std::uint32_t> number;  // "* 3 EXISTS", "* 12 FETCH (...)": the 3, the 12
  std::string name;                     // upper-case keyword: "OK", "EXISTS", "FETCH", "LIST"
  std::optional<Status> status;         // OK/NO/BAD/PREAUTH/BYE responses only
  std::optional<ResponseCode> code;     // status responses only
  std::string text;                     // status or continuation text after the code
  std::vector<Value> values;            // data after the name ("* SEARCH 1 2", "* LIST (...)")
};

struct ParseResult {
  std::optional<Response> response;  // set when the bytes were one well-formed response
  std::string error;                 // why not ("at byte 12: unterminated quoted string")
};

// Limits that keep a hostile server from exhausting the stack or the CPU.
inline constexpr std::size_t kMaxNesting = 64;
inline constexpr std::size_t kMaxValues = 1'000'000;

// The n of a trailing literal announcement "{n}", "{n+}" or "~{n}" that ends this line (the
// line without its CRLF). nullopt when the line does not end with one or n does not fit in
// 64 bits (the parser then reports the bad literal).
std::optional<std::uint64_t> announced_literal(std::string_view line);

// Parses one whole response: the line(s) as assembled above, joined by CRLF, with or without
// the final CRLF. Unknown untagged keywords are accepted when their data parses as values.
ParseResult parse_response(std::string_view bytes);

// For "* n FETCH (NAME value ...)": the value of one attribute ("UID", "BODY[]"), matched
// case-insensitively; nullptr when absent or when the response is not a FETCH.
const Value* fetch_attribute(const Response& response, std::string_view name);

// The capability names, upper-case, of "* CAPABILITY ..." or of a "[CAPABILITY ...]" code;
// nullopt when the response carries neither.
std::optional<std::vector<std::string>> capabilities(const Response& response);

// "[CODE args] text" of a status response, with control characters replaced by '?' and cut to
// a readable length: safe to put in a log line or an error message.
std::string status_text(const Response& response);

}  // namespace contribd::imap
